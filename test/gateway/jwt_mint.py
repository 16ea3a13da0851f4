#!/usr/bin/env python3
"""Mint JWTs for test/gateway/protocol (python3 stdlib + the openssl CLI).

  jwt_mint.py hs256 SECRET CLAIMS_JSON [HEADER_JSON]
  jwt_mint.py eddsa KEY.pem CLAIMS_JSON [HEADER_JSON]
  jwt_mint.py none CLAIMS_JSON
  jwt_mint.py jwk KEY.pem           -> the public key as an OKP JWK

CLAIMS_JSON may use "@now+N" / "@now-N" string values for times relative to
the current clock, e.g. {"exp": "@now+60"}.
"""
import base64
import hashlib
import hmac
import json
import re
import subprocess
import sys
import tempfile
import time


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_from(text):
    now = int(time.time())

    def fix(v):
        if isinstance(v, str):
            m = re.fullmatch(r"@now([+-]\d+)?", v)
            if m:
                return now + int(m.group(1) or 0)
        if isinstance(v, dict):
            return {k: fix(x) for k, x in v.items()}
        if isinstance(v, list):
            return [fix(x) for x in v]
        return v

    return fix(json.loads(text))


def token(header, claims, sign):
    signing_input = (b64(json.dumps(header, separators=(",", ":")).encode()) + "." +
                     b64(json.dumps(claims, separators=(",", ":")).encode()))
    return signing_input + "." + b64(sign(signing_input.encode()))


def ed25519_sign(key, msg):
    # pkeyutl -rawin (one-shot Ed25519) needs a file it can size, not a pipe
    with tempfile.NamedTemporaryFile() as f:
        f.write(msg)
        f.flush()
        return subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", key, "-in", f.name],
                              capture_output=True, check=True).stdout


def main(argv):
    kind = argv[1]
    if kind == "jwk":
        der = subprocess.run(["openssl", "pkey", "-in", argv[2], "-pubout", "-outform", "DER"],
                             capture_output=True, check=True).stdout
        print(json.dumps({"kty": "OKP", "crv": "Ed25519", "x": b64(der[-32:])}))
        return
    if kind == "none":
        claims = claims_from(argv[2])
        print(token({"alg": "none", "typ": "JWT"}, claims, lambda m: b""))
        return
    claims = claims_from(argv[3])
    if kind == "hs256":
        header = json.loads(argv[4]) if len(argv) > 4 else {"alg": "HS256", "typ": "JWT"}
        print(token(header, claims,
                    lambda m: hmac.new(argv[2].encode(), m, hashlib.sha256).digest()))
    elif kind == "eddsa":
        header = json.loads(argv[4]) if len(argv) > 4 else {"alg": "EdDSA", "typ": "JWT"}
        print(token(header, claims, lambda m: ed25519_sign(argv[2], m)))
    else:
        sys.exit("unknown kind " + kind)


if __name__ == "__main__":
    main(sys.argv)
