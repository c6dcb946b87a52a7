# The client POSTing N bytes to an echo that answers as it reads, over HTTP/1.1
# (tests_host/test_client_upload_h1.py) or HTTP/2 (tests_host/test_h2_client_upload.py),
# on CPython or MicroPython:
#   _upload_cli.py URL N RESPONSE_BUFFER|- MODE TIMEOUT VERSION [noexpect]
# MODE: blocking (go_blocking) or async (go); VERSION: 1.1 or 2; noexpect: without
# "expect: 100-continue" (the body goes out at once).  Prints keyed lines: RESULT (ok: a
# 200 whose body is the body sent; another status: "status S body B"; "bad: ..."; or the
# exception class: message), ELAPSED (seconds).
import sys
import time
import mhttp.request

if hasattr(time, "ticks_ms"):
    def now():
        return time.ticks_ms() / 1000
else:
    now = time.monotonic

URL = sys.argv[1]
N = int(sys.argv[2])
RB = int(sys.argv[3]) if sys.argv[3] != "-" else None
MODE = sys.argv[4]
T = float(sys.argv[5])
VERSION = float(sys.argv[6])
EXPECT = not (len(sys.argv) > 7 and sys.argv[7] == "noexpect")


class Echo:
    # the echo compared piece by piece with the body sent (no joined copy: a board's
    # heap, fragmented); a status other than 200 keeps its (short) body instead
    def __init__(self, body, status):
        self.body = body
        self.ok = status == b"200"
        self.status = status
        self.n = 0
        self.bad = None
        self.kept = []

    def add(self, c):
        if not self.ok:
            self.kept.append(bytes(c))
        elif self.bad is None:
            if c != self.body[self.n:self.n + len(c)]:
                self.bad = "bad: the echo differs in the %d bytes at %d" % (len(c), self.n)
            self.n += len(c)

    def result(self):
        if not self.ok:
            return "status %s body %r" % (self.status.decode(), b"".join(self.kept))
        if self.bad is not None:
            return self.bad
        if self.n != N:
            return "bad: %d bytes back" % self.n
        return "ok"


def one():
    body = bytes(range(256)) * (N // 256)    # (N: a multiple of 256)
    req = mhttp.request.new_from_uri(URL)
    req.version = 2 if VERSION == 2 else VERSION
    if VERSION != 2:
        req.pool = False
    req.headers.upsert(b":method", b"POST")
    req.set_body(body)
    if not EXPECT:
        req.headers.delete(b"expect")
    if RB is not None:
        req.response_buffer = RB
    if MODE == "async":
        import asyncio

        async def go():
            h, s = await req.go(T)
            e = Echo(body, h.get(b":status"))
            while True:
                c = await s.get_next_chunk(T)
                if c is None:
                    return e
                e.add(c)
        return asyncio.run(go()).result()
    h, s = req.go_blocking(T)
    e = Echo(body, h.get(b":status"))
    while True:
        c = s.get_next_chunk(T)
        if c is None:
            return e.result()
        e.add(c)


t0 = now()
try:
    r = one()
except Exception as e:
    r = "%s: %s" % (type(e).__name__, e)
print("RESULT", r)
print("ELAPSED %.2f" % (now() - t0))
