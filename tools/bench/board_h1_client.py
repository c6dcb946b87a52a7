# Board RAM scenario (MicroPython unix port, under tools/heapmin.py): our HTTP/1.1 client
# (mhttp.request, blocking face, pooled keep-alive connection) makes N GETs of
# http://127.0.0.1:PORT/ and checks each answer (200, "Hello, World!") and that the
# connection was reused N-1 times.  The server is a host process started beforehand
# (tools/bench/board_h1_peer.py PORT: a CPython keep-alive server), e.g.
#
#   .venv/bin/python tools/bench/board_h1_peer.py 8099 &
#   .venv/bin/python tools/heapmin.py tools/bench/board_h1_client.py -- 8099 100
#
# tools/bench/bench_board_ram.py does both.
import sys
import gc

try:
    from _heapmin import checkpoint
except ImportError:
    def checkpoint(label=""):
        pass

import mhttp.request
checkpoint("mhttp.request imported")

PORT = int(sys.argv[1])
N = int(sys.argv[2])
uri = "http://127.0.0.1:%d/" % PORT
for i in range(N):
    headers, stream = mhttp.request.new_from_uri(uri).go_blocking(10)
    body = stream.get_body_as_string(10)
    if headers.get(b":status") != b"200" or body != b"Hello, World!":
        raise SystemExit("bad response %d: %r %r" % (i, headers.get(b":status"), body))
    headers = stream = body = None
    if i == 0:
        checkpoint("first GET")
checkpoint("%d GETs" % N)
reused = mhttp.request.POOL.reused
if reused != N - 1:
    raise SystemExit("connection reused %d times, expected %d" % (reused, N - 1))
gc.collect()
print("client: %d GETs on one connection" % N)
