"""A real-client round trip: Python's smtplib sends, poplib retrieves.

Usage: roundtrip.py HOST SMTP_PORT POP3_PORT ADDRESS PASSWORD [APOP_SECRET]
Exits 0 when the retrieved message equals the sent one (after the Received
lines the gateway prepends), 1 otherwise, saying why. With APOP_SECRET, the
account's APOP secret, it then logs in once more with APOP.
"""
import poplib
import smtplib
import sys
import time

host, smtp_port, pop3_port, address, password = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
apop_secret = sys.argv[6] if len(sys.argv) > 6 else None

message = (
    b"From: <dave@example.org>\r\n"
    b"To: <" + address.encode() + b">\r\n"
    b"Subject: smtplib to poplib\r\n"
    b"\r\n"
    b".\r\n"
    b".a line that starts with a dot\r\n"
    b"\xc3\xa9 eight-bit text\r\n"
)

with smtplib.SMTP(host, smtp_port) as smtp:
    smtp.ehlo("python.example")
    refused = smtp.sendmail("dave@example.org", [address], message, mail_options=["BODY=8BITMIME"])
    if refused:
        sys.exit("refused: %r" % refused)

deadline = time.time() + 60
while True:
    pop = poplib.POP3(host, pop3_port)
    pop.user(address)
    pop.pass_(password)
    count, _ = pop.stat()
    if count:
        # TOP 1 0 (RFC 1939 section 7): the header section and the empty line after it
        _, top, _ = pop.top(1, 0)
        if b"Subject: smtplib to poplib" not in top or top[-1] != b"":
            sys.exit("TOP 1 0 gave %r" % top)
        _, lines, octets = pop.retr(1)
        pop.dele(1)
        pop.quit()
        break
    pop.quit()
    if time.time() > deadline:
        sys.exit("no message for %s after 60 s" % address)
    time.sleep(0.25)

retrieved = b"\r\n".join(lines) + b"\r\n"
body = retrieved[retrieved.index(b"From: <dave@example.org>"):]
if body != message:
    sys.exit("retrieved bytes differ:\n%r\n%r" % (body, message))
if octets != len(retrieved):
    sys.exit("RETR said %d octets, sent %d" % (octets, len(retrieved)))
if apop_secret is not None:
    # poplib takes the timestamp from the greeting and sends MD5(timestamp + secret)
    pop = poplib.POP3(host, pop3_port)
    pop.apop(address, apop_secret)
    count, _ = pop.stat()
    pop.quit()
    if count != 0:
        sys.exit("APOP login saw %d messages, the one retrieved was deleted" % count)
print("ok: %d octets round-tripped through smtplib and poplib%s" % (len(retrieved), ", APOP login ok" if apop_secret else ""))
