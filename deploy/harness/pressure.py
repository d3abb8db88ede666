#!/usr/bin/env python3
"""Memory pressure on the ingress, as one hostile client makes it: many
sessions from one address each push a large message into DATA and never end
it, while newcomers try to send small mail. Then some of the large messages
are finished, and last, sessions send a line that never ends one octet per
TCP segment. Bounded in count and time; loopback only.

Prints one line of key=value figures and logs every message that got a 250
in the counting harness's format (`HARNESS_ID QUEUE_ID RCPT`, see count.py),
so the drill can check each was delivered. Exits 1 when a newcomer was not
greeted within --greet-within seconds, or got no answer to its small message
within --answer-within, or any end of data got something other than 250 or
a 4xx.
"""
import argparse
import collections
import socket
import threading
import time
import urllib.request

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=2525)
parser.add_argument("--sender", default="pressure@example.org")
parser.add_argument("--to", required=True, help="a local mailbox")
parser.add_argument("--sessions", type=int, default=40, help="large sessions held open")
parser.add_argument("--mib", type=int, default=24, help="MiB each large session sends into DATA")
parser.add_argument("--hold", type=float, default=30, help="seconds the large sessions are held before some finish")
parser.add_argument("--finish", type=int, default=10, help="large sessions that end their message")
parser.add_argument("--probes", type=int, default=3, help="newcomers during the hold")
parser.add_argument("--greet-within", type=float, default=2)
parser.add_argument("--answer-within", type=float, default=30)
parser.add_argument("--trickle-sessions", type=int, default=10)
parser.add_argument("--trickle-seconds", type=float, default=20)
parser.add_argument("--ingress-pid", type=int, help="for the CPU time the one-octet segments cost it")
parser.add_argument("--health", default="http://127.0.0.1:8080/q/health/live", help="liveness URL asked during the hold; empty: none")
parser.add_argument("--log", required=True)
args = parser.parse_args()

RUN = "pressure%d" % int(time.time())
LINE = b"x" * 996 + b"\r\n"  # 998 octets and CRLF: the longest line RFC 5321 allows
log = open(args.log, "a", buffering=1)
log_lock = threading.Lock()
failures = []


def read_reply(sock_file):
    """The last line of a (multi-line) reply, as text."""
    while True:
        line = sock_file.readline()
        if not line:
            raise ConnectionError("closed by the server")
        if line[3:4] != b"-":
            return line.decode(errors="replace").strip()


def open_transaction(harness_id, timeout):
    """A session up to the 354, the message's header sent; returns (socket, its reader, seconds to the greeting)."""
    started = time.time()
    sock = socket.create_connection((args.host, args.port), timeout=timeout)
    reader = sock.makefile("rb")
    read_reply(reader)
    greeted = time.time() - started
    for command in (b"EHLO pressure.example", b"MAIL FROM:<%s>" % args.sender.encode(), b"RCPT TO:<%s>" % args.to.encode(), b"DATA"):
        sock.sendall(command + b"\r\n")
        reply = read_reply(reader)
        if not reply.startswith(("250", "354")):
            raise ConnectionError("%s: %s" % (command.decode(), reply))
    sock.sendall(b"X-Harness-Id: %s\r\nSubject: pressure %s\r\n\r\n" % (harness_id.encode(), harness_id.encode()))
    return sock, reader, greeted


def end_message(sock, reader, harness_id, timeout):
    """Sends the end of data; the reply code, and the 250 logged."""
    sock.settimeout(timeout)
    sock.sendall(b".\r\n")
    reply = read_reply(reader)
    code = int(reply[:3])
    if code == 250:
        with log_lock:
            log.write("%s %s %s\n" % (harness_id, reply.split()[-1], args.to))
    elif code // 100 != 4:
        failures.append("%s: %s" % (harness_id, reply))
    return code


class LargeSession(threading.Thread):
    """Pushes --mib MiB into DATA, then holds the connection: paused by the server, or read and dropped."""

    def __init__(self, number):
        super().__init__(daemon=True)
        self.harness_id = "%s-large-%d" % (RUN, number)
        self.sock = self.reader = None
        self.sent = 0
        self.error = None

    def run(self):
        try:
            self.sock, self.reader, _ = open_transaction(self.harness_id, 120)
            self.sock.settimeout(None)
            block = LINE * 64
            while self.sent < args.mib * 1024 * 1024:
                self.sock.sendall(block)
                self.sent += len(block)
        except OSError as e:
            self.error = "%s: %s" % (type(e).__name__, e)


def probe(results):
    """A newcomer with a small message: seconds to its greeting, to its answer, and the answer's code."""
    harness_id = "%s-probe-%d" % (RUN, len(results))
    started = time.time()
    try:
        sock, reader, greeted = open_transaction(harness_id, args.answer_within)
        sock.sendall(b"a small message\r\n")
        code = end_message(sock, reader, harness_id, args.answer_within)
        sock.close()
        results.append((greeted, time.time() - started, code))
    except OSError as e:
        failures.append("probe %s: %s: %s" % (harness_id, type(e).__name__, e))
        results.append((time.time() - started, time.time() - started, 0))


def live_seconds():
    started = time.time()
    try:
        urllib.request.urlopen(args.health, timeout=10).read()
    except OSError as e:
        failures.append("liveness: %s" % e)
    return time.time() - started


def cpu_seconds(pid):
    if not pid:
        return 0.0
    with open("/proc/%d/stat" % pid) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0  # utime + stime, in clock ticks


# 1. the large sessions, and newcomers while they hold
large = [LargeSession(n) for n in range(args.sessions)]
for session in large:
    session.start()
probes, live = [], []
hold_started = time.time()
for n in range(args.probes):
    time.sleep(args.hold / (args.probes + 1))
    if args.health:
        live.append(live_seconds())
    probe(probes)
time.sleep(max(0.0, hold_started + args.hold - time.time()))
held_mib = sum(s.sent for s in large) / 1048576

# 2. some large messages end: each gets 250 or a 4xx
finished = collections.Counter()
finish_by = time.time() + 180
for session in large[:args.finish]:
    session.join(max(0.0, finish_by - time.time()))
    if session.is_alive() or session.error or session.sock is None:
        failures.append("large %s could not send its message: %s" % (session.harness_id, session.error or "still sending"))
        continue
    try:
        finished[end_message(session.sock, session.reader, session.harness_id, max(1.0, finish_by - time.time()))] += 1
    except OSError as e:
        failures.append("large %s: %s: %s" % (session.harness_id, type(e).__name__, e))
for session in large:
    if session.sock:
        session.sock.close()

# 3. lines that never end, one octet per segment: the ingress's CPU per octet
trickle = []
for n in range(args.trickle_sessions if not failures else 0):
    sock, _, _ = open_transaction("%s-trickle-%d" % (RUN, n), 30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    trickle.append(sock)
octets = 0
cpu_before = cpu_seconds(args.ingress_pid)
trickle_started = time.time()
while time.time() - trickle_started < args.trickle_seconds:
    for sock in trickle:
        sock.send(b"y")
        octets += 1
    time.sleep(0.0005)
cpu_used = cpu_seconds(args.ingress_pid) - cpu_before
for sock in trickle:
    sock.close()

greet_max = max(p[0] for p in probes) if probes else 0
answer_max = max(p[1] for p in probes) if probes else 0
if greet_max > args.greet_within:
    failures.append("a newcomer waited %.1f s for its greeting" % greet_max)
if answer_max > args.answer_within:
    failures.append("a newcomer waited %.1f s for the answer to its message" % answer_max)
print("large_sessions=%d held_mib=%.0f probes=%s greet_max_s=%.2f answer_max_s=%.2f live_max_s=%.2f finished=%s "
      "trickle_octets=%d trickle_cpu_s=%.2f cpu_us_per_octet=%.1f"
      % (args.sessions, held_mib, [p[2] for p in probes], greet_max, answer_max, max(live) if live else 0,
         dict(finished), octets, cpu_used, 1e6 * cpu_used / max(1, octets)))
for failure in failures:
    print("FAILED: " + failure)
raise SystemExit(1 if failures else 0)
