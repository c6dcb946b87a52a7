# The HTTP/2 client against tests_host/test_h2_client_hostile.py's raw-frame server, on
# CPython or MicroPython: _h2_hostile_cli.py PORT SCENARIO [MODE].  Prints keyed lines:
# RESULT (status or exception class: message) and ELAPSED (seconds).
import sys
import time
import mhttp.request

if hasattr(time, "ticks_ms"):
    def now():
        return time.ticks_ms() / 1000
else:
    now = time.monotonic

PORT = int(sys.argv[1])
SC = sys.argv[2]
MODE = sys.argv[3] if len(sys.argv) > 3 else "blocking"


def one():
    req = mhttp.request.new_from_uri("http://127.0.0.1:%d/%s" % (PORT, SC))
    req.version = 2
    if MODE == "async":
        import asyncio

        async def go():
            h, s = await req.go(2)
            return h, await s.get_body_as_string(2)
        h, b = asyncio.run(go())
    else:
        h, s = req.go_blocking(2)
        b = s.get_body_as_string(2)
    return "status %s body %s" % (h.get(b":status").decode(), b.decode())


t0 = now()
try:
    r = one()
except Exception as e:
    r = "%s: %s" % (type(e).__name__, e)
print("RESULT", r)
print("ELAPSED %.2f" % (now() - t0))
