# The HTTP/1.1 client POSTing N bytes (tests_host/test_client_upload_h1.py), on CPython or
# MicroPython:
#   _h1_upload_cli.py URL N [RESPONSE_BUFFER|-] [MODE] [TIMEOUT] [noexpect]
# MODE: blocking (go_blocking) or async (go); noexpect: without "expect: 100-continue"
# (the body goes out at once).  Prints keyed lines: RESULT (ok: a 200 whose body is the
# body sent; another status: "status S body B"; or the exception class: message),
# ELAPSED (seconds).
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
RB = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] != "-" else None
MODE = sys.argv[4] if len(sys.argv) > 4 else "blocking"
T = float(sys.argv[5]) if len(sys.argv) > 5 else 10
EXPECT = not (len(sys.argv) > 6 and sys.argv[6] == "noexpect")


def one():
    body = bytes(range(256)) * (N // 256)    # (N: a multiple of 256)
    req = mhttp.request.new_from_uri(URL)
    req.version = 1.1
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
            got = []
            while True:
                c = await s.get_next_chunk(T)
                if c is None:
                    return h, got
                got.append(bytes(c))
        h, got = asyncio.run(go())
    else:
        h, s = req.go_blocking(T)
        got = []
        while True:
            c = s.get_next_chunk(T)
            if c is None:
                break
            got.append(bytes(c))
    st = h.get(b":status")
    if st != b"200":
        return "status %s body %r" % (st.decode(), b"".join(got))
    n = 0
    for c in got:
        if c != body[n:n + len(c)]:
            return "bad: the echo differs in the %d bytes at %d" % (len(c), n)
        n += len(c)
    if n != N:
        return "bad: %d bytes back" % n
    return "ok"


t0 = now()
try:
    r = one()
except Exception as e:
    r = "%s: %s" % (type(e).__name__, e)
print("RESULT", r)
print("ELAPSED %.2f" % (now() - t0))
