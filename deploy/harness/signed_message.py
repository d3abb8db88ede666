#!/usr/bin/env python3
"""Writes one DKIM-signed message for the checks' benchmark, as a sender's
MTA would have signed it, with dkimpy (Debian's python3-dkim): relaxed/relaxed,
rsa-sha256, From, To, Subject, Date and Message-ID signed. Lines end in LF,
as smtp-source -F wants them (it sends each with CRLF, the bytes signed).

  signed_message.py KEY.pem DOMAIN SELECTOR SIZE OUT
"""
import sys

import dkim

key_file, domain, selector, size, out = sys.argv[1:6]
header = ("From: Bench <bench@%s>\r\nTo: <postmaster@example.test>\r\nSubject: checked on the way in\r\n"
          "Date: Sat, 05 Dec 2026 10:00:00 +0000\r\nMessage-ID: <bench@%s>\r\n\r\n" % (domain, domain))
line = "The quick brown fox jumps over the lazy dog, again and again and again.\r\n"
body = line * max(1, (int(size) - len(header)) // len(line))
message = (header + body).encode("ascii")
with open(key_file, "rb") as f:
    key = f.read()
field = dkim.sign(message, selector.encode(), domain.encode(), key, canonicalize=(b"relaxed", b"relaxed"),
                  include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
with open(out, "wb") as f:
    f.write((field + message).replace(b"\r\n", b"\n"))
