#!/usr/bin/env python3
"""Signs and verifies with dkimpy (Debian's python3-dkim), the independent
implementation DkimInteropTest checks ours against. No DNS: key records come
with each job and are served through dkimpy's dnsfunc hook.

Reads one JSON object {"jobs": [...]} on stdin and writes a JSON list with one
answer per job on stdout. Binary values (messages, signature fields) travel
as base64, so 8-bit octets arrive unchanged.

  {"op": "sign", "message", "domain", "selector", "algorithm", "canon", "key", "length"}
      -> {"field": base64 of the DKIM-Signature field}
      key: PEM (rsa-sha256) or the base64 of the 32-octet seed (ed25519-sha256);
      length: true to add l=
  {"op": "verify", "message", "records": {"sel._domainkey.example.test": "v=DKIM1; ..."}}
      -> {"pass": bool, "error": text or null}; the topmost signature is verified, or with
      "index": n the n-th from the top (0 the topmost)
"""
import base64
import json
import sys

import dkim


def dns_from(records):
    def dnsfunc(name, timeout=5):
        key = name.decode("ascii").rstrip(".")
        txt = records.get(key)
        return None if txt is None else txt.encode("ascii")
    return dnsfunc


def run(job):
    message = base64.b64decode(job["message"])
    if job["op"] == "sign":
        field = dkim.sign(message, job["selector"].encode(), job["domain"].encode(),
                          job["key"].encode(), canonicalize=tuple(c.encode() for c in job["canon"].split("/")),
                          signature_algorithm=job["algorithm"].encode(), length=job.get("length", False))
        return {"field": base64.b64encode(field).decode()}
    if job["op"] == "verify":
        verifier = dkim.DKIM(message, minkey=1024)
        try:
            return {"pass": bool(verifier.verify(idx=job.get("index", 0), dnsfunc=dns_from(job["records"]))), "error": None}
        except dkim.DKIMException as e:
            return {"pass": False, "error": str(e)}
    raise ValueError("unknown op " + job["op"])


if __name__ == "__main__":
    jobs = json.load(sys.stdin)["jobs"]
    json.dump([run(job) for job in jobs], sys.stdout)
