#!/usr/bin/env python3
"""A webhook receiver for scripts/demo: checks each delivery's Standard
Webhooks signature with Python's own hmac (an implementation independent of
the daemon's C), answers 204 when it verifies and 401 when not, and appends
one line per delivery to LOG: webhook-id, type, release_id, verified.

usage: webhook_receiver.py PORT SECRET_FILE LOG
"""
import base64
import hashlib
import hmac
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

port, secret_file, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def verified(headers, body):
    try:
        secret = open(secret_file).read().strip()
    except OSError:
        return False
    key = base64.b64decode(secret[len("whsec_"):] if secret.startswith("whsec_") else secret)
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(s.split(",", 1)[-1], expected)
               for s in headers.get("webhook-signature", "").split())


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        ok = verified(self.headers, body)
        event = json.loads(body)
        with open(log, "a") as f:
            f.write("%s %-18s %-14s %s\n" % (self.headers["webhook-id"], event["type"],
                                             event["data"].get("release_id", ""),
                                             "signature verified" if ok else "SIGNATURE DOES NOT VERIFY"))
        self.send_response(204 if ok else 401)
        self.end_headers()

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", port), Receiver).serve_forever()
