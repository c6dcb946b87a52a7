# Loopback peers for the mhttp.websocket tests (CPython): our server and a `websockets`
# server, each on its own asyncio loop in a thread, plus raw-socket helpers and payloads.
import asyncio
import base64
import os
import socket
import struct
import threading
import time

import pytest

from mhttp import server as mserver
from mhttp import websocket
from mhttp import cli_serve
from mhttp.errors import WSError, Error

BIG = 17 << 20   # limits raised for the 16 MiB messages


def payload(n, text):
    if text:
        s = "h\u00e9llo w\u00f6rld \u20ac " * (n // 16 + 1)
        b = s.encode()[:n]
        while True:   # cut on a character boundary
            try:
                return b.decode()
            except UnicodeDecodeError:
                b = b[:-1]
    # half compressible, half random
    return (bytes(range(256)) * (n // 512 + 1))[:n // 2] + os.urandom(n - n // 2)


def recorded(records, n0, want, timeout=10):
    # The first entry of records[n0:] (OurServer.results, WebsocketsServer.closes: filled
    # by the server's thread when its handler ends, which can be after our side of the
    # closing handshake returned) that starts with the fields `want`, waiting for it up to
    # `timeout` seconds; None if none came.
    from conftest import wait_until
    found = []

    def seen():
        for r in records[n0:]:
            if tuple(r[:len(want)]) == want:
                found.append(r)
                return True
        return False
    wait_until(seen, timeout)
    return found[0] if found else None


def run(coro, timeout=120):
    async def bounded():
        return await asyncio.wait_for(coro, timeout)
    return asyncio.run(bounded())


class LoopThread:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout=30):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class OurServer(LoopThread):
    # mhttp.server with the test app below.  Records what each websocket ended with in
    # self.results: (path, close_code, close_reason, error close_code or None).
    def __init__(self, tls=None, **kw):
        super().__init__()
        self.results = []
        self.versions = []    # HTTP version of each accepted websocket's connection
        self.tls = tls

        async def start():
            srv = mserver.listen(self.app, host="127.0.0.1", port=0, tls=tls, **kw)
            await srv.listen()
            return srv
        self.srv = self.run(start())
        self.port = self.srv.localname()[1]

    def url(self, path="/ws"):
        return "%s://127.0.0.1:%d%s" % ("wss" if self.tls else "ws", self.port, path)

    async def app(self, server, stream):
        req = await stream.get_headers()
        path, _, q = req.get(b":path").partition(b"?")
        if path != b"/t":
            return await cli_serve.handler(server, stream)   # the `mhttp serve` routes
        args = {}
        for kv in q.split(b"&"):
            k, _, v = kv.partition(b"=")
            if k:
                args[k.decode()] = v.decode()
        try:
            ws = websocket.new_from_stream(stream, req, compression="nocomp" not in args,
                                           max_message_size=BIG if "big" in args else None)
        except websocket.HandshakeError as e:
            await websocket.reject(stream, e)
            return
        protos = args["protos"].split(",") if "protos" in args else None
        await ws.accept(protocols=protos)
        self.versions.append(getattr(stream.connection, "version", None))
        err = None
        try:
            async for data, op in ws:
                if "close" in args:
                    await ws.close(int(args["close"]), "server bye")
                    break
                await ws.send(data, op)
        except WSError as e:
            err = e.close_code
        self.results.append((path.decode(), ws.close_code, ws.close_reason, err, ws.protocol))

    def close(self):
        try:
            self.run(self.srv.close(2))
        finally:
            self.stop()


@pytest.fixture(scope="module")
def ours():
    # module fixture: one OurServer for a test module (import it there by name)
    s = OurServer()
    yield s
    s.close()


class WebsocketsServer(LoopThread):
    # A `websockets` (asyncio API) echo server.  Paths: /echo; /close/CODE closes with CODE
    # after the first message; /frag sends each message back fragmented in 3 pieces;
    # /ping pings us and reports the pong.  self.closes: the close codes/reasons it saw.
    def __init__(self, compression="deflate", ssl=None, max_size=BIG):
        super().__init__()
        from websockets.asyncio.server import serve
        self.closes = []
        self.ssl = ssl

        async def start():
            return await serve(self.handler, "127.0.0.1", 0, compression=compression, ssl=ssl,
                               max_size=max_size, subprotocols=None)
        self.srv = self.run(start())
        self.port = self.srv.sockets[0].getsockname()[1]

    def url(self, path="/echo"):
        return "%s://127.0.0.1:%d%s" % ("wss" if self.ssl else "ws", self.port, path)

    async def handler(self, ws):
        import websockets
        path = ws.request.path
        try:
            async for msg in ws:
                if path.startswith("/close/"):
                    await ws.close(int(path[7:]), "peer bye")
                    break
                if path == "/frag":
                    n = len(msg)
                    await ws.send([msg[:n // 3], msg[n // 3:2 * n // 3], msg[2 * n // 3:]])
                    continue
                if path == "/ping":
                    w = await ws.ping(b"pp")
                    await asyncio.wait_for(w, 5)
                    await ws.send("pong seen")
                    continue
                await ws.send(msg)
        except websockets.ConnectionClosed:
            pass
        self.closes.append((ws.close_code, ws.close_reason, ws.request.headers.get("sec-websocket-extensions")))

    def close(self):
        async def c():
            self.srv.close()
            await self.srv.wait_closed()
        try:
            self.run(c())
        finally:
            self.stop()


# -- raw sockets ---------------------------------------------------------------------------

def raw_upgrade(port, path="/ws", extra=b""):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    key = base64.b64encode(os.urandom(16))
    s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
              b"Connection: Upgrade\r\nSec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: 13\r\n"
              + extra + b"\r\n")
    buf = b""
    end = time.time() + 5
    while b"\r\n\r\n" not in buf and time.time() < end:
        c = s.recv(4096)
        if not c:
            break
        buf += c
    head, _, rest = buf.partition(b"\r\n\r\n")
    return s, head, rest


def frame(op, payload, fin=True, mask=True, rsv=0, length=None):
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | rsv | op
    if n < 126:
        h = bytes([b0, (0x80 if mask else 0) | n])
    elif n < 65536:
        h = bytes([b0, (0x80 if mask else 0) | 126]) + struct.pack("!H", n)
    else:
        h = bytes([b0, (0x80 if mask else 0) | 127]) + struct.pack("!Q", n)
    if not mask:
        return h + payload
    k = os.urandom(4)
    return h + k + bytes(c ^ k[i % 4] for i, c in enumerate(payload))


def read_frames(s, rest=b"", timeout=5, max_frames=100):
    # Unmasked server frames until EOF: [(opcode, payload)], and whether EOF came.
    buf = rest
    out = []
    eof = False
    end = time.time() + timeout
    while time.time() < end and len(out) < max_frames:
        while len(buf) >= 2:
            n = buf[1] & 0x7F
            hl = 2
            if n == 126:
                if len(buf) < 4:
                    break
                n = struct.unpack("!H", buf[2:4])[0]
                hl = 4
            elif n == 127:
                if len(buf) < 10:
                    break
                n = struct.unpack("!Q", buf[2:10])[0]
                hl = 10
            if len(buf) < hl + n:
                break
            out.append((buf[0] & 0x0F, buf[hl:hl + n]))
            buf = buf[hl + n:]
        if eof:
            break
        try:
            s.settimeout(max(0.01, end - time.time()))
            c = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            eof = True
            continue
        if not c:
            eof = True
            continue
        buf += c
    return out, eof
