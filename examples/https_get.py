# HTTPS GET with certificate verification.  CPython uses the system CAs unless a CA file
# is given; MicroPython (no system trust store) needs the CA file:
#   tools/micropython examples/https_get.py https://127.0.0.1:8443/ ca.pem
import sys

import mhttp.request
from mhttp.errors import TLSError

uri = sys.argv[1] if len(sys.argv) > 1 else "https://example.com/"
req = mhttp.request.new_from_uri(uri)
if len(sys.argv) > 2:
    req.cafile = sys.argv[2]
try:
    headers, stream = req.go_blocking(15)
except TLSError as e:
    print("TLS failed:", e)
    sys.exit(1)
print(headers.get(":status").decode(), stream.connection.checktls())
print(stream.get_body_as_string(15)[:200])
