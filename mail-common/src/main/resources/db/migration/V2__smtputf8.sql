-- RFC 6531: a message accepted with SMTPUTF8 may only be relayed to a next hop
-- that offers it (else it bounces with 5.6.7), so the flag travels with the body.
alter table message_body add column smtputf8 boolean not null default false;
