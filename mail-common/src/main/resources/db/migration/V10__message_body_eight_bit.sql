-- Whether a message has an octet above 127, found once when it is stored: the relay streams large bodies
-- in chunks, and must know before MAIL FROM whether to declare BODY=8BITMIME or refuse a next hop without
-- it (RFC 6152). Bodies already queued for relay are scanned here; escape encoding writes an octet
-- above 127 as \ooo with a first digit of 2 or 3, and every backslash as two, so an odd run of
-- backslashes before such three digits is one.
alter table message_body add column eight_bit boolean not null default false;
update message_body b set eight_bit = true
where exists (select 1 from delivery_queue q where q.body_id = b.id)
  and encode(b.content, 'escape') ~ '(^|[^\\])(\\\\)*\\[23][0-7][0-7]';
