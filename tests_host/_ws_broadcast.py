# Writes from a task other than the connection's own, while that connection waits for
# the peer (run by test_ws_broadcast.py on CPython and MicroPython):
#   ws     two WebSocket clients; the server's handlers wait in receive() while one
#          broadcaster task sends "tick N" to both: each must arrive at once.
#   duplex an HTTP/1.1 handler streams a chunked response from a second task while it
#          waits for the rest of the request body, which the client only sends after
#          it has read that chunk (a full-duplex exchange).
# args: MODE PORT [streams] [h2]   prints "OK ..." on success.
import sys
import asyncio

from mhttp import server as mserver, websocket
from mhttp.headers import Headers

MODE = sys.argv[1]
PORT = int(sys.argv[2])
STREAMS = "streams" in sys.argv[3:]
H2 = "h2" in sys.argv[3:]
socks = []
ready = asyncio.Event()


async def ws_app(srv, stream):
    req = await stream.get_headers()
    ws = websocket.new_from_stream(stream, req)
    await ws.accept()
    socks.append(ws)
    if len(socks) == 2:
        ready.set()
    try:
        while True:
            r = await ws.receive(5)
            if r[0] is None or r[0] == "bye":
                break
    except Exception:
        pass


async def broadcaster():
    await ready.wait()
    for n in range(3):
        # (long enough for every handler to be back waiting for its client)
        await asyncio.sleep(0.2)
        for ws in socks:
            await ws.send("tick %d" % n)


async def duplex_app(srv, stream):
    await stream.get_headers()
    await stream.write_headers(Headers(((b":status", b"200"),)), False)

    async def writer():
        await asyncio.sleep(0.05)
        await stream.write_chunk(b"first part", False)
    t = asyncio.create_task(writer())
    body = b""
    while True:
        c = await stream.get_next_chunk(5)
        if c is None:
            break
        body += c
    await t
    await stream.write_chunk(b"|" + body, True)


async def ws_main():
    kw = {"streams": True} if STREAMS else {}
    srv = mserver.listen(ws_app, host="127.0.0.1", port=PORT, **kw)
    await srv.listen()
    b = asyncio.create_task(broadcaster())
    clients = []
    for i in range(2):
        c = websocket.new_from_uri("ws://127.0.0.1:%d/" % PORT, version=2 if H2 else 1.1)
        await c.connect(5)
        clients.append(c)
    got = []
    for c in clients:
        for n in range(3):
            # each tick within a second of the previous one (the bug: never, until the
            # client itself sent something)
            got.append(await c.receive(1))
    for c in clients:
        await c.send("bye")
        await c.close()
    await b
    await srv.close(2)
    want = [("tick %d" % n, "text") for n in range(3)] * 2
    if got != want:
        raise SystemExit("got %r" % (got,))
    print("OK ws", len(got))


async def duplex_main():
    kw = {"streams": True} if STREAMS else {}
    srv = mserver.listen(duplex_app, host="127.0.0.1", port=PORT, **kw)
    await srv.listen()
    r, w = await asyncio.open_connection("127.0.0.1", PORT)
    w.write(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
    await w.drain()
    seen = b""
    while b"first part" not in seen:
        d = await asyncio.wait_for(r.read(1024), 1)
        if not d:
            raise SystemExit("EOF before the first part: %r" % seen)
        seen += d
    w.write(b"6\r\n world\r\n0\r\n\r\n")
    await w.drain()
    while not seen.endswith(b"0\r\n\r\n"):
        d = await asyncio.wait_for(r.read(1024), 2)
        if not d:
            break
        seen += d
    w.close()
    await srv.close(2)
    if not seen.startswith(b"HTTP/1.1 200 OK\r\n") or b"\r\na\r\nfirst part\r\n" not in seen \
            or b"\r\nc\r\n|hello world\r\n0\r\n\r\n" not in seen:
        raise SystemExit("got %r" % seen)
    print("OK duplex")


asyncio.run(ws_main() if MODE == "ws" else duplex_main())
