#!/usr/bin/env python3
"""The POP3 load client of the benchmarks: several sessions at once, one per
maildrop (a maildrop takes one session at a time), each logging in with
USER/PASS and retrieving its messages with RETR, in order, PASSES times over,
then QUIT without deleting anything. Every response is checked: it must be
+OK, end with the CRLF.CRLF terminator and carry as many octets as the +OK
line announced (once un-stuffed), so a server cannot win by sending less.

Prints one line: messages, octets (as announced by +OK, summed), seconds from
the moment every session is logged in until the last QUIT, msg/s and MB/s.

  pop3load.py --port 1110 --users bench1@example.test,... --password pw --messages 2000 --passes 3
"""
import argparse
import multiprocessing
import socket
import sys
import time

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--users", required=True, help="comma-separated accounts, one session each")
parser.add_argument("--password", required=True)
parser.add_argument("--messages", type=int, required=True, help="messages in each maildrop")
parser.add_argument("--passes", type=int, default=1, help="times each session retrieves its whole maildrop")
parser.add_argument("--window", type=int, default=1,
                    help="RETRs in flight per session (RFC 2449 PIPELINING); 1 is a client that waits for each answer")
args = parser.parse_args()

TERMINATOR = b"\r\n.\r\n"


class Session:
    def __init__(self, user):
        self.sock = socket.create_connection((args.host, args.port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = bytearray()
        self.expect_ok(self.line())
        self.sock.sendall(b"USER %s\r\nPASS %s\r\nSTAT\r\n" % (user.encode(), args.password.encode()))
        self.expect_ok(self.line())
        self.expect_ok(self.line())
        stat = self.line()
        self.expect_ok(stat)
        if int(stat.split()[1]) != args.messages:
            sys.exit("%s: expected %d messages, STAT said %r" % (user, args.messages, stat))

    def fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            sys.exit("the server closed the connection")
        self.buffer += chunk

    def line(self):
        while (end := self.buffer.find(b"\r\n")) < 0:
            self.fill()
        line = bytes(self.buffer[:end])
        del self.buffer[:end + 2]
        return line

    @staticmethod
    def expect_ok(line):
        if not line.startswith(b"+OK"):
            sys.exit("expected +OK, got %r" % line)

    def message(self):
        """One RETR response; returns the octets its +OK line announced, after checking them."""
        status = self.line()
        self.expect_ok(status)
        announced = int(status.split()[1])
        start = 0
        while (end := self.buffer.find(TERMINATOR, start)) < 0:
            start = max(0, len(self.buffer) - len(TERMINATOR))
            self.fill()
        # a line that starts with a dot went out with one more (RFC 1939 byte-stuffing): not an octet of the message
        length = end + 2
        stuffed = self.buffer.count(b"\r\n.", 0, length) + (1 if self.buffer.startswith(b".") else 0)
        del self.buffer[:end + len(TERMINATOR)]
        if length - stuffed != announced:
            sys.exit("RETR announced %d octets and sent %d" % (announced, length - stuffed))
        return announced

    def retrieve_all(self):
        total = args.messages * args.passes
        sent = received = octets = 0
        while received < total:
            batch = []
            while sent < total and sent - received < args.window:
                batch.append(b"RETR %d\r\n" % (sent % args.messages + 1))
                sent += 1
            if batch:
                self.sock.sendall(b"".join(batch))
            octets += self.message()
            received += 1
        return received, octets

    def quit(self):
        self.sock.sendall(b"QUIT\r\n")
        self.expect_ok(self.line())
        self.sock.close()


def run(user, ready, go, results):
    session = Session(user)
    ready.release()
    go.wait()
    messages, octets = session.retrieve_all()
    session.quit()
    results.put((messages, octets, time.perf_counter()))


if __name__ == "__main__":
    users = args.users.split(",")
    ready = multiprocessing.Semaphore(0)
    go = multiprocessing.Event()
    results = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=run, args=(user, ready, go, results)) for user in users]
    for worker in workers:
        worker.start()
    for _ in users:
        if not ready.acquire(timeout=120):
            sys.exit("not every session logged in")
    start = time.perf_counter()
    go.set()
    done = [results.get(timeout=600) for _ in users]
    for worker in workers:
        worker.join()
    if any(worker.exitcode != 0 for worker in workers):
        sys.exit("a session failed")
    seconds = max(end for _, _, end in done) - start
    messages = sum(m for m, _, _ in done)
    octets = sum(o for _, o, _ in done)
    print("messages=%d octets=%d seconds=%.3f msg_per_s=%.1f mb_per_s=%.1f"
          % (messages, octets, seconds, messages / seconds, octets / seconds / 1e6))
