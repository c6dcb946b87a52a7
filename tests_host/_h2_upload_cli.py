# The HTTP/2 client POSTing N bytes to an echo that answers as it reads (tests_host/
# test_h2_client_upload.py), on CPython or MicroPython:
#   _h2_upload_cli.py URL N [RESPONSE_BUFFER] [MODE] [TIMEOUT]
# Prints keyed lines: RESULT (ok, or the exception class: message), ELAPSED (seconds).
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


def one():
    body = bytes(range(256)) * (N // 256)    # (N: a multiple of 256)
    req = mhttp.request.new_from_uri(URL)
    req.version = 2
    req.headers.upsert(b":method", b"POST")
    req.set_body(body)
    if RB is not None:
        req.response_buffer = RB
    if MODE == "async":
        import asyncio

        async def go():
            h, s = await req.go(T)
            n = 0
            while True:
                c = await s.get_next_chunk(T)
                if c is None:
                    return h, n
                n = check(n, c)
        h, n = asyncio.run(go())
    else:
        h, s = req.go_blocking(T)
        n = 0
        while True:
            c = s.get_next_chunk(T)
            if c is None:
                break
            n = check(n, c)
    if h.get(b":status") != b"200" or n != N:
        return "bad: status %s, %d bytes back" % (h.get(b":status"), n)
    return "ok"


def check(n, c):
    # the echo compared piece by piece (no joined copy: a board's heap, fragmented)
    for i in range(len(c)):
        if c[i] != (n + i) & 255:
            raise ValueError("echo differs at %d" % (n + i))
    return n + len(c)


t0 = now()
try:
    r = one()
except Exception as e:
    r = "%s: %s" % (type(e).__name__, e)
print("RESULT", r)
print("ELAPSED %.2f" % (now() - t0))
