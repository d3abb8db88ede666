-- A body goes with its last reference (ARCHITECTURE decision 8), whichever
-- table and whichever service dropped it: a mailbox entry deleted at POP3's
-- QUIT or by its account's cascade, a queue row delivered, reported or removed.
-- The schema does it, so deleting an account is one statement, and no caller
-- has a statement of its own to forget.
--
-- The bodies are locked before they are checked, in id order. Of two
-- transactions that drop the last two references to one body at once, the
-- second then waits for the first to commit, sees that reference gone and
-- deletes the body. Without the lock, each would still see the other's
-- reference and keep the body for ever.
--
-- An older release still deletes unreferenced bodies itself after its
-- deletes; it finds them gone already, so it runs on this schema unchanged.
create function delete_unreferenced_bodies() returns trigger language plpgsql as $$
begin
    perform 1 from message_body where id in (select body_id from gone) order by id for no key update;
    delete from message_body b where b.id in (select body_id from gone)
        and not exists (select 1 from mailbox_entry e where e.body_id = b.id)
        and not exists (select 1 from delivery_queue q where q.body_id = b.id);
    return null;
end
$$;

create trigger mailbox_entry_body_gone after delete on mailbox_entry
    referencing old table as gone for each statement execute function delete_unreferenced_bodies();
create trigger delivery_queue_body_gone after delete on delivery_queue
    referencing old table as gone for each statement execute function delete_unreferenced_bodies();
