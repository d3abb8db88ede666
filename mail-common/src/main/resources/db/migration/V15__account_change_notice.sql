-- The ingress keeps the local mailboxes it found to exist without a quota, so
-- that RCPT does not ask for each message (smtp-ingress KnownMailboxes). Each
-- change that could make such an answer wrong is announced on the channel
-- account_changed at its commit: the address of an account removed, or whose
-- address or quota changed; an empty payload after a truncate (forget them
-- all). A new account needs no notice: a mailbox not found is never kept.
-- Writes with triggers disabled (session_replication_role = replica, a restore
-- with --disable-triggers) announce nothing: restart the ingresses after one.
create function announce_account_change() returns trigger language plpgsql as $$
begin
    if tg_op = 'TRUNCATE' then
        perform pg_notify('account_changed', '');
    else
        perform pg_notify('account_changed', old.address);
    end if;
    return null;
end
$$;

create trigger account_removed after delete on account
    for each row execute function announce_account_change();

-- a password change rewrites the row too (Hibernate writes every column), and needs no notice
create trigger account_changed after update on account
    for each row when (old.address is distinct from new.address or old.quota_bytes is distinct from new.quota_bytes)
    execute function announce_account_change();

create trigger account_truncated after truncate on account
    for each statement execute function announce_account_change();
