#!/usr/bin/env python3
"""Runs SPF checks with pyspf (Debian's python3-spf), the independent
implementation SpfInteropTest checks ours against, with every DNS query sent
to the test's own DNS server.

pyspf 2.0.14 queries through dnspython's module-level dns.resolver.query(),
which asks the default resolver: that resolver is replaced here by one that
knows only the test's server (no /etc/resolv.conf, no search list, no cache,
so every case sees the zone as it is).

Reads one JSON object on stdin:
  {"server": "127.0.0.1", "port": 5353, "querytime": 4,
   "cases": [{"ip": "192.0.2.1", "sender": "alice@example.test", "helo": "mail.example.test"}, ...]}
and writes a JSON list with one {"result": ..., "explanation": ...} per case on stdout.
"sender" "" is the null reverse-path: pyspf then checks postmaster@helo.
"""
import json
import sys

import dns.resolver
import spf


def use_server(server, port):
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [server]
    resolver.port = port
    resolver.timeout = 1
    resolver.cache = None
    dns.resolver.default_resolver = resolver


def run(case, querytime):
    result, explanation = spf.check2(i=case["ip"], s=case["sender"], h=case["helo"], querytime=querytime)
    return {"result": result, "explanation": explanation}


if __name__ == "__main__":
    job = json.load(sys.stdin)
    use_server(job["server"], job["port"])
    json.dump([run(case, job["querytime"]) for case in job["cases"]], sys.stdout)
