# GET a URL and print status, headers and body; runs unchanged on CPython and MicroPython.
#   python examples/get.py http://127.0.0.1:8000/        (PYTHONPATH=lib:ports/cpython)
#   tools/micropython examples/get.py http://127.0.0.1:8000/
import sys

import mhttp.request

uri = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/"
req = mhttp.request.new_from_uri(uri)
headers, stream = req.go_blocking(10)     # blocking sockets: no event loop needed
print("status:", headers.get(":status").decode())
for name, value, _ in headers:
    if name[:1] != b":":
        print("%s: %s" % (name.decode(), value.decode()))
print()
print(stream.get_body_as_string(10).decode())
