# Board RAM on a 32-bit MicroPython without a board: the same script runs on the 64-bit
# unix port (`micropython`) and on the wasm32 port (@micropython/micropython-webassembly-
# pyscript under node, tools/bench/wasm32/run.mjs), mhttp loaded as .mpy from the
# filesystem (the unix bundle of tools/bundle.py; its .mpy files are bytecode only, which
# both ports load).  tools/bench/bench_board_32bit.py runs it and prints the ratios.
#
#   SCENARIO = import MODULE...   the live heap after importing the modules (in order)
#            | h1client N         N keep-alive GETs through mhttp.h1_connection (blocking
#                                 face: SocketIO over an in-memory socket)
#            | h1server C N       C connections x N requests through mhttp.server's
#                                 connection loop (StreamIO over in-memory streams)
#            | h2server N M       N requests, M at a time, from an in-memory mhttp.h2 client
#                                 through mhttp.server's HTTP/2 path (prior knowledge)
#            | h2client N         N GETs on one HTTP/2 connection (mhttp.h2_connection,
#                                 blocking face, prior knowledge) to an in-memory mhttp.h2
#                                 server core
#            | ws N SIZE          N echoes of SIZE bytes between two mhttp.ws WSProtocol ends
#                                 (client and server, handshake through mhttp.ws's helpers,
#                                 permessage-deflate negotiated, messages not compressed)
#            | mpy                prints the .mpy version the port reads
# Output: "CP <label> <live bytes above the start>" after a gc.collect(), each followed by
# micropython.qstr_info()'s line; "MODULES" (those loaded after the start) and "DONE" at
# the end (the wasm32 port runs asyncio tasks from the JS event loop after the script
# returns: an unfinished run prints no DONE).
# No sockets, no network: every peer is an object in the same heap (so the exchange
# figures include the in-memory peer on both ports alike).
import sys
import gc
import micropython

WASM = sys.platform == "webassembly"
# The runtime's own modules a scenario loads are imported before the start, so that the
# figures are mhttp's: _mhttp_port imports os and time, the servers asyncio, the
# WebSocket handshake binascii.  (On the wasm32 port asyncio, os, time and binascii are
# frozen .py modules, some of which intern names a board's C modules have built in:
# binascii 45.  Imported by every scenario they would shift every name pool line.)
import asyncio  # noqa: E402
import os       # noqa: E402
import time     # noqa: E402,F401
asyncio.Event   # (asyncio.event: loaded on first use on the unix port, at import on wasm32)
if sys.argv[1] == "ws":
    import binascii  # noqa: F401
    import mhttp     # noqa: F401  (the package: imported by mhttp._sha1 below on wasm32)
if WASM:
    import random
    if not hasattr(os, "urandom"):
        # (the wasm32 port has no os.urandom; _mhttp_port imports it)
        def _urandom(n):
            return bytes([random.getrandbits(8) for _ in range(n)])
        os.urandom = _urandom
    import hashlib
    if sys.argv[1] == "ws" and not hasattr(hashlib, "sha1"):
        # No hashlib.sha1 on this port: mhttp's WebSocket handshake falls back to
        # mhttp._sha1, which a board with hashlib.sha1 (ESP32, Pico W) never loads and
        # the unix port does not either: loaded here, before the start, its heap counts
        # on neither port (its ~60 names still count in the wasm32 name pools).
        import mhttp._sha1  # noqa: F401
    del hashlib

START = 0
MODS = ()


def start():
    global START, MODS
    START = gc.mem_alloc()
    MODS = set(sys.modules)
    report("start")


def report(label):
    print("CP %s %d" % (label, gc.mem_alloc() - START))
    micropython.qstr_info()


# Checkpoints.  A synchronous scenario is a generator that yields a label at each
# checkpoint: the unix port collects and reports there; on the wasm32 port gc.collect()
# only flags a collection, which runs when the call from JavaScript returns (WebAssembly
# locals are invisible to the conservative scan, so the port never collects with Python
# code on the stack), so run.mjs steps the generator one call at a time (tick() below)
# and reads the heap in the call after.  An asyncio scenario awaits acp(label): the
# timer sleep returns to the JS event loop on wasm32 (asyncio.sleep(0) does not), which
# collects; the unix port sleeps the same and collects itself.
def done():
    print("MODULES %s" % " ".join(sorted(m for m in sys.modules if m not in MODS)))
    print("DONE")


async def acp(label):
    import asyncio
    for _ in range(3):      # (on wasm32 a task that ran first in that JS call may have
        gc.collect()        # left garbage: three rounds read a settled heap)
        await asyncio.sleep(0.002)
    gc.collect()
    report(label)


def run(coro):
    import asyncio
    if hasattr(asyncio, "run"):
        asyncio.run(coro)
    else:   # wasm32: asyncio runs on the JS event loop, after this call returns
        asyncio.create_task(coro)


def imports(names):
    for m in names:
        __import__(m)
    yield "imported"


GET1 = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
BODY = b"Hello, World!"
RESP1 = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n"
         + BODY)


def _gets(conn, sock, n, Headers, run_blocking):
    # n GETs of / on a client connection (h1 or h2) whose in-memory peer answers each
    # with 200 and BODY, counting them in sock.requests; yields the checkpoints
    req = Headers([(":method", "GET"), (":path", "/"), (":scheme", "http"),
                   (":authority", "127.0.0.1")])
    for i in range(n):
        s = conn.new_stream()
        run_blocking(s.write_headers(req, True, 10))
        h = run_blocking(s.get_headers(10))
        body = run_blocking(s.get_body_as_string(10))
        if h.get(b":status") != b"200" or body != BODY:
            raise SystemExit("bad response %d: %r %r" % (i, h.get(b":status"), body))
        h = s = body = None
        if i == 0:
            yield "first GET"
        elif step(i):
            yield None
    if sock.requests != n:
        raise SystemExit("%d requests answered, expected %d" % (sock.requests, n))
    yield "%d GETs" % n


def h1client(n):
    import mhttp.request  # noqa: F401  (what the real client path imports first)
    import _mhttp_port    # noqa: F401
    from mhttp.h1_connection import H1Connection
    from mhttp.h1 import CLIENT
    from mhttp._io_socket import SocketIO
    from mhttp._io import run_blocking
    from mhttp.headers import Headers
    import mhttp._h1_client  # noqa: F401
    import mhttp.blocking  # noqa: F401
    yield "imported"

    class Sock:
        # A blocking socket whose peer answers every complete request head with RESP1.
        def __init__(self):
            self.out = 0
            self.got = b""
            self.requests = 0

        def send(self, mv):
            self.got = (self.got + bytes(mv))[-4:]
            if self.got == b"\r\n\r\n":
                self.requests += 1
                self.out += 1
            return len(mv)

        def recv_into(self, mv):
            if not self.out:
                return 0
            self.out -= 1
            mv[:len(RESP1)] = RESP1
            return len(RESP1)

        def settimeout(self, t):
            pass

        def close(self):
            pass

    sock = Sock()
    conn = H1Connection(SocketIO(sock, 2048), CLIENT, timeout=10)
    yield from _gets(conn, sock, n, Headers, run_blocking)


def h1server(conns, n):
    import asyncio
    import mhttp.server as S
    from mhttp.headers import Headers
    from mhttp._io_stream import StreamIO
    import mhttp.h1_connection  # noqa: F401
    import mhttp._h1_server  # noqa: F401
    import _mhttp_aio  # noqa: F401  (the port's start_server half, loaded by listen())
    head = Headers._trusted([(b":status", b"200", False),
                             (b"content-type", b"text/plain", False),
                             (b"content-length", b"13", False)])
    served = [0]

    async def onstream(srv, stream):
        await stream.get_headers()
        await stream.write_headers(head, False)
        await stream.write_chunk(BODY, True)
        served[0] += 1

    class Client:
        # One keep-alive client connection (an asyncio stream lookalike, reader and
        # writer): sends a request, waits for the whole response, n times, then EOF;
        # after the first answer it waits for `gate` (every connection idle at once).
        out_buf = b""

        def __init__(self, n):
            self.n = n
            self.sent = 0
            self.answers = 0
            self.tail = b""
            self.ev = asyncio.Event()
            self.ev.set()

        async def readinto(self, mv):
            await self.ev.wait()
            if self.sent == 1:
                await gate.wait()
            if self.sent >= self.n:
                return 0
            self.ev.clear()
            self.sent += 1
            mv[:len(GET1)] = GET1
            return len(GET1)

        def write(self, d):
            self.tail = (self.tail + bytes(d))[-13:]
            if self.tail == BODY:
                self.answers += 1
                self.tail = b""
                self.ev.set()

        async def drain(self):
            pass

        def close(self):
            pass

    srv = S.listen(onstream, host="127.0.0.1", port=1, http2=False, max_connections=16)
    buf = memoryview(bytearray(2048))
    gate = asyncio.Event()

    async def main():
        await acp("imported")
        clients = [Client(n) for _ in range(conns)]
        tasks = []
        for c in clients:
            io = StreamIO(c, c, 2048, buf=buf)
            srv.reaper.add(io)
            tasks.append(asyncio.create_task(srv._on_connection(io)))
        for _ in range(1000):
            if served[0] >= conns:
                break
            await asyncio.sleep(0)
        await acp("%d conns idle after a request" % conns)
        gate.set()
        for t in tasks:
            await t
        tasks = None
        got = sum(c.answers for c in clients)
        if got != conns * n or served[0] != conns * n:
            raise SystemExit("served %d, answers %d, expected %d" % (served[0], got, conns * n))
        clients = None
        await acp("%d conns x %d served" % (conns, n))
        done()
    run(main())


def h2server(n, m):
    import asyncio
    import mhttp.server as S
    from mhttp.headers import Headers
    from mhttp._io_stream import StreamIO
    import mhttp.h2_connection  # noqa: F401
    import _mhttp_aio  # noqa: F401
    from mhttp.h2 import H2Protocol
    head = Headers._trusted([(b":status", b"200", False),
                             (b"content-type", b"text/plain", False),
                             (b"content-length", b"13", False)])
    req = Headers([(":method", "GET"), (":path", "/"), (":scheme", "http"),
                   (":authority", "127.0.0.1")])
    served = [0]

    async def onstream(srv, stream):
        await stream.get_headers()
        await stream.write_headers(head, False)
        await stream.write_chunk(BODY, True)
        served[0] += 1

    class Client:
        # An HTTP/2 client (mhttp.h2 core, prior knowledge) behind an asyncio stream
        # lookalike: keeps m requests open until n were answered, then EOF; after the
        # first m answers it opens no more until `gate` is set (a quiet checkpoint).
        out_buf = b""

        def __init__(self):
            self.c = H2Protocol(client=True)
            self.c.initiate_connection()
            self.opened = self.open = self.done = 0
            self.rest = b""
            self.ev = asyncio.Event()
            self.fill()

        def fill(self):
            c = self.c
            while self.open < m and self.opened < n and (self.opened < m or gate.is_set()):
                c.send_headers(c.get_next_available_stream_id(), req, True)
                self.opened += 1
                self.open += 1

        async def readinto(self, mv):
            for _ in range(100000):
                if not self.rest:
                    self.rest = self.c.data_to_send()
                if self.rest:
                    k = min(len(self.rest), len(mv))
                    mv[:k] = self.rest[:k]
                    self.rest = self.rest[k:]
                    return k
                if self.done >= n:
                    return 0
                self.ev.clear()
                await self.ev.wait()
            raise SystemExit("client: no progress")

        def write(self, d):
            for e in self.c.receive_data(bytes(d)):
                if e[0] == 2:     # EV_DATA (stream, data, flow-controlled length, end)
                    if e[3]:
                        self.c.acknowledge_received_data(e[3], e[1])
                    if e[4]:
                        if e[2] != BODY:
                            raise SystemExit("client: bad body %r" % (e[2],))
                        self.done += 1
                        self.open -= 1
            self.fill()
            self.ev.set()

        async def drain(self):
            pass

        def close(self):
            pass

    srv = S.listen(onstream, host="127.0.0.1", port=1, http2=True, max_connections=16)
    buf = memoryview(bytearray(2048))
    gate = asyncio.Event()

    async def main():
        await acp("imported")
        c = Client()
        io = StreamIO(c, c, 2048, buf=buf)
        srv.reaper.add(io)
        t = asyncio.create_task(srv._on_connection(io))
        for _ in range(1000):
            if c.done >= m:
                break
            await asyncio.sleep(0)
        await acp("first %d requests answered" % m)
        gate.set()
        c.fill()
        c.ev.set()
        await t
        t = None
        if c.done != n or served[0] != n:
            raise SystemExit("served %d, answered %d, expected %d" % (served[0], c.done, n))
        c = None
        await acp("%d requests served" % n)
        done()
    run(main())


def h2client(n):
    import mhttp.request  # noqa: F401  (what the real client path imports first)
    import _mhttp_port    # noqa: F401
    from mhttp._client_h2 import h2 as new_h2
    from mhttp._io_socket import SocketIO
    from mhttp._io import run_blocking
    from mhttp.headers import Headers
    from mhttp.h2 import H2Protocol
    import mhttp.blocking  # noqa: F401
    yield "imported"
    head = Headers._trusted([(b":status", b"200", False),
                             (b"content-type", b"text/plain", False),
                             (b"content-length", b"13", False)])

    class Sock:
        # A blocking socket whose peer is an HTTP/2 server (mhttp.h2 core) answering
        # every request with BODY.
        def __init__(self):
            self.p = H2Protocol(client=False)
            self.p.initiate_connection()
            self.rest = b""
            self.requests = 0

        def send(self, mv):
            p = self.p
            for e in p.receive_data(bytes(mv)):
                if e[0] == 1:       # EV_HEADERS (stream, headers, end_stream)
                    self.requests += 1
                    p.send_headers(e[1], head, False)
                    p.send_data(e[1], BODY, True)
            return len(mv)

        def recv_into(self, mv):
            if not self.rest:
                self.rest = self.p.data_to_send()
            k = min(len(self.rest), len(mv))
            mv[:k] = self.rest[:k]
            self.rest = self.rest[k:]
            return k if k else None

        def settimeout(self, t):
            pass

        def close(self):
            pass

    sock = Sock()
    conn = new_h2(SocketIO(sock, 2048), {})
    run_blocking(conn.connect(10))
    yield from _gets(conn, sock, n, Headers, run_blocking)


def ws(n, size):
    from mhttp import ws as W
    import mhttp.websocket  # noqa: F401  (the client path's modules, as heap_ws_client.py)
    import mhttp.client  # noqa: F401
    import mhttp.h1_connection  # noqa: F401
    import mhttp.blocking  # noqa: F401
    import _mhttp_port  # noqa: F401
    yield "imported"
    # permessage-deflate negotiated, as the real client does, but no message compressed
    # (min_size): the unix port's firmware cannot compress (MICROPY_PY_DEFLATE_COMPRESS
    # off) while the wasm32 port's can, and a compressor is a buffer, not objects.
    pmd = W.PerMessageDeflate(min_size=1 << 30)
    key = W.client_key()
    req = W.client_request(b"127.0.0.1", b"/ws", key, None, pmd)
    resp, _, sext = W.server_handshake(req, None, W.PerMessageDeflate(min_size=1 << 30))
    _, cext = W.client_check_response(resp, key, None, pmd)
    req = resp = key = pmd = None
    c = W.WSProtocol(client=True, extensions=cext, max_message_size=4096)
    s = W.WSProtocol(client=False, extensions=sext, max_message_size=4096)
    print("INFO permessage-deflate %s, compresses %s" % (
        bool(cext), len(c.send_message(bytes(256))) < 256))
    c = W.WSProtocol(client=True, extensions=cext, max_message_size=4096)
    cext = sext = None
    msg = bytes(range(256)) * (size // 256) + bytes(size % 256)
    yield "handshake"
    for i in range(n):
        s.receive_data(c.send_message(msg))
        e = s.next_event()
        if e is None or e[0] != W.EV_MESSAGE or e[1] != msg:
            raise SystemExit("server: bad event %d %r" % (i, e and e[:1]))
        c.receive_data(s.send_message(e[1]))
        e = None
        e = c.next_event()
        if e is None or e[0] != W.EV_MESSAGE or e[1] != msg:
            raise SystemExit("client: bad event %d %r" % (i, e and e[:1]))
        e = None
        if i == 0:
            yield "first echo"
        elif step(i):
            yield None
    yield "%d echoes" % n


def go(argv):
    # The scenario named by argv: a generator (synchronous: the caller steps it) or None
    # (asyncio: it runs itself and prints DONE at its end).
    what = argv[1]
    if what == "mpy":       # the .mpy version this port reads (sys.implementation._mpy)
        print("MPY %d" % sys.implementation._mpy)
        return imports(())
    if what == "import":
        return imports(argv[2:])
    if what == "h1client":
        return h1client(int(argv[2]))
    if what == "h1server":
        return h1server(int(argv[2]), int(argv[3]))
    if what == "h2server":
        return h2server(int(argv[2]), int(argv[3]))
    if what == "h2client":
        return h2client(int(argv[2]))
    if what == "ws":
        return ws(int(argv[2]), int(argv[3]))
    raise SystemExit("unknown scenario %r" % what)


GEN = None
LABEL = None


def tick():
    # wasm32 (run.mjs calls it until it returns False): one call advances GEN to its next
    # checkpoint and flags a collection, which runs as the call returns; the next call
    # reports the heap.
    global LABEL
    if LABEL is not None:
        report(LABEL)
        LABEL = None
        return True
    try:
        LABEL = next(GEN)
    except StopIteration:
        done()
        return False
    gc.collect()
    return True


def step(i):
    # Every 50 rounds of a loop: True, and the scenario yields None (a collection, no
    # report): the wasm32 port would otherwise collect nothing during the loop (one call
    # from JavaScript) and grow its heap instead.
    return i % 50 == 49


if not WASM:
    # (wasm32: run.mjs makes the calls: gc.collect(), start(), GEN = go(sys.argv), tick()...)
    gc.collect()
    start()
    GEN = go(sys.argv)
    if GEN is not None:
        for LABEL in GEN:
            gc.collect()
            if LABEL is not None:
                report(LABEL)
        LABEL = None
        done()
