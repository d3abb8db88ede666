-- Seed data, run by Flyway after every migration (in the delivery-worker): the
-- postmaster account exists from the first start (RFC 5321 section 4.5.1
-- requires the mailbox), with login disabled until an operator sets its
-- password. ${postmaster} is mail.postmaster, or postmaster@ the first local
-- domain (delivery-worker worker/schema/PostmasterPlaceholder).
insert into account (address) values ('${postmaster}') on conflict (address) do nothing;
