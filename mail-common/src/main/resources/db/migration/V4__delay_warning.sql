-- A recipient deferred longer than delivery.delay-warning gets one "delayed"
-- report (RFC 3464 Action: delayed), not one per attempt.
alter table delivery_queue add column delay_warned boolean not null default false;
