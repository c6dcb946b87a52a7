# heapmin scenario (MicroPython): an h2c server answering N requests (default 1000), then
# exiting 0.  Run through tools/heapmin.py with h2load as the driver, 10 streams at a time:
#   .venv/bin/python tools/heapmin.py tools/bench/heap_h2_server.py \
#       --driver 'h2load -n 1000 -c 1 -m 10 http://127.0.0.1:{port}/ | grep -q "1000 succeeded"' \
#       -- {port} 1000
import sys

import asyncio
from mhttp import server
from mhttp.headers import Headers

try:
    from _heapmin import checkpoint
except ImportError:
    def checkpoint(label=""):
        pass

PORT = int(sys.argv[1])
N = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
H = Headers(((b":status", b"200"), (b"content-type", b"text/plain"), (b"content-length", b"13")))
count = [0]
done = asyncio.Event()


async def onstream(srv, stream):
    await stream.get_headers()
    await stream.write_headers(H, False)
    await stream.write_chunk(b"Hello, World!", True)
    count[0] += 1
    if count[0] % 100 == 0:
        checkpoint("serving")
    if count[0] >= N:
        done.set()


async def main():
    srv = server.listen(onstream, host="127.0.0.1", port=PORT, max_connections=4,
                        bufsize=2048, idle_timeout=20)
    await srv.listen()
    print("HEAPMIN READY")
    await done.wait()
    await asyncio.sleep(0.2)
    await srv.close(1)
    checkpoint("end")

asyncio.run(main())
