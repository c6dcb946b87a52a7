# mhttp.server's close() awaited by a handler, and close() with websockets open
# (tests_host/test_server_close_self.py), portable (CPython and the MicroPython unix port):
#   python tests_host/_server_close_self.py SCENARIO PORT [streams|CERT KEY]
# Clients in the same process: raw HTTP/1.1 over asyncio streams (every byte seen), and
# our websocket client (mhttp.websocket, over HTTP/1.1 or HTTP/2).  Prints "KEY value"
# lines for the test to check, then END.
#   h1      an HTTP/1.1 handler answers, then awaits close(5), while another request
#           is in flight (its handler answers after 0.8 s) and a third connection is idle
#   late    a handler awaits close(5) first, then answers (the only connection)
#   pipe    two requests pipelined behind the closing one, and on another connection a
#           slow request with one pipelined behind it
#   ws1     close(3) from a task with two websockets open over HTTP/1.1
#   ws1self a websocket handler (HTTP/1.1) awaits close(3) when told, then answers on
#           its own websocket; another websocket is open
#   h2late  an HTTP/2 handler (mhttp.request, prior knowledge) awaits close(5) first, then
#           answers: CPython only (see docs/internals.md, Server life cycle)
#   run     srv.run() (the test is the client): a handler awaits close(5), suspends, then
#           answers; run() returns after that answer, not when close() returned
#   ws1deaf close(1) with a websocket whose client never answers the close frame (raw
#           HTTP/1.1 client): close() returns at its timeout, the connection aborted
#   ws2     as ws1 over HTTP/2 (RFC 8441, h2c prior knowledge)
#   ws2self as ws1self over HTTP/2
#   run2    srv.run() (the test is the client): /slow in flight, then /shutdown, whose
#           client closes (or resets) its connection once it has read the answer, while
#           close() still waits for /slow: run() returns after close() did, /slow answered
#   loopmid a handler awaits close(5), then answers 0.5 s later; a loop() started
#           meanwhile returns once that answer is out (and close() done)
#   h1stuck a handler that never answers, and /shutdown's close(1): at the timeout the
#           stuck connection is aborted, leaves srv.conns and its handler is cancelled
#   ws2same two websockets on ONE HTTP/2 connection (raw RFC 8441 streams); one's
#           handler awaits close(3): the other gets its 1001 at once (its connection is
#           the caller's), close() returns after that closing handshake
#   h2samews as ws2same, the caller a plain HTTP/2 request's handler (CPython: see
#           docs/internals.md, Server life cycle)
# "streams" (CPython): the server on asyncio streams (MicroPython's I/O path) instead of
# the asyncio.Protocol fast path; CERT KEY (CPython): over TLS.
import sys

try:
    import _mhttp_port  # noqa: F401
except ImportError:
    import os
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path[:0] = [os.path.join(root, "lib"), os.path.join(root, "ports", "cpython")]

import asyncio
from mhttp.headers import Headers
from mhttp import server as mserver
from mhttp import websocket

CPY = sys.implementation.name == "cpython"
EV = []             # (ticks, what) in the order things happened in the server
WSEND = {}          # websocket path -> (close_code seen by its handler, how it ended)
OPT = {}


def ticks():
    import time
    if hasattr(time, "ticks_ms"):
        return time.ticks_ms()
    return int(time.monotonic() * 1000)


def note(what):
    EV.append((ticks(), what))


async def until(cond, timeout=10.0):
    for _ in range(int(timeout * 100)):
        if cond():
            return True
        await asyncio.sleep(0.01)
    return cond()


async def answer(stream, body, close=None):
    h = Headers()
    h.append(":status", "200")
    h.append("content-length", str(len(body)))
    await stream.write_headers(h, False)
    await stream.write_chunk(body, True)


async def closing(srv, timeout, start=True):
    # await srv.close(timeout), noted ("close start" unless not start, "close returned"),
    # its duration printed (CLOSE_MS)
    t0 = ticks()
    if start:
        note("close start")
    await srv.close(timeout)
    print("CLOSE_MS", ticks() - t0)
    note("close returned")


# handlers that await close() first, then answer (Connection: close on the response):
# path -> (close()'s timeout, how long the handler then suspends, its answer)
LATE = {
    b"/late": (5, 0, b"late answer"),
    b"/late2": (5, 0.05, b"late"),          # (run: under srv.run())
    b"/loopmid": (5, 0.5, b"mid"),          # (loopmid: a loop() started meanwhile)
    b"/h2late": (3, 0, b"late answer"),     # (h2samews: an HTTP/2 request's handler)
}


async def app(srv, stream):
    req = await stream.get_headers()
    path = req.get(b":path")
    if path == b"/slow":
        note("slow start")
        await asyncio.sleep(0.8)
        await answer(stream, b"slow done")
        note("slow end")
    elif path == b"/shutdown":
        # answers, then awaits close(): not waited for itself
        await answer(stream, b"bye")
        await closing(srv, 5)
    elif path in LATE:
        timeout, pause, body = LATE[path]
        await closing(srv, timeout)
        if pause:
            await asyncio.sleep(pause)
        await answer(stream, body)
        note("handler end")
    elif path == b"/stuck":
        note("stuck start")
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            note("stuck cancelled")
            raise
        note("stuck end")
    elif path == b"/shut1":
        # (h1stuck's events: no "close start")
        await answer(stream, b"bye")
        await closing(srv, 1, False)
    elif path.startswith(b"/ws"):
        await ws_app(srv, stream, req, path)
    else:
        await answer(stream, b"ok " + path)


async def ws_app(srv, stream, req, path):
    ws = websocket.new_from_stream(stream, req)
    await ws.accept()
    how = "end"
    try:
        while True:
            m = await ws.receive()
            if m is None:
                break
            if m[0] == "shutdown":
                await closing(srv, 3)
                await ws.send("after close")
                await ws.close(1000, "own")
                how = "own"
                break
            await ws.send(m[0], m[1])
    except Exception as e:
        how = e.__class__.__name__
    WSEND[path.decode()] = (ws.close_code, how)
    note("ws end " + path.decode())


def server(port):
    # the server, on asyncio streams or over TLS as OPT says (not listening yet)
    kw = {}
    if OPT.get("streams"):
        kw["streams"] = True
    if OPT.get("tls"):
        kw["tls"] = OPT["tls"]
    return mserver.listen(app, host="127.0.0.1", port=port, **kw)


async def serve(port):
    srv = server(port)
    await srv.listen()
    return srv


async def conn(port):
    if OPT.get("tls"):
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.set_alpn_protocols(["http/1.1"])
        return await asyncio.open_connection("127.0.0.1", port, ssl=ctx)
    return await asyncio.open_connection("127.0.0.1", port)


def req(path):
    return b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n"


async def sent(port, *paths):
    # a new connection, GET requests for paths written on it (pipelined) -> (reader, writer)
    r, w = await conn(port)
    w.write(b"".join([req(p) for p in paths]))
    await w.drain()
    return r, w


async def read_all(r, timeout=10):
    # what the server sends until EOF (or an error), and when the EOF came
    data = b""
    for _ in range(1000):
        try:
            c = await asyncio.wait_for(r.read(4096), timeout)
        except Exception as e:
            return data, "error %s" % e.__class__.__name__
        if not c:
            break
        data += c
    return data, ticks()


def summary(data):
    # [(status line, Connection: close?, body)] of the responses in data
    out = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            out.append(("partial", False, head))
            break
        lines = head.split(b"\r\n")
        n = 0
        close = False
        for ln in lines[1:]:
            k, _, v = ln.partition(b":")
            k = k.strip().lower()
            if k == b"content-length":
                n = int(v.strip())
            elif k == b"connection" and v.strip().lower() == b"close":
                close = True
        out.append((lines[0].decode(), close, rest[:n].decode()))
        data = rest[n:]
    return out


def when(what):
    for t, w in EV:
        if w == what:
            return t
    return None


async def h1(port):
    srv = await serve(port)
    ri, wi = await sent(port, b"/first")   # idle keep-alive, after one request
    first = await asyncio.wait_for(ri.read(4096), 5)
    print("FIRST", summary(first))
    rb, wb = await sent(port, b"/slow")
    await until(lambda: when("slow start") is not None)
    ra, wa = await sent(port, b"/shutdown")
    idle, t_idle = await read_all(ri)
    slow, t_slow = await read_all(rb)
    own, t_own = await read_all(ra)
    await until(lambda: when("close returned") is not None)
    print("IDLE", summary(idle), t_idle <= when("slow end"))
    print("SLOW", summary(slow))
    print("OWN", summary(own))
    # close() returned once the slow request was answered
    print("ORDER", when("slow end") <= when("close returned"))
    print("LEFT", len(srv.conns), srv._closing.is_set())
    try:
        r, w = await sent(port, b"/again")
        d = await asyncio.wait_for(r.read(100), 5)
        print("REFUSED", not d)
        w.close()
    except OSError:
        print("REFUSED", True)
    for w in (wi, wb, wa):
        w.close()


async def late(port):
    srv = await serve(port)
    ra, wa = await sent(port, b"/late")
    own, t_own = await read_all(ra)
    print("OWN", summary(own))
    print("EOF", t_own != "error" and isinstance(t_own, int))
    print("LEFT", len(srv.conns))
    wa.close()


async def h2late(port):
    import mhttp.request
    srv = await serve(port)
    rq = mhttp.request.new_from_uri("http://127.0.0.1:%d/late" % port)
    rq.version = 2
    h, st = await rq.go(10)
    body = await st.get_body_as_string(10)
    print("OWN", h.get(b":status"), body, st.connection.version)
    await until(lambda: not srv.conns and not srv._h2tasks)
    print("LEFT", len(srv.conns), len(srv._h2tasks))


async def pipe(port):
    srv = await serve(port)
    rb, wb = await sent(port, b"/slow", b"/after-slow")
    await until(lambda: when("slow start") is not None)
    ra, wa = await sent(port, b"/shutdown", b"/after1", b"/after2")
    own, t_own = await read_all(ra)
    slow, t_slow = await read_all(rb)
    await until(lambda: when("close returned") is not None)
    print("OWN", summary(own))
    print("SLOW", summary(slow))
    print("ORDER", when("slow end") <= when("close returned"))
    print("LEFT", len(srv.conns))
    wa.close()
    wb.close()


def ws_url(port, path):
    return "ws://127.0.0.1:%d%s" % (port, path)


async def ws_client(port, path, version):
    ws = websocket.new_from_uri(ws_url(port, path), version=version)
    await ws.connect(5)
    await ws.send("hello")
    r = await ws.receive(5)
    assert r == ("hello", "text"), r
    return ws


async def ws_close(port, version):
    # close() from a task with two websockets open
    srv = await serve(port)
    a = await ws_client(port, "/ws/a", version)
    b = await ws_client(port, "/ws/b", version)
    print("VERSION", a.connection.version, b.connection.version)
    task = asyncio.create_task(closing(srv, 3))
    ra = await a.receive(8)
    rb = await b.receive(8)
    await asyncio.wait_for(task, 10)
    print("CLIENTS", ra, a.close_code, rb, b.close_code)
    print("HANDLERS", sorted(WSEND.items()))
    print("LEFT", len(srv.conns), len(srv._h2tasks))


async def ws_deaf(port):
    # a websocket client that never answers: the server's close frame 1001 reaches it,
    # close(1) returns at its timeout and aborts the connection
    srv = await serve(port)
    r, w = await conn(port)
    w.write(b"GET /ws/deaf HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            b"Sec-WebSocket-Version: 13\r\n\r\n")
    await w.drain()
    head = b""
    while b"\r\n\r\n" not in head:
        c = await asyncio.wait_for(r.read(1), 5)
        if not c:
            break
        head += c
    print("HEAD", head.split(b"\r\n")[0].decode())
    await closing(srv, 1)
    data, t_eof = await read_all(r)
    print("GOT", data)
    await until(lambda: len(WSEND) == 1)
    print("HANDLERS", sorted(WSEND.items()))
    print("LEFT", len(srv.conns))
    w.close()


async def ws_self(port, version):
    # a websocket handler awaits close() (told by its client), then answers on its own
    # websocket; another websocket is open
    srv = await serve(port)
    a = await ws_client(port, "/ws/a", version)
    o = await ws_client(port, "/ws/own", version)
    await o.send("shutdown")
    ra = await a.receive(8)
    ro = await o.receive(8)
    ro2 = await o.receive(8)
    await until(lambda: when("close returned") is not None)
    print("OTHER", ra, a.close_code)
    print("OWN", ro, ro2, o.close_code, o.close_reason)
    await until(lambda: len(WSEND) == 2)
    print("HANDLERS", sorted(WSEND.items()))
    print("ORDER", when("ws end /ws/a") <= when("close returned"),
          when("close returned") <= when("ws end /ws/own"))
    await until(lambda: not srv.conns and not srv._h2tasks)
    print("LEFT", len(srv.conns), len(srv._h2tasks))


def run(port):
    srv = server(port)
    srv.run()
    note("run returned")
    print("EVENTS", [w for t, w in EV])
    if when("handler end") is not None:
        print("ORDER", when("close returned") <= when("handler end") <= when("run returned"))


async def loopmid(port):
    # loop() started while a handler's close() is under way (before: AttributeError,
    # the stopper was None meanwhile)
    srv = await serve(port)
    ra, wa = await sent(port, b"/loopmid")
    await until(lambda: when("close returned") is not None)
    try:
        await asyncio.wait_for(srv.loop(), 5)
        note("loop returned")
    except Exception as e:
        print("LOOP", repr(e))
    own, t_own = await read_all(ra)
    print("OWN", summary(own))
    print("EVENTS", [w for t, w in EV])
    wa.close()


async def h1stuck(port):
    srv = await serve(port)
    rs, ws = await sent(port, b"/stuck")
    await until(lambda: when("stuck start") is not None)
    ra, wa = await sent(port, b"/shut1")
    own, t_own = await read_all(ra)
    await until(lambda: when("close returned") is not None)
    # right after close() returned
    print("LEFT", len(srv.conns))
    stuck, t_stuck = await read_all(rs)
    await until(lambda: when("stuck cancelled") is not None, 3)
    print("OWN", summary(own))
    print("STUCK", summary(stuck))
    print("EVENTS", [w for t, w in EV])
    ws.close()
    wa.close()


async def h2ws(conn, port, path):
    # a client websocket over RFC 8441 on a shared HTTP/2 connection: the CONNECT
    # stream and a WSProtocol (our client would close the whole connection at its end)
    from mhttp._ws_hs import client_request
    from mhttp.ws import WSProtocol
    s = conn.new_stream()
    await s.write_headers(client_request(b"127.0.0.1:%d" % port, path, None, None, None,
                                         b"http", True), False)
    h = await s.get_headers(5)
    assert h.get(b":status") == b"200", h
    return s, WSProtocol(True)


async def h2ws_next(s, p, timeout=8):
    # the next websocket event on stream s (protocol p); its automatic answer written
    from mhttp.ws import EV_CLOSE
    for _ in range(100):
        ev = p.next_event()
        if ev is not None:
            out = p.data_to_send()
            if out:
                await s.write_chunk(out, ev[0] == EV_CLOSE, 5)
            return ev
        c = await s.get_next_chunk(timeout)
        if c is None:
            return None
        p.receive_data(c)
    return "too many chunks"


async def ws2same(port, late):
    # two websockets (or a websocket and a request whose handler awaits close()) on one
    # HTTP/2 connection: the caller's connection leaves srv.conns, but its other
    # websocket gets its 1001 all the same (before: nothing until close()'s timeout)
    from mhttp import client
    from mhttp._ws_more import _h2_check
    srv = await serve(port)
    c = await client.connect(host="127.0.0.1", port=port, tls=False, version=2)
    await _h2_check(c, None)
    sa, pa = await h2ws(c, port, b"/ws/a")
    await sa.write_chunk(pa.send_message("hello"), False, 5)
    print("ECHO", await h2ws_next(sa, pa))
    if late:
        so = c.new_stream()
        h = Headers()
        for k, v in ((":method", "GET"), (":path", "/h2late"), (":scheme", "http"),
                     (":authority", "x")):
            h.append(k, v)
        await so.write_headers(h, True)
    else:
        so, po = await h2ws(c, port, b"/ws/own")
        await so.write_chunk(po.send_message("shutdown"), False, 5)
    t0 = ticks()
    ev = await h2ws_next(sa, pa)
    print("OTHER", ev, ticks() - t0 < 1000)
    if late:
        h = await so.get_headers(8)
        print("OWN", h.get(b":status"), await so.get_body_as_string(8))
    else:
        print("OWN", await h2ws_next(so, po), await h2ws_next(so, po))
    await until(lambda: when("close returned") is not None)
    await until(lambda: len(WSEND) == (1 if late else 2))
    print("HANDLERS", sorted(WSEND.items()))
    await until(lambda: not srv.conns and not srv._h2tasks)
    print("LEFT", len(srv.conns), len(srv._h2tasks))
    c.abort()
    # (the caller's connection, out of srv.conns, ends its lingering close on our EOF)
    await asyncio.sleep(0.3)


def main():
    what = sys.argv[1]
    port = int(sys.argv[2])
    if len(sys.argv) > 3:
        if sys.argv[3] == "streams":
            OPT["streams"] = True
        else:
            OPT["tls"] = (sys.argv[3], sys.argv[4])
    if what == "h1":
        asyncio.run(h1(port))
    elif what == "late":
        asyncio.run(late(port))
    elif what == "h2late":
        asyncio.run(h2late(port))
    elif what in ("run", "run2"):
        run(port)
    elif what == "loopmid":
        asyncio.run(loopmid(port))
    elif what == "h1stuck":
        asyncio.run(h1stuck(port))
    elif what == "ws2same":
        asyncio.run(ws2same(port, False))
    elif what == "h2samews":
        asyncio.run(ws2same(port, True))
    elif what == "pipe":
        asyncio.run(pipe(port))
    elif what == "ws1":
        asyncio.run(ws_close(port, 1.1))
    elif what == "ws1deaf":
        asyncio.run(ws_deaf(port))
    elif what == "ws2":
        asyncio.run(ws_close(port, 2))
    elif what == "ws1self":
        asyncio.run(ws_self(port, 1.1))
    elif what == "ws2self":
        asyncio.run(ws_self(port, 2))
    print("END")


main()
