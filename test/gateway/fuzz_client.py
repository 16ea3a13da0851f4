#!/usr/bin/env python3
"""Send N malformed HTTP requests to a gateway, deterministically.

  fuzz_client.py HOST PORT N SEED VALID_TOKEN

Requests are generated from random.Random(SEED): mangled request lines and
paths, percent-escapes, invalid UTF-8, huge and broken headers, wrong
Content-Length, broken JSON bodies and tokens cut, padded or re-signed with
garbage.  Each request goes over its own connection (some pipelined);
responses are read but not judged — the protocol script checks afterwards
that the server is alive and that AddressSanitizer reported nothing.
Prints "fuzz: N sent, N answered, N without answer".
"""
import random
import socket
import sys
import threading

HOST, PORT, N, SEED, TOKEN = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
FUNCS = ["echo", "whoami", "numbers", "pairs", "nothing", "write", "fail", "hello", "custom_response",
         "nope", "named", "big", "sleep", "add", "typed", "span", "over", "amb", "vsum", "series",
         "write_named"]


def rbytes(r, n):
    return bytes(r.randrange(256) for _ in range(n))


def mangle_token(r):
    t = TOKEN
    choice = r.randrange(10)
    if choice == 0:
        return ""
    if choice == 1:
        return t[: r.randrange(len(t))]
    if choice == 2:
        i = r.randrange(len(t))
        return t[:i] + r.choice("._-=+/!~A\x00\xff") + t[i + 1:]
    if choice == 3:
        return ".".join(r.choice(["", "e30", "eyJhbGciOiJub25lIn0", "!!", "a" * r.randrange(1, 5000)])
                        for _ in range(r.randrange(1, 6)))
    if choice == 4:
        return t + "." + t
    if choice == 5:
        return "eyJhbGciOiJIUzI1NiJ9." + rbytes(r, 30).hex() + "." + rbytes(r, 8).hex()
    if choice == 6:
        return rbytes(r, r.randrange(1, 200)).decode("latin-1")
    return t


def path(r):
    base = r.choice(["/rpc/" + r.choice(FUNCS), "/", "/live", "/ready", "/rpc/", "/rpc", "/x/y/z",
                     "/rpc/" + rbytes(r, 5).decode("latin-1"), "//rpc//echo", "/rpc/%", "/rpc/%zz",
                     "/rpc/%ff%fe", "/rpc/a%00b", "*", "http://x/rpc/echo", "/rpc/" + "a" * r.randrange(1, 9000)])
    if r.random() < 0.5:
        qs = "&".join(r.choice(["a=1", "a", "=", "&", "%", "%e2%82", "b=%ff", "x=" + "y" * r.randrange(0, 3000),
                                "c=%22%7B", "+=+", "a=2", "n=3", "v=1", "v=x", "b=eq.1", "limit=2", "offset=9",
                                "select=*", "order=a", "x.y=1", "tags=%7Ba,b%7D", "flag=t", "from=2020-01-01",
                                "a=%00", "a;b=1"]) for _ in range(r.randrange(1, 8)))
        base += "?" + qs
    if r.random() < 0.1:
        base += "#frag"
    return base


def body(r):
    return r.choice([
        b"", b"{}", b'{"a":1}', b"{", b"}", b"[", b"null", b'"str"', b"1e999999", b"-",
        b'{"a":"\xff\xfe"}', b'{"a":"\\ud800"}', b'{"a":"\\u0000"}', b"[" * 100 + b"]" * 100,
        b"[" * 5000, b'{"a":' * 70 + b"1" + b"}" * 70, rbytes(r, r.randrange(0, 2000)),
        b'{"code":"' + rbytes(r, 5) + b'"}', b'{"code":"PT999"}', b'{"code":"22P02"}',
        b'{"n":' + str(r.randrange(-5, 10 ** 6)).encode() + b"}",
        b'{"headers":"[{\\"a\\\\r\\\\nb\\": \\"c\\"}]"}', b'{"status":"' + rbytes(r, 3).hex().encode() + b'"}',
        b"a=1&b=%ff&c", b'[{"a":1},{"a":2}]', b'[{"a":1},{"b":2}]', b'[1,2]', b"[]", b'{"v":[1,2]}',
        b'{"n":"x","flag":"maybe","tags":"a"}', b'{"from":"2020-01-01","limit":5}', b'{"y":"a","z":null}',
        b'{"s":' + b'"' + b"x" * r.randrange(0, 100000) + b'"}',
    ])


def request(r):
    method = r.choice(["GET", "POST", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "G\x00ET",
                       "BREW", "get", ""])
    version = r.choice(["HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2", "HTTP/1.1 junk", ""])
    b = body(r)
    headers = ["Host: fuzz"]
    if r.random() < 0.9:
        headers.append("Connection: close")  # so that the client need not time out
    if r.random() < 0.7:
        headers.append("Authorization: " + r.choice(["Bearer ", "bearer ", "Basic ", "Bearer", ""]) + mangle_token(r))
    if r.random() < 0.5:
        headers.append("Content-Type: " + r.choice(["application/json", "text/plain", "application/x-www-form-urlencoded",
                                                    "application/json; charset=\xff", "", "*/*"]))
    for _ in range(r.randrange(0, 6)):
        headers.append(r.choice([
            "Accept: " + r.choice(["*/*", "text/html", "application/json", "", "\xff"]),
            "Accept-Profile: " + r.choice(["gw_test", "gw_test2", "nope", "", "\xff\xfe"]),
            "Content-Profile: " + r.choice(["gw_test", "gw_test2", "nope", ""]),
            "X-" + rbytes(r, 4).hex() + ": " + rbytes(r, r.randrange(0, 100)).decode("latin-1"),
            "Cookie: " + r.choice(["a=b", "=", ";;;", "a", "a=\xff"]),
            "Prefer: " + r.choice(["return=minimal", "tx=rollback", "x" * 100]),
            "X-Huge: " + "h" * r.randrange(1000, 100000),
            "Broken header without colon",
            " folded: continuation",
            "Transfer-Encoding: chunked",
        ]))
    cl = r.random()
    if cl < 0.8:
        headers.append("Content-Length: %d" % len(b))
    elif cl < 0.9:
        headers.append("Content-Length: %d" % r.choice([0, len(b) + 10, max(0, len(b) - 1), 10 ** 12, -1]))
    head = "%s %s %s\r\n%s\r\n\r\n" % (method, path(r), version, "\r\n".join(headers))
    data = head.encode("latin-1", "replace") + b
    if r.random() < 0.05:
        data = data[: r.randrange(1, len(data) + 1)]  # cut short
    if r.random() < 0.05:
        data = data + data  # pipelined twice
    return data


stats = {"sent": 0, "answered": 0, "silent": 0}
lock = threading.Lock()


def worker(reqs):
    for data in reqs:
        got = False
        try:
            with socket.create_connection((HOST, PORT), timeout=1.5) as s:
                s.settimeout(1.5)
                try:
                    s.sendall(data)
                    s.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                try:
                    while True:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        got = got or chunk.startswith(b"HTTP/")
                        if got:
                            break  # answered: the connection may be kept alive, do not wait for it
                except OSError:
                    pass
        except OSError:
            pass
        with lock:
            stats["sent"] += 1
            stats["answered" if got else "silent"] += 1


r = random.Random(SEED)
all_reqs = [request(r) for _ in range(N)]
threads = [threading.Thread(target=worker, args=(all_reqs[i::8],)) for i in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("fuzz: %d sent, %d answered, %d without answer" % (stats["sent"], stats["answered"], stats["silent"]))
