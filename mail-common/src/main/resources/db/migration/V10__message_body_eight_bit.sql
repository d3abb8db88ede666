-- Whether a message has an octet above 127, found once when it is stored: the relay streams large bodies
-- in chunks, and must know before MAIL FROM whether to declare BODY=8BITMIME or refuse a next hop without
-- it (RFC 6152). Null is "not known": bodies stored before this migration, or by a worker of before it
-- during a rolling update, which knows no such column. The relay reads such a body through once before it
-- relays it, so this migration scans nothing and takes no time, however many bodies wait.
alter table message_body add column eight_bit boolean;
