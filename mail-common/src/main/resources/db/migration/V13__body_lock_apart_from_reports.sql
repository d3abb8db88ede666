-- V12's trigger locked each body's row before checking its references. But
-- the worker's bounce report holds that row lock (for no key update) while it
-- sends the bounce to Kafka, so a POP3 QUIT or a verdict write deleting
-- another reference to the same message waited for the send; and a late
-- verdict on a row of the report's set waited in a cycle with the report.
--
-- The deleters now take a transaction-scoped advisory lock on the body's id
-- instead: it serializes them just as well (the second waits for the first
-- to commit, then sees its reference gone), and no row lock waits on it.
-- Taken in id order, so two deleters of the same bodies cannot deadlock.
create or replace function delete_unreferenced_bodies() returns trigger language plpgsql as $$
declare
    body bigint;
begin
    for body in select distinct body_id from gone order by body_id loop
        perform pg_advisory_xact_lock(body);
    end loop;
    delete from message_body b where b.id in (select body_id from gone)
        and not exists (select 1 from mailbox_entry e where e.body_id = b.id)
        and not exists (select 1 from delivery_queue q where q.body_id = b.id);
    return null;
end
$$;
