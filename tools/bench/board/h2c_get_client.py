# heapmin scenario: an h2c (prior knowledge) GET client on the MicroPython unix port.
#   tools/heapmin.py tools/bench/board/h2c_get_client.py -- PORT [PATH] [COUNT]
# Connects to 127.0.0.1:PORT (a CPython h2c server: `python -m mhttp serve`, nghttpd
# --no-tls, or tools/bench/peers/h2_server.py), sends COUNT GETs for PATH one after the
# other on one HTTP/2 connection (blocking face), reads each whole body, checks the
# status is 200 and exits 0.
import gc
import sys

try:
    from _heapmin import checkpoint
except ImportError:
    def checkpoint(label=""):
        pass

port = int(sys.argv[1])
path = sys.argv[2].encode() if len(sys.argv) > 2 else b"/"
count = int(sys.argv[3]) if len(sys.argv) > 3 else 1
gc.collect()
checkpoint("start")
import _mhttp_port
from mhttp._io import run_blocking
from mhttp.h2_connection import H2Connection
from mhttp.headers import Headers
checkpoint("imported")

io = _mhttp_port.open_connection_blocking("127.0.0.1", port, None, None, None, 10)
conn = H2Connection(io, False, timeout=10)
run_blocking(conn.connect())
checkpoint("connected")
total = 0
for i in range(count):
    st = conn.new_stream()
    run_blocking(st.write_headers(Headers([(b":method", b"GET"), (b":scheme", b"http"),
                                           (b":authority", b"127.0.0.1"), (b":path", path),
                                           (b"user-agent", b"mhttp-board")]), True))
    h = run_blocking(st.get_headers())
    if h.get(b":status") != b"200":
        raise SystemExit("status %r" % (h.get(b":status"),))
    while True:
        c = run_blocking(st.get_next_chunk())
        if c is None:
            break
        total += len(c)
    checkpoint("exchange")
run_blocking(conn.close())
checkpoint("closed")
print("got %d responses, %d body bytes" % (count, total))
