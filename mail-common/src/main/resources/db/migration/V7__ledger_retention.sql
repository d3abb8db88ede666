-- The ledger is pruned after delivery.ledger.retention (LedgerPruner), oldest
-- first in small batches: each batch finds its rows by this index rather than
-- by scanning the whole table. (Built in Flyway's transaction: CONCURRENTLY
-- would wait for the transaction Flyway holds its lock in.)
create index delivery_ledger_recorded on delivery_ledger (recorded_at);
