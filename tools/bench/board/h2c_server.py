# heapmin scenario: mhttp.server answering HTTP/2 (h2c prior knowledge) on the MicroPython
# unix port, driven by h2load from the host:
#   tools/heapmin.py tools/bench/board/h2c_server.py \
#       --driver 'h2load -n 1000 -c 1 -m 10 http://127.0.0.1:{port}/' -- {port} 1000
# Listens on 127.0.0.1:PORT, prints "HEAPMIN READY", answers GET / with 200 and a 13-byte
# body, and stops by itself after COUNT requests (or 60 s), exiting 0.  A third argument
# "nopreload" listens with preload_h1=False (a board that expects HTTP/2 clients: the h1
# driver then loads only if an HTTP/1.1 request comes).
import asyncio
import gc
import sys

try:
    from _heapmin import checkpoint
except ImportError:
    def checkpoint(label=""):
        pass

port = int(sys.argv[1])
count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
preload = sys.argv[3:4] != ["nopreload"]
gc.collect()
checkpoint("start")
from mhttp import server
from mhttp.headers import Headers
checkpoint("imported")

BODY = b"Hello, World!"
HEAD = Headers([(b":status", b"200"), (b"content-type", b"text/plain"),
                (b"content-length", b"13")])
done = [0]
stop = asyncio.Event()


async def onstream(srv, stream):
    await stream.get_headers()
    await stream.write_headers(HEAD, False)
    await stream.write_chunk(BODY, True)
    done[0] += 1
    if done[0] == 1:
        checkpoint("first request")
    if done[0] % 100 == 0:
        checkpoint("every 100 requests")
    if done[0] >= count:
        stop.set()


async def main():
    srv = server.listen(onstream, host="127.0.0.1", port=port, idle_timeout=30,
                        header_timeout=10, body_timeout=30, max_connections=2,
                        preload_h1=preload)
    await srv.listen()
    checkpoint("listening")
    print("HEAPMIN READY")
    try:
        await asyncio.wait_for(stop.wait(), 60)
    finally:
        await srv.close()
    print("served %d requests" % done[0])


asyncio.run(main())
