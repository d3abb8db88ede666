-- A DSN lists a set of recipients fixed before it is queued (Bouncer): the
-- rows of a message waiting for a report ('failed', and 'delivered' or
-- 'relayed' for NOTIFY=SUCCESS) move together to 'reporting', the report's
-- action (RFC 3464 section 2.3.3) kept beside them, and go once Kafka has the
-- report. A crash in between queues the very same report again, under the
-- same derived queue id, which the worker's ledger stores once.
alter table delivery_queue add column dsn_action varchar(16);
-- every row that is not waiting for a relay: few, and looked for by message
create index delivery_queue_reports on delivery_queue (body_id) where state <> 'queued';
