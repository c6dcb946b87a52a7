# Board RAM reference scenario (MicroPython unix port, under tools/heapmin.py): the FLOOR of
# any asyncio HTTP/1.1 server on this port, not a server anyone should use.  asyncio's
# start_server with one task per connection, requests read line by line and thrown away
# (no parsing, no validation, no limits, no timeouts), one canned 13-byte response, until N
# requests are answered.  What it needs is what the interpreter, asyncio and ten
# connections' Tasks, Streams and coroutine frames cost before any HTTP code: the heap an
# mhttp server spends beyond it is the price of mhttp.
#
#   .venv/bin/python tools/heapmin.py tools/bench/board_floor_server.py \
#       --driver '.venv/bin/python tools/bench/board_h1_driver.py {port} 10 100 10' -- {port} 1000
#
# Measured 2026-11-22: 23.0 KiB (10 connections x 100 requests).
import sys
import asyncio

try:
    from _heapmin import checkpoint
except ImportError:
    def checkpoint(label=""):
        pass

PORT = int(sys.argv[1])
N = int(sys.argv[2])
RESP = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, World!"
served = [0]
done = asyncio.Event()


async def handle(r, w):
    while True:
        line = await r.readline()
        if not line:
            break
        while True:
            h = await r.readline()
            if h in (b"\r\n", b""):
                break
        w.write(RESP)
        await w.drain()
        served[0] += 1
        if served[0] >= N:
            done.set()
    w.close()


async def main():
    srv = await asyncio.start_server(handle, "127.0.0.1", PORT)
    print("HEAPMIN READY")
    await done.wait()
    checkpoint("done")
    srv.close()


asyncio.run(main())
