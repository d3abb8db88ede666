#!/usr/bin/env python3
"""The counting harness's load client: sends a bounded number of messages over
SMTP from several sessions at once and logs every message that got a 250,
with the queue id the server named, so that count.py can later prove that
each of them arrived exactly once (and that nothing else did).

Each message carries a unique `X-Harness-Id: RUN-N` header. The log has one
line per accepted message: `HARNESS_ID QUEUE_ID RCPT[,RCPT...]`. Messages
that got no 250 (a 4xx or 5xx, a timeout, a dropped connection) are not
logged: the client keeps them, as an MTA would, and they are only counted.

  load.py --port 2525 --count 2000 --sessions 20 --to a@example.test --log run.log
  load.py --port 2587 --auth bench@example.test:secret --to x@relay.bench ...
"""
import argparse
import smtplib
import sys
import threading
import time
import uuid

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--count", type=int, required=True, help="messages in all")
parser.add_argument("--sessions", type=int, default=10, help="concurrent SMTP sessions")
parser.add_argument("--size", type=int, default=2048, help="approximate message size in bytes")
parser.add_argument("--sender", default="harness@example.org")
parser.add_argument("--to", required=True, help="comma-separated recipients of every message")
parser.add_argument("--auth", help="USER:PASSWORD for AUTH PLAIN")
parser.add_argument("--log", required=True, help="file to append the accepted messages to")
parser.add_argument("--per-session", type=int, default=100, help="messages per SMTP session before it reconnects")
parser.add_argument("--timeout", type=float, default=60)
parser.add_argument("--rate", type=float, help="messages per second in all, at most (default: as fast as the sessions go)")
parser.add_argument("--times", help="file to write QUEUE_ID and the epoch seconds of its 250 to")
args = parser.parse_args()

recipients = args.to.split(",")
started = time.time()
run = uuid.uuid4().hex[:12]
lock = threading.Lock()
next_number = 0
accepted = 0
refused = {}
log = open(args.log, "a", buffering=1)
times = open(args.times, "a", buffering=1) if args.times else None
filler = ("x" * 76 + "\r\n").encode()


def take():
    global next_number
    with lock:
        if next_number >= args.count:
            return None
        next_number += 1
        number = next_number
    if args.rate:
        # paced: message n leaves no earlier than n / rate seconds after the start
        time.sleep(max(0.0, started + number / args.rate - time.time()))
    return number


def message(harness_id):
    head = ("From: <%s>\r\nTo: <%s>\r\nSubject: harness %s\r\nX-Harness-Id: %s\r\n\r\n"
            % (args.sender, recipients[0], harness_id, harness_id)).encode()
    lines = max(1, (args.size - len(head)) // len(filler))
    return head + filler * lines


def note_refusal(reason):
    with lock:
        refused[reason] = refused.get(reason, 0) + 1


def session():
    global accepted
    number = take()
    while number is not None:
        try:
            with smtplib.SMTP(args.host, args.port, timeout=args.timeout) as smtp:
                smtp.ehlo("harness.example")
                if args.auth:
                    user, password = args.auth.split(":", 1)
                    smtp.login(user, password)
                for _ in range(args.per_session):
                    if number is None:
                        return
                    harness_id = "%s-%d" % (run, number)
                    smtp.mail(args.sender)
                    ok = [r for r in recipients if smtp.rcpt(r)[0] // 100 == 2]
                    if not ok:
                        smtp.rset()
                        note_refusal("rcpt")
                    else:
                        code, reply = smtp.data(message(harness_id))
                        if code == 250:
                            queue_id = reply.decode(errors="replace").split()[-1]
                            with lock:
                                log.write("%s %s %s\n" % (harness_id, queue_id, ",".join(ok)))
                                if times:
                                    times.write("%s %.6f\n" % (queue_id, time.time()))
                                accepted += 1
                        else:
                            note_refusal(str(code))
                    number = take()
        except (smtplib.SMTPException, OSError) as e:
            # the message in flight got no 250: the client keeps it; count it and go on with the next,
            # after a pause, as an MTA would not hammer a server that is restarting
            note_refusal(type(e).__name__)
            number = take()
            time.sleep(1)


threads = [threading.Thread(target=session) for _ in range(args.sessions)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.time() - started
log.close()
print("run=%s accepted=%d not_accepted=%d %s seconds=%.2f rate=%.1f/s"
      % (run, accepted, sum(refused.values()), refused or "", elapsed, accepted / elapsed))
sys.exit(0)
