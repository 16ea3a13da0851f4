#!/usr/bin/env python3
"""The hostile-input corpus of test/hostile/run: expands the case files of
this directory, runs every case, and prints one "ok"/"not ok" line per group
of cases (entry point) with the failing cases under it.

  hostile.py --db DB --vars FILE --verify BIN --gw URL --gw-admin URL --secret S

SQL cases run in one psql session (PGHOST/PGPORT/PGUSER, a superuser), each
statement on its own, autocommitted; the answer of each is psql's SQLSTATE.
HTTP cases go to two bigpicture-gateway instances (one whose login may also
become bigpicture_admin).  Client cases feed forged tokens to the
bigpicture-verify CLI.  A case passes when it fails the way its expectation
says and with a client-class error: SQLSTATE class 22, 23, 42, P0, 28, 25006
or PTxxx; HTTP 4xx (not found is PT404, so 404).  Successes, other errors, crashes and hangs fail.
The last line is "cases: N passed, N failed".  For development: --only sql|http|client
runs one part; HOSTILE_DUMP=FILE writes every case and its answer to FILE.
"""
import argparse
import base64
import concurrent.futures
import http.client
import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.dont_write_bytecode = True   # importing test/gateway/jwt_mint.py leaves no __pycache__
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# Who a SQL case runs as: the session user it becomes with SET SESSION
# AUTHORIZATION (as if it had logged in; None: the test's superuser), and the
# role it then SETs, if any.  The gw_* callers are sessions of the gateway's
# login role, the only ones whose request.jwt.claims are believed.
ROLES = {
    "super": (None, None), "admin": ("bp_hostile_admin", None), "publisher": ("bp_hostile_publisher", None),
    "approver": ("bp_hostile_approver", None), "auditor": ("bp_hostile_auditor", None),
    "tadmin_a": ("bp_hostile_tadmin_a", None), "client_a": ("bp_hostile_client_a", None),
    "mirror_a": ("bp_hostile_mirror_a", None), "client_nt": ("bp_hostile_client_nt", None),
    "shared_client": ("bigpicture_client", None), "anon": ("bigpicture_anon", None),
    "nobody": ("bp_hostile_nobody", None), "gw_login": ("bp_hostile_gw", None),
    "gw_client": ("bp_hostile_gw", "bigpicture_client"), "gw_tadmin": ("bp_hostile_gw", "bigpicture_tenant_admin"),
    "gw_mirror": ("bp_hostile_gw", "bigpicture_mirror"),
}

CLIENT_SQLSTATE = re.compile(r"^(22|23|42|P0|28)[0-9A-Z]{3}$|^25006$|^PT[0-9A-Z]{3}$")


def sql_lit(s):
    if "\0" in s:
        raise ValueError("NUL in an SQL literal")
    return "'" + s.replace("'", "''") + "'"


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64e(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


# ---- fixtures and hostile strings -----------------------------------------------------------

def load_vars(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if "\t" in line:
                k, v = line.split("\t", 1)
                out[k] = v
    return out


def load_strings():
    out = []
    for e in json.load(open(os.path.join(HERE, "strings.json"), encoding="utf-8")):
        t = e["text"]
        if t is None:
            out.append((e["name"], "NULL::text", None))
        elif isinstance(t, dict):
            out.append((e["name"], "repeat(%s, %d)" % (sql_lit(t["repeat"]), t["times"]), t["repeat"] * t["times"]))
        else:
            out.append((e["name"], "%s::text" % sql_lit(t), t))
    return out


def with_vars(text, V):
    return re.sub(r"@(\w+)", lambda m: V.get(m.group(1), m.group(0)), text)


def forge(spec, V):
    """A fixture token altered as <<tok:NAME|op=arg|...>> says."""
    name, *ops = spec.split("|")
    tok = V[name]
    for op in ops:
        key, _, arg = op.partition("=")
        prefix = "v4.public."
        assert tok.startswith(prefix), tok[:20]
        parts = tok[len(prefix):].split(".")
        body, footer = parts[0], (parts[1] if len(parts) > 1 else None)
        raw = b64d(body)
        msg, sig = raw[:-64], raw[-64:]
        if key == "payload":
            member, _, value = arg.partition(":")
            obj = json.loads(msg)
            obj[member] = json.loads(with_vars(value, V))
            body = b64e(json.dumps(obj).encode() + sig)
        elif key == "flipsig":
            body = b64e(msg + sig[:-1] + bytes([sig[-1] ^ 1]))
        elif key == "flipbody":
            i = len(msg) // 2
            body = b64e(msg[:i] + bytes([msg[i] ^ 0x01]) + msg[i + 1:] + sig)
        elif key == "nofooter":
            footer = None
        elif key == "footer":
            footer = b64e(with_vars(arg, V).encode())
        elif key == "rawfooter":
            footer = b64e(bytes.fromhex(arg))
        elif key == "deepfooter":
            footer = b64e(b"[" * int(arg) + b"]" * int(arg))
        elif key == "bigfooter":
            footer = b64e(b'{"kid":"' + b"A" * int(arg) + b'"}')
        elif key == "truncate":
            tok = tok[:int(arg)]
            continue
        elif key == "append":
            tok = tok + arg
            continue
        elif key == "prefix":
            tok = arg + tok[len(prefix):]
            continue
        else:
            raise ValueError("unknown token operation " + key)
        tok = prefix + body + ("." + footer if footer is not None else "")
    return tok


class Signer:
    """An Ed25519 key of the test's own (openssl), to sign PASETO v4.public
    tokens the server never made: well-signed, hostile content."""

    def __init__(self, directory):
        self.key = os.path.join(directory, "ed25519.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", self.key], check=True, capture_output=True)
        der = subprocess.run(["openssl", "pkey", "-in", self.key, "-pubout", "-outform", "DER"],
                             check=True, capture_output=True).stdout
        self.public = "k4.public." + b64e(der[-32:])
        self.jwt_mint = load_jwt_mint()

    def sign(self, payload, footer=b""):
        le64 = lambda n: n.to_bytes(8, "little")
        pieces = [b"v4.public.", payload, footer, b""]
        pae = le64(len(pieces)) + b"".join(le64(len(x)) + x for x in pieces)
        sig = self.jwt_mint.ed25519_sign(self.key, pae)
        return "v4.public." + b64e(payload + sig) + ("." + b64e(footer) if footer else "")


SIGNER = None


def self_signed(spec, V):
    """<<signed:text=JSON|footer=JSON>>, hex=HEX or deep=N for the payload."""
    payload, footer = b"", b""
    for part in spec.split("|"):
        key, _, arg = part.partition("=")
        if key == "text":
            payload = with_vars(arg, V).encode()
        elif key == "hex":
            payload = bytes.fromhex(arg)
        elif key == "deep":
            payload = b"[" * int(arg) + b"]" * int(arg)
        elif key == "footer":
            footer = with_vars(arg, V).encode()
        else:
            raise ValueError("unknown signing option " + key)
    return SIGNER.sign(payload, footer)


def expand_macros(sql, V):
    sql = re.sub(r"<<signed:(.*?)>>", lambda m: sql_lit(self_signed(m.group(1), V)), sql)
    sql = re.sub(r"<<tok:(.*?)>>", lambda m: sql_lit(forge(m.group(1), V)), sql)
    return re.sub(r"\{\{(\w+)\}\}", lambda m: sql_lit(V[m.group(1)]), sql)


def read_tsv(name):
    rows = []
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            rows.append((n, line.split("\t")))
    return rows


# ---- SQL cases --------------------------------------------------------------------------------

class Case:
    def __init__(self, kind, entry, name, expect, **kw):
        self.kind, self.entry, self.name, self.expect = kind, entry, name, expect
        self.__dict__.update(kw)
        self.got = None          # SQLSTATE, HTTP "status code", or exit status
        self.detail = ""
        self.ok = False
        self.note = None


def sql_cases(V, strings, catalog):
    cases = []
    for n, cols in read_tsv("sql_inject.tsv"):
        if len(cols) != 5:
            sys.exit("sql_inject.tsv:%d: want 5 tab-separated columns" % n)
        entry, who, expect, skip, template = cols
        skip = set(skip.split(",")) - {"-"}
        template = expand_macros(template, V)
        for sname, sexpr, _ in strings:
            if sname in skip:
                continue
            sql = template.replace("{J}", "COALESCE(to_jsonb(%s), 'null'::jsonb)" % sexpr).replace("{X}", sexpr)
            cases.append(Case("sql", entry, "line %d × %s" % (n, sname), expect.split("|"), who=who, sql=sql))
    # Every function of the extension, called by every kind of caller that
    # may not call it: 42501 before any argument is looked at.
    for f in catalog["functions"]:
        for who in f["denied"]:
            # (SELECT NULL): a constant NULL would let the planner fold a
            # STRICT function away before the privilege check.
            args = ", ".join("(SELECT NULL::%s)" % t for t in f["argtypes"])
            entry = f["name"] if f["schema"] == "bigpicture" else "%s.%s" % (f["schema"], f["name"])
            cases.append(Case("sql", entry, "no EXECUTE or USAGE: %s" % entry, ["42501"], who=who,
                              sql="SELECT %s.%s(%s)" % (f["schema"], f["name"], args), group="privileges"))
    # The hand-written cases last: those that expose a bug by succeeding write,
    # and they are placed so that their writes touch nothing else.
    for n, cols in read_tsv("sql_cases.tsv"):
        if len(cols) != 5:
            sys.exit("sql_cases.tsv:%d: want 5 tab-separated columns" % n)
        cid, entry, who, expect, sql = cols
        cases.append(Case("sql", entry, cid, expect.split("|"), who=who, sql=expand_macros(sql, V)))
    return cases


def session_prefix(who):
    role, _, mods = who.partition("+")
    if role not in ROLES:
        raise ValueError("unknown caller " + who)
    out = ["RESET ROLE;", "RESET SESSION AUTHORIZATION;", "SET request.jwt.claims = '';",
           "SET default_transaction_read_only = off;"]
    user, setrole = ROLES[role]
    if user:
        out.append("SET SESSION AUTHORIZATION %s;" % user)
    if setrole:
        out.append("SET ROLE %s;" % setrole)
    for mod in ([mods] if mods else []):
        if mod.startswith("claims="):
            out.append("SET request.jwt.claims = %s;" % sql_lit(mod[len("claims="):]))
        elif mod == "ro":
            out.append("SET default_transaction_read_only = on;")
        else:
            raise ValueError("unknown modifier " + mod)
    return "\n".join(out)


PSQL_SETUP = """\\set VERBOSITY sqlstate
\\set SHOW_CONTEXT never
SET client_min_messages = error;
SET statement_timeout = '10s';
SET log_min_messages = fatal;
SET log_min_error_statement = panic;
"""


def run_psql(db, script, timeout):
    p = subprocess.run(["psql", "-X", "-q", "-d", db, "-o", "/dev/null"], input=script.encode("utf-8"),
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout)
    return p.stderr.decode("utf-8", "replace")


def run_sql(db, cases, deadline):
    parts = [PSQL_SETUP]
    for i, c in enumerate(cases):
        parts.append("%s\n%s;\n\\warn @@ %d :SQLSTATE\n" % (session_prefix(c.who), c.sql, i))
    try:
        err = run_psql(db, "".join(parts), max(10, deadline - time.time()))
    except subprocess.TimeoutExpired:
        err = ""
        for c in cases:
            c.detail = "psql timed out"
    for m in re.finditer(r"^@@ (\d+) (\S*)$", err, re.M):
        cases[int(m.group(1))].got = m.group(2)
    # The messages of unexpected answers, for the report: run those again alone.
    reruns = 0
    for c in cases:
        if c.got is None:
            c.detail = c.detail or "no answer: the session ended (server crash?)"
            continue
        judge_sql(c)
        if not c.ok and c.got != "00000" and reruns < 100:
            reruns += 1
            try:
                e = run_psql(db, "\\set VERBOSITY default\nSET statement_timeout = '10s';\n"
                             "SET log_min_messages = fatal;\n%s\n%s;\n" % (session_prefix(c.who), c.sql), 30)
                c.detail = " ".join(l for l in e.splitlines() if not l.startswith(("LINE", " ")))[:400]
            except subprocess.TimeoutExpired:
                c.detail = "timed out again"


def matches(got, expect):
    return any(got == e or (e.endswith("*") and got.startswith(e[:-1])) for e in expect)


def judge_sql(c):
    if c.got == "00000":
        c.detail = "succeeded: expected an error"
    elif not CLIENT_SQLSTATE.match(c.got or ""):
        c.detail = "not a client error"
    elif not matches(c.got, c.expect):
        c.detail = "expected %s" % "|".join(c.expect)
    else:
        c.ok = True


# ---- HTTP cases ------------------------------------------------------------------------------

def load_jwt_mint():
    spec = importlib.util.spec_from_file_location("jwt_mint", os.path.join(ROOT, "test", "gateway", "jwt_mint.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def mint_tokens(spec, secret):
    jm = load_jwt_mint()
    import hashlib
    import hmac
    out = {}
    for name, t in spec.items():
        if "raw" in t:
            out[name] = t["raw"]
            continue
        claims = jm.claims_from(json.dumps(t.get("claims", {})))
        for k, v in t.get("big_claims", {}).items():
            claims[k] = v["repeat"] * v["times"]
        alg = t.get("alg", "HS256")
        header = t.get("header", {"alg": alg, "typ": "JWT"})
        key = t.get("secret", secret).encode()
        if alg == "none":
            sign = lambda m: b""
        else:
            sign = lambda m, key=key: hmac.new(key, m, hashlib.sha256).digest()
        tok = jm.token(header, claims, sign)
        if t.get("mangle") == "flipsig":
            tok = tok[:-2] + ("A" if tok[-2] != "A" else "B") + tok[-1]
        elif t.get("mangle") == "drop_sig":
            tok = tok.rsplit(".", 1)[0]
        elif t.get("mangle") == "four_parts":
            tok = tok + ".x"
        out[name] = tok
    return out


def set_path(obj, path, value):
    keys = [int(k) if k.isdigit() else k for k in path.split(".")]
    cur = obj
    for k in keys[:-1]:
        cur = cur[k]
    cur[keys[-1]] = value


def http_cases(spec, strings, catalog):
    cases = []
    for c in spec["cases"]:
        cases.append(Case("http", c.get("entry") or c["path"], c["name"], c["expect"], req=c))
    # Every route, with bodies that no entry point accepts, as a caller that may call it.
    for route, who in spec["routes"].items():
        gw = "gw_admin" if who in ("admin",) else "gw"
        for g in spec["generic"]:
            if route in g.get("skip", []):
                continue
            req = dict(g, gateway=gw, token=who, path="/rpc/" + route)
            req.setdefault("method", "POST")
            cases.append(Case("http", route, "%s as %s" % (g["name"], who), g["expect"], req=req))
    # Every route as every caller that may not call it.
    for f in catalog["routes"]:
        for gw, denied in (("gw", f["denied_gw"]), ("gw_admin", f["denied_gw_admin"])):
            for who in denied:
                req = {"gateway": gw, "token": who, "path": "/rpc/" + f["name"], "method": "POST", "json": {}}
                want = ["401"] if who == "anon" else ["403"]
                cases.append(Case("http", f["name"], "no privilege via %s" % gw, want, req=req,
                                  group="privileges"))
    # Every string field of every route × every hostile string, by POST and,
    # for the reading entry points, by GET with the request as a query string.
    for inj in spec["inject"]:
        for field in inj["fields"]:
            for sname, _, value in strings:
                if sname in inj.get("skip", {}).get(field, []):
                    continue
                body = json.loads(json.dumps(inj["base"]))
                if field == "<key>":
                    body[value if value is not None else "null"] = 1
                else:
                    set_path(body, field, value)
                for method in (["POST", "GET"] if inj.get("get") else ["POST"]):
                    if method == "GET" and any(isinstance(v, (dict, list)) for v in body.values()):
                        continue
                    req = {"gateway": inj.get("gateway", "gw"), "token": inj["token"], "path": "/rpc/" + inj["route"],
                           "method": method, "json": body}
                    # A megabyte query string is too long a request line (414).
                    want = inj["expect"] + (["414"] if method == "GET" else [])
                    # An unknown key names no parameter: PostgREST's 404 for a
                    # route with named parameters (the jsonb routes say 22023).
                    if field == "<key>":
                        want = want + ["404:PGRST202"]
                    cases.append(Case("http", inj["route"], "%s %s × %s" % (method, field, sname), want, req=req))
    return cases


def expand(v):
    """A string, or {"head", "repeat", "times"} for long ones."""
    return v if isinstance(v, str) else v.get("head", "") + v["repeat"] * v["times"]


def encode_request(req, tokens, V):
    method = req.get("method", "POST")
    path = expand(req["path"])
    headers = {}
    if req.get("token"):
        t = req["token"]
        if t != "anon":
            headers["Authorization"] = "Bearer " + tokens[t]
    for k, v in req.get("headers", {}).items():
        headers[k] = expand(v)
    body = None
    if "raw_hex" in req:
        body = bytes.fromhex(req["raw_hex"])
    elif "raw" in req:
        body = with_vars(req["raw"], V).encode("utf-8")
    elif "raw_repeat" in req:
        r = req["raw_repeat"]
        body = (r.get("head", "") + r["text"] * r["times"] + expand(r.get("tail", ""))).encode()
    elif "json" in req:
        obj = json.loads(with_vars(json.dumps(req["json"]), V))
        if method in ("GET", "HEAD"):
            q = []
            for k, v in obj.items():
                q.append((k, "" if v is None else v if isinstance(v, str) else json.dumps(v)))
            if q:
                path += "?" + urllib.parse.urlencode(q)
        else:
            body = json.dumps(obj).encode("utf-8")
    if "query" in req:
        path += "?" + req["query"]
    if body is not None and "Content-Type" not in headers:
        headers["Content-Type"] = "application/json"
    return method, path, headers, body


def send(base, method, path, headers, body, timeout=20):
    """One request on its own connection; the status and the body."""
    u = urllib.parse.urlsplit(base)
    raw = "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n" % (method, path, u.netloc)
    for k, v in headers.items():
        raw += "%s: %s\r\n" % (k, v)
    data = raw.encode("utf-8", "surrogateescape")
    if body is not None:
        data += b"Content-Length: %d\r\n" % len(body)
    data += b"\r\n" + (body or b"")
    s = socket.create_connection((u.hostname, u.port), timeout=timeout)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass    # refused before the whole body was sent (413): its answer may be there to read
        resp = http.client.HTTPResponse(s, method=method)
        resp.begin()
        return resp.status, resp.read()
    finally:
        s.close()


def send_raw(base, data, timeout=20):
    u = urllib.parse.urlsplit(base)
    s = socket.create_connection((u.hostname, u.port), timeout=timeout)
    try:
        s.sendall(data)
        resp = http.client.HTTPResponse(s, method="GET")
        resp.begin()
        return resp.status, resp.read()
    finally:
        s.close()


def run_http(cases, gateways, tokens, V):
    def one(c):
        req = c.req
        base = gateways[req.get("gateway", "gw")]
        try:
            if "raw_request" in req:
                data = req["raw_request"].encode("latin-1").decode("unicode_escape").encode("latin-1")
                status, body = send_raw(base, data)
            else:
                method, path, headers, body = encode_request(req, tokens, V)
                status, body = send(base, method, path, headers, body)
        except (OSError, http.client.HTTPException) as e:
            c.got, c.detail = "no answer", "%s: %s" % (type(e).__name__, e)
            # Closing the connection is the HTTP library's answer to some
            # garbage; the run checks afterwards that the gateways still serve.
            c.ok = "close" in c.expect and isinstance(e, http.client.RemoteDisconnected)
            return
        code = None
        try:
            b = json.loads(body) if body else None
            if isinstance(b, dict):
                code = b.get("code")
        except ValueError:
            b = None
        c.got = "%d%s" % (status, ":" + code if code else "")
        c.detail = body[:300].decode("utf-8", "replace")
        judge_http(c, status, code)

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, cases))


def judge_http(c, status, code):
    def fits(e):
        s, _, want_code = e.partition(":")
        return str(status) == s and (not want_code or code == want_code)

    if 200 <= status < 300:
        c.detail = "succeeded: " + c.detail
    elif not 400 <= status < 500:
        c.detail = "not a client error: " + c.detail
    elif not any(fits(e) for e in c.expect):
        c.detail = "expected %s: %s" % ("|".join(c.expect), c.detail)
    else:
        c.ok = True


# ---- bigpicture-verify ---------------------------------------------------------------------

def client_cases(spec, V):
    cases = []
    for c in spec["client"]:
        t = c["token"]
        t = self_signed(t[len("signed:"):], V) if t.startswith("signed:") else forge(t, V) if "|" in t else V[t]
        cases.append(Case("client", "bigpicture-verify", c["name"], c.get("expect", ["10-27"]), token=t,
                          args=[with_vars(a, V) for a in c.get("args", [])]))
    return cases


def run_client(cases, verify, V):
    with tempfile.TemporaryDirectory() as d:
        ks = os.path.join(d, "keyset")
        open(ks, "w").write(V["keyset"])
        for i, c in enumerate(cases):
            tf = os.path.join(d, "t%d" % i)
            open(tf, "w").write(c.token)
            cmd = [verify, "--root", V["root_key"], "--keyset", "@" + ks] + c.args + ["@" + tf]
            try:
                p = subprocess.run(cmd, capture_output=True, timeout=20)
                c.got = str(p.returncode)
                c.detail = (p.stderr or p.stdout)[:200].decode("utf-8", "replace").strip()
            except subprocess.TimeoutExpired:
                c.got, c.detail = "timeout", "hung"
                continue
            lo, hi = (int(x) for x in c.expect[0].split("-"))
            rc = p.returncode
            if rc == 0:
                c.detail = "accepted: " + c.detail
            elif rc < 0 or rc >= 128:
                c.detail = "crashed (signal %d)" % -rc if rc < 0 else "exit %d" % rc
            elif not lo <= rc <= hi:
                c.detail = "exit %d, expected %s: %s" % (rc, c.expect[0], c.detail)
            else:
                c.ok = True


# ---- main ----------------------------------------------------------------------------------

CATALOG_SQL = r"""
WITH callers(who, role) AS (VALUES %s),
fns AS (
	SELECT p.oid, n.nspname, p.proname,
		   ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes::oid[]) t) AS argtypes
	FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
	WHERE n.nspname IN ('bigpicture', 'bigpicture_api') AND p.prokind = 'f'
	  AND p.prorettype <> 'trigger'::regtype
	  AND NOT p.proargtypes::oid[] && ARRAY['internal'::regtype, 'cstring'::regtype]::oid[])
SELECT json_build_object(
	'functions', (SELECT json_agg(json_build_object('schema', f.nspname, 'name', f.proname, 'argtypes', f.argtypes,
		'denied', (SELECT coalesce(json_agg(c.who ORDER BY c.who), '[]') FROM callers c
				   WHERE NOT (has_function_privilege(c.role, f.oid, 'EXECUTE')
							  AND has_schema_privilege(c.role, f.nspname, 'USAGE'))))
		ORDER BY f.nspname, f.proname, f.oid) FROM fns f),
	'routes', (SELECT json_agg(json_build_object('name', f.proname,
		'denied_gw', (SELECT coalesce(json_agg(r.who ORDER BY r.who), '[]') FROM (VALUES %s) r(who, role)
			WHERE NOT (r.who = 'anon' OR pg_has_role('bp_hostile_gw', r.role, 'MEMBER'))
			   OR NOT has_function_privilege(r.role, f.oid, 'EXECUTE')),
		'denied_gw_admin', (SELECT coalesce(json_agg(r.who ORDER BY r.who), '[]') FROM (VALUES %s) r(who, role)
			WHERE NOT (r.who = 'anon' OR pg_has_role('bp_hostile_gw_admin', r.role, 'MEMBER'))
			   OR NOT has_function_privilege(r.role, f.oid, 'EXECUTE'))) ORDER BY f.proname)
		FROM fns f WHERE f.nspname = 'bigpicture_api' AND f.argtypes = '{jsonb}' AND f.proname !~ '^_'))
"""

HTTP_ROLES = {"anon": "bigpicture_anon", "client_a": "bigpicture_client", "tadmin_a": "bigpicture_tenant_admin",
              "mirror_a": "bigpicture_mirror", "publisher": "bigpicture_publisher", "approver": "bigpicture_approver",
              "auditor": "bigpicture_auditor", "admin": "bigpicture_admin"}


def load_catalog(db):
    sql_callers = ", ".join("(%s, %s)" % (sql_lit(k), sql_lit(v[1] or v[0])) for k, v in ROLES.items()
                            if v[0] and (k == "gw_login" or not k.startswith("gw_")))
    http_callers = ", ".join("(%s, %s)" % (sql_lit(k), sql_lit(v)) for k, v in HTTP_ROLES.items())
    q = CATALOG_SQL % (sql_callers, http_callers, http_callers)
    out = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", q],
                         capture_output=True, check=True).stdout
    return json.loads(out)


def report(cases):
    groups = {}
    for c in cases:
        groups.setdefault((c.kind, c.entry), []).append(c)
    passed = failed = 0
    for (kind, entry), cs in sorted(groups.items()):
        bad = [c for c in cs if not c.ok]
        priv = sum(1 for c in cs if getattr(c, "group", None) == "privileges")
        extra = []
        if priv:
            extra.append("%d of them callers without the privilege" % priv)
        label = "%s %s: %d case%s%s" % (kind, entry, len(cs), "" if len(cs) == 1 else "s",
                                        " (%s)" % "; ".join(extra) if extra else "")
        if bad:
            print("not ok - %s, %d failed" % (label, len(bad)))
            for c in bad:
                who = getattr(c, "who", None) or (c.req.get("token") if hasattr(c, "req") else None)
                print("#   %s%s: got %s; %s" % (c.name, " as " + who if who else "", c.got,
                                                c.detail.replace("\n", " ")[:400]))
                if kind == "sql" and getattr(c, "group", None) != "privileges":
                    print("#     %s" % c.sql[:300].replace("\n", " "))
        else:
            print("ok - %s" % label)
        passed += len(cs) - len(bad)
        failed += len(bad)
    return passed, failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--vars", required=True)
    ap.add_argument("--verify", required=True)
    ap.add_argument("--gw", required=True)
    ap.add_argument("--gw-admin", required=True)
    ap.add_argument("--secret", required=True)
    ap.add_argument("--only", choices=["sql", "http", "client"])
    ap.add_argument("--timeout", type=float, default=90)
    a = ap.parse_args()
    deadline = time.time() + a.timeout
    V = load_vars(a.vars)
    global SIGNER
    keydir = tempfile.TemporaryDirectory()
    SIGNER = Signer(keydir.name)
    V["self_key"] = SIGNER.public
    strings = load_strings()
    catalog = load_catalog(a.db)
    spec = json.load(open(os.path.join(HERE, "http_cases.json"), encoding="utf-8"))
    cases = []
    t0 = time.time()
    if a.only in (None, "sql"):
        sc = sql_cases(V, strings, catalog)
        run_sql(a.db, sc, deadline)
        cases += sc
        print("# sql: %d cases in %.1fs" % (len(sc), time.time() - t0))
    if a.only in (None, "http"):
        t1 = time.time()
        tokens = mint_tokens(spec["tokens"], a.secret)
        hc = http_cases(spec, strings, catalog)
        run_http(hc, {"gw": a.gw, "gw_admin": a.gw_admin}, tokens, V)
        cases += hc
        print("# http: %d cases in %.1fs" % (len(hc), time.time() - t1))
    if a.only in (None, "client"):
        t2 = time.time()
        cc = client_cases(spec, V)
        run_client(cc, a.verify, V)
        cases += cc
        print("# bigpicture-verify: %d cases in %.1fs" % (len(cc), time.time() - t2))
    if os.environ.get("HOSTILE_DUMP"):
        with open(os.environ["HOSTILE_DUMP"], "w") as f:
            for c in cases:
                f.write("%s\t%s\t%s\t%s\t%s\n" % (c.kind, c.entry, c.name, c.got, "ok" if c.ok else "FAIL"))
    passed, failed = report(cases)
    print("cases: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
