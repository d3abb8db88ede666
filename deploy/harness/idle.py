#!/usr/bin/env python3
"""Opens N SMTP sessions to one server at once, without blocking on any of
them, and counts those greeted with 220 within a window; holds them all open
for a while, then closes them. A server that handles one session per process
greets as many as it has processes; the others wait in its listen queue.

  idle.py --port 2525 --sessions 10000 [--window 60] [--hold 10] [--ready FILE]
"""
import argparse
import selectors
import socket
import sys
import time

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--sessions", type=int, required=True)
parser.add_argument("--window", type=float, default=60, help="seconds to wait for the greetings")
parser.add_argument("--hold", type=float, default=10, help="seconds to hold the sessions once counted")
parser.add_argument("--ready", help="file to write the count of greeted sessions to, once counted")
args = parser.parse_args()

selector = selectors.DefaultSelector()
sockets = []
for _ in range(args.sessions):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    s.connect_ex((args.host, args.port))
    sockets.append(s)
    selector.register(s, selectors.EVENT_READ)

greeted = 0
answered = 0
deadline = time.time() + args.window
while answered < len(sockets) and time.time() < deadline:
    for key, _ in selector.select(timeout=max(0.0, deadline - time.time())):
        try:
            first = key.fileobj.recv(512)
        except BlockingIOError:
            continue
        except OSError:
            first = b""
        selector.unregister(key.fileobj)
        answered += 1
        greeted += first.startswith(b"220 ")

print("%d of %d sessions greeted with 220 within %g s and held open" % (greeted, args.sessions, args.window))
sys.stdout.flush()
if args.ready:
    with open(args.ready, "w") as f:
        f.write(str(greeted))
time.sleep(args.hold)
for s in sockets:
    s.close()
