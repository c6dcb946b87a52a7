# heapmin scenario (MicroPython): an h2c GET (prior knowledge, blocking) of URL, body read
# in chunks; exits 0 when the status is 200 and LENGTH bytes arrived.
#   .venv/bin/python tools/heapmin.py tools/bench/heap_h2_client.py -- http://127.0.0.1:P/ 13
import sys

from mhttp import request

try:
    from _heapmin import checkpoint
except ImportError:
    def checkpoint(label=""):
        pass

url = sys.argv[1]
want = int(sys.argv[2]) if len(sys.argv) > 2 else -1
r = request.new_from_uri(url)
r.version = 2
r.pool = False
h, s = r.go_blocking(10)
checkpoint("headers")
n = 0
while True:
    c = s.get_next_chunk(10)
    if c is None:
        break
    n += len(c)
checkpoint("body")
assert h.get(b":status") == b"200", h
assert want < 0 or n == want, n
s.connection.close()
