-- Neither lock of V12 and V13 holds up:
-- - the body's row lock (V12) is the worker's bounce-report lock too, held
--   while the bounce goes to Kafka, so deletes of the message's other
--   references (a POP3 QUIT, a verdict write for a whole attempt) waited
--   for the send;
-- - an advisory lock per body (V13) takes a slot in PostgreSQL's shared lock
--   table per body, and deleting an account with thousands of messages ran
--   out of them ("out of shared memory").
-- So the trigger takes no lock, as the statements before it took none. Two
-- transactions that drop a body's last two references in the same instant
-- each still see the other's reference and keep the body: a rare orphan,
-- as before V12. Closing that needs the report's lock moved off the body row.
create or replace function delete_unreferenced_bodies() returns trigger language plpgsql as $$
begin
    delete from message_body b where b.id in (select body_id from gone)
        and not exists (select 1 from mailbox_entry e where e.body_id = b.id)
        and not exists (select 1 from delivery_queue q where q.body_id = b.id);
    return null;
end
$$;
