-- A lock's owner is "replica/session": the replica's host name (up to 253
-- octets) and POP3 port, then the session's UUID, so that a replica starting
-- again can free the locks its killed run left behind.
alter table maildrop_lock alter column owner type varchar(320);
