#!/usr/bin/env python3
"""The counting harness's counter: compares the log of load.py (every message
that got a 250) with what arrived, and prints `lost=N duplicated=N`.

Where messages arrive:
  --mailboxes        local mailboxes in the gateway's PostgreSQL (psql, the
                     connection of deploy/local: 127.0.0.1:15432, mail/mail)
  --sink-dump DIR    the files of Postfix's `smtp-sink -d DIR/...` (remote MX)

A message is found by its X-Harness-Id header; each logged recipient should
have it exactly once (in its mailbox, or once at the sink for the whole
message). Lost: a logged message missing at a destination. Duplicated: a
copy more than expected in a mailbox (or, with --strict-remote, at the
sink; otherwise those are reported as relayed_twice: SMTP relays at least
once). Exits 0 only when lost and duplicated are 0.
"""
import argparse
import collections
import os
import re
import subprocess
import sys

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--log", required=True)
parser.add_argument("--mailboxes", action="store_true")
parser.add_argument("--sink-dump")
parser.add_argument("--strict-remote", action="store_true", help="count a message relayed twice as duplicated")
args = parser.parse_args()

HARNESS = re.compile(rb"^X-Harness-Id: (\S+)", re.MULTILINE)

# as the gateway's mail.domains; every other recipient is relayed to the sink
LOCAL_DOMAINS = set(os.environ.get("MAIL_DOMAINS", "example.test").lower().split(","))
expected_local = collections.Counter()   # (harness id, address) -> 1
expected_remote = collections.Counter()  # harness id -> 1 per message with remote recipients
runs = set()
with open(args.log) as log:
    for line in log:
        harness_id, _queue_id, rcpts = line.split()
        runs.add(harness_id.rsplit("-", 1)[0])
        remote = False
        for rcpt in rcpts.split(","):
            if rcpt.lower().rsplit("@", 1)[-1] in LOCAL_DOMAINS:
                expected_local[(harness_id, rcpt.lower())] += 1
            else:
                remote = True
        if remote:
            expected_remote[harness_id] += 1

found_local = collections.Counter()
if args.mailboxes:
    sql = ("select a.address, encode(substring(b.content from 1 for 4096), 'hex') from mailbox_entry e"
           " join account a on a.id = e.account_id join message_body b on b.id = e.body_id"
           " where b.sender <> ''")
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", "15432", "-U", "mail", "-d", "mail", "-At", "-F", "\t", "-c", sql],
                         env={**os.environ, "PGPASSWORD": "mail"}, check=True, capture_output=True).stdout.decode()
    for row in out.split("\n"):
        if not row:
            continue
        address, content = row.split("\t", 1)
        match = HARNESS.search(bytes.fromhex(content))
        if match and match.group(1).decode().rsplit("-", 1)[0] in runs:
            found_local[(match.group(1).decode(), address)] += 1

found_remote = collections.Counter()
if args.sink_dump:
    for folder, _dirs, files in os.walk(args.sink_dump):
        for name in files:
            with open(os.path.join(folder, name), "rb") as dump:
                for match in HARNESS.finditer(dump.read()):
                    if match.group(1).decode().rsplit("-", 1)[0] in runs:
                        found_remote[match.group(1).decode()] += 1

lost = duplicated = relayed_twice = unacknowledged = 0
for expected, found, remote in ((expected_local, found_local, False), (expected_remote, found_remote, True)):
    for key, want in expected.items():
        got = found.get(key, 0)
        lost += max(0, want - got)
        if remote:
            # a relay that ended just before a crash, its verdict unwritten, goes again: SMTP is at least once
            relayed_twice += max(0, got - want)
        else:
            duplicated += max(0, got - want)
    # a message queued whose 250 never reached the client (a kill between the two): delivered, not acknowledged;
    # the client would send it again, as SMTP allows, so it is reported, not counted as a duplicate
    unacknowledged += sum(1 for key in found if key not in expected)

print("accepted=%d local=%d remote=%d unacknowledged_delivered=%d relayed_twice=%d lost=%d duplicated=%d"
      % (sum(1 for _ in open(args.log)), sum(expected_local.values()), sum(expected_remote.values()), unacknowledged,
         relayed_twice, lost, duplicated + (relayed_twice if args.strict_remote else 0)))
sys.exit(0 if lost == 0 and duplicated == 0 and (relayed_twice == 0 or not args.strict_remote) else 1)
