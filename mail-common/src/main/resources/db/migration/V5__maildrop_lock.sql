-- One POP3 session per maildrop across every replica (RFC 1939 section 8,
-- [IN-USE] of RFC 2449): a lease with its owner, renewed while the session
-- lives, released on QUIT or disconnect, and taken over once it has expired
-- (a crashed replica's sessions).
create table maildrop_lock (
    account_id bigint primary key references account (id) on delete cascade,
    owner      varchar(64) not null,
    expires_at timestamptz not null
);
