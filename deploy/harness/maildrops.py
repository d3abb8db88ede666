#!/usr/bin/env python3
"""Fills the same maildrops for this gateway and for a peer POP3 server, for
the POP3 benchmark: for each user, MESSAGES messages of SIZE octets (CRLF line
ends, one body line in fifty starting with a dot, so byte-stuffing costs both
servers alike), each with its own Message-ID.

  --maildir ROOT  writes ROOT/USER/cur/... as Dovecot's Maildir wants it (LF line
                  ends, the sizes in the file name, as Dovecot's own delivery writes them)
  --sql FILE      writes a psql script that stores the same messages in this
                  gateway's mail store (message_body and mailbox_entry rows,
                  queue ids BENCH-...); the accounts must exist

  maildrops.py --users a@example.test,b@example.test --messages 1000 --size 2458 --maildir /tmp/mail --sql /tmp/fill.sql
"""
import argparse
import os

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--users", required=True)
parser.add_argument("--messages", type=int, required=True)
parser.add_argument("--size", type=int, required=True, help="octets per message, CRLF line ends")
parser.add_argument("--maildir", required=True)
parser.add_argument("--sql", required=True)
args = parser.parse_args()

LINE = b"x" * 76 + b"\r\n"
DOT_LINE = b"." + b"y" * 75 + b"\r\n"


def message(user, number):
    head = (b"From: Bench <bench@example.org>\r\nTo: <%s>\r\nSubject: pop3 bench %d\r\n"
            b"Message-ID: <%d.%s@bench.example>\r\nDate: Sat, 28 Nov 2026 12:00:00 +0000\r\n\r\n"
            % (user.encode(), number, number, user.encode()))
    body = bytearray()
    lines = 0
    while len(head) + len(body) + len(LINE) <= args.size:
        body += DOT_LINE if lines % 50 == 49 else LINE
        lines += 1
    # the last line pads the message to SIZE exactly
    pad = args.size - len(head) - len(body)
    if pad >= 3:
        body += b"z" * (pad - 2) + b"\r\n"
    return head + bytes(body)


with open(args.sql, "w") as sql:
    sql.write("\\set ON_ERROR_STOP on\nbegin;\n")
    sql.write("create temp table fill (address text, queue_id text, content bytea) on commit drop;\n")
    # stored as the worker's delivery stores it: uncompressed (message_body.content is EXTERNAL; a value
    # compressed in this table would arrive compressed there and cost a decompression on every read)
    sql.write("alter table fill alter column content set storage external;\n")
    sql.write("copy fill from stdin;\n")
    for u, user in enumerate(args.users.split(",")):
        cur = os.path.join(args.maildir, user, "cur")
        os.makedirs(cur, exist_ok=True)
        for tail in ("new", "tmp"):
            os.makedirs(os.path.join(args.maildir, user, tail), exist_ok=True)
        for n in range(1, args.messages + 1):
            crlf = message(user, n)
            lf = crlf.replace(b"\r\n", b"\n")
            name = "%d.M%dP%d.bench,S=%d,W=%d:2,S" % (1790000000 + n, n, u, len(lf), len(crlf))
            with open(os.path.join(cur, name), "wb") as f:
                f.write(lf)
            sql.write("%s\tBENCH-%02d-%07d\t\\\\x%s\n" % (user, u, n, crlf.hex()))
    sql.write("\\.\n")
    sql.write("insert into message_body (queue_id, sender, received_at, size_bytes, content)"
              " select queue_id, 'bench@example.org', now(), length(content), content from fill order by queue_id;\n")
    sql.write("insert into mailbox_entry (account_id, body_id, queue_id, size_bytes)"
              " select a.id, b.id, b.queue_id, b.size_bytes from fill f join account a on a.address = f.address"
              " join message_body b on b.queue_id = f.queue_id order by b.id;\n")
    sql.write("commit;\n")
