-- Addresses the address model (mail-common MailAddress) accepts are at most 254 octets, measured after
-- case folding and A-label conversion (RFC 5321 section 4.5.3.1.3: a path of 256 with its angle
-- brackets), so varchar(320) holds them all. Records that an ingress from before the model queued may
-- still be in mail.inbound when the worker is upgraded: it measured 254 UTF-16 units before lower-casing
-- the domain, and U+0130 lower-cases to two, so their addresses and domains reach 2 x 254 characters.
-- The worker keeps such an address to bounce it (a recipient) or to relay and bounce to it (a sender),
-- never dead-lettering the message, so these columns take them. Widening a varchar rewrites nothing.
alter table delivery_ledger alter column recipient type varchar(512);
alter table delivery_queue alter column recipient type varchar(512);
alter table delivery_queue alter column domain type varchar(512);
alter table message_body alter column sender type varchar(512);
