# Board RAM scenario (MicroPython unix port, under tools/heapmin.py): our HTTP/1.1 server
# answers GET / with "Hello, World!" (13 bytes) until it has served N requests, then
# closes and exits 0.  Prints "HEAPMIN READY" once listening.
#
#   .venv/bin/python tools/heapmin.py tools/bench/board_h1_server.py \
#       --driver '.venv/bin/python tools/bench/board_h1_driver.py {port} 10 100' -- {port} 1000
#
# args: PORT N [BUFSIZE]  (BUFSIZE: the per-connection receive buffer, default the port's)
import sys
import gc

try:
    from _heapmin import checkpoint
except ImportError:
    def checkpoint(label=""):
        pass

import asyncio
checkpoint("asyncio imported")
from mhttp import server
from mhttp.headers import Headers
checkpoint("mhttp.server imported")

PORT = int(sys.argv[1])
N = int(sys.argv[2])
BUFSIZE = int(sys.argv[3]) if len(sys.argv) > 3 else None
BODY = b"Hello, World!"
HEAD = Headers._trusted([(b":status", b"200", False), (b"content-type", b"text/plain", False),
                         (b"content-length", b"13", False)])
served = [0]
done = asyncio.Event()


async def onstream(srv, stream):
    await stream.get_headers()
    await stream.write_headers(HEAD, False)
    await stream.write_chunk(BODY, True)
    served[0] += 1
    if served[0] == 1:
        checkpoint("first request")
    if served[0] >= N:
        done.set()


async def main():
    srv = server.listen(onstream, host="127.0.0.1", port=PORT, bufsize=BUFSIZE,
                        max_connections=16, http2=False)
    await srv.listen()
    checkpoint("listening")
    print("HEAPMIN READY", flush=True) if sys.implementation.name != "micropython" else \
        print("HEAPMIN READY")
    await done.wait()
    checkpoint("served %d" % N)
    await srv.close(2)


asyncio.run(main())
gc.collect()
print("served", served[0])
