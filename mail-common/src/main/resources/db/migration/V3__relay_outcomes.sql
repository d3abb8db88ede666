-- What the relay learnt about a queued recipient, for the queue API and the
-- bounce (RFC 3464): the enhanced status of the last outcome and the host
-- that gave it (Remote-MTA). last_error keeps the whole reply text.
alter table delivery_queue add column status varchar(16);
alter table delivery_queue add column remote_mta varchar(255);
-- failed rows wait for their bounce; the bouncer finds them by this index
create index delivery_queue_failed on delivery_queue (queue_id) where state = 'failed';
