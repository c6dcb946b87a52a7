# HTTP/2 server life cycle (tests_host/test_h2_drain.py), portable (CPython and the
# MicroPython unix port):  python tests_host/_h2_drain.py SCENARIO PORT [CERT KEY]
# A raw HTTP/2 client (the sans-I/O core mhttp.h2 over asyncio streams, so that every
# frame the server sends is seen) against mhttp.server in the same process.  Prints
# "KEY value" lines for the test to check.
#   drain   close(5) with an idle connection, a used idle one and a busy one (3 streams
#           whose handler answers after 0.5 s): GOAWAYs, responses, new stream refused
#   stuck   close(0.5) while a handler never finishes: bounded, the task cancelled
#   peer    20 connections, each ended by the client with handlers in flight: the
#           handlers end (their stream calls raise), nothing is left (tasks, counters, RAM)
#   pause   pause()/resume() with an h2 connection open
#   self    a handler that answers, then awaits the server's close()
#   perr    3 connections ended by the server on the client's protocol error, handlers in
#           flight: they raise H2ConnectionError, nothing is left
#   closer  serves until 3 requests are in flight (a real client's: nghttp), then close(5)
#   client  our client (mhttp.request) getting GOAWAY with requests in flight (PORT2:
#           a second free port, the argument after PORT)
import sys

try:
    import _mhttp_port  # noqa: F401
except ImportError:
    import os
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path[:0] = [os.path.join(root, "lib"), os.path.join(root, "ports", "cpython")]

import asyncio
import gc
from mhttp.headers import Headers
from mhttp import server as mserver
from mhttp.h2 import (H2Protocol, EV_HEADERS, EV_DATA, EV_STREAM_RESET, EV_GOAWAY)
from _h2_raw import flush, end

CPY = sys.implementation.name == "cpython"
ENDED = {}          # (path, what ended the handler) -> how many
RUNNING = [0]


def ticks():
    import time
    if hasattr(time, "ticks_ms"):
        return time.ticks_ms()
    return int(time.monotonic() * 1000)


def since(t0):
    return ticks() - t0


async def until(cond, timeout=10.0):
    # bounded polling of an effect inside this process (no fixed sleep as synchronisation)
    n = int(timeout * 100)
    for _ in range(n):
        if cond():
            return True
        await asyncio.sleep(0.01)
    return cond()


async def app(srv, stream):
    req = await stream.get_headers()
    path = req.get(b":path")
    RUNNING[0] += 1
    what = "ok"
    try:
        if path.startswith(b"/slow"):
            await asyncio.sleep(0.5)
        elif path == b"/never":
            await asyncio.sleep(1000)
        elif path == b"/body":
            while (await stream.get_next_chunk()) is not None:
                pass
        await stream.write_headers(Headers(((b":status", b"200"),)), False)
        await asyncio.sleep(0)
        await stream.write_chunk(b"done " + path, True)
    except BaseException as e:
        what = e.__class__.__name__
        raise
    finally:
        RUNNING[0] -= 1
        k = (path, what)
        ENDED[k] = ENDED.get(k, 0) + 1


class Cli:
    # A raw HTTP/2 client: frames in, events recorded.
    async def open(self, port, ctx=None):
        if ctx is None:
            self.r, self.w = await asyncio.open_connection("127.0.0.1", port)
        else:
            self.r, self.w = await asyncio.open_connection("127.0.0.1", port, ssl=ctx,
                                                           server_hostname="localhost")
        self.p = H2Protocol(client=True)
        self.p.initiate_connection()
        self.bodies = {}
        self.done = {}
        self.resets = {}
        self.goaways = []
        self.eof = None
        await self.flush()
        return self

    async def flush(self):
        d = self.p.data_to_send()
        if d:
            self.w.write(d)
            await self.w.drain()

    async def get(self, path, end=True):
        sid = self.p.get_next_available_stream_id()
        self.p.send_headers(sid, [(b":method", b"GET" if end else b"POST"), (b":path", path),
                                  (b":scheme", b"http"), (b":authority", b"x")], end)
        await self.flush()
        return sid

    async def pump(self, timeout=10):
        # One read: False at EOF (or a reset connection)
        try:
            d = await asyncio.wait_for(self.r.read(65536), timeout)
        except OSError as e:
            d = b""
            self.eof = "error %r" % (e,)
        if not d:
            if self.eof is None:
                self.eof = ticks()
            return False
        for ev in self.p.receive_data(d):
            k = ev[0]
            if k == EV_DATA:
                self.bodies[ev[1]] = self.bodies.get(ev[1], b"") + bytes(ev[2])
                self.p.acknowledge_received_data(ev[3], ev[1])
                if ev[4]:
                    self.done[ev[1]] = ticks()
            elif k == EV_HEADERS and ev[3]:
                self.done[ev[1]] = ticks()
            elif k == EV_STREAM_RESET:
                self.resets[ev[1]] = ev[2]
            elif k == EV_GOAWAY:
                self.goaways.append((ev[1], ev[2]))
        try:
            await self.flush()
        except Exception:
            pass
        return True

    async def run_until_eof(self, timeout=10):
        for _ in range(1000):
            if not await self.pump(timeout):
                return

    async def close(self):
        # (MicroPython: Stream.close() does nothing, wait_closed() closes the socket)
        self.w.close()
        try:
            await self.w.wait_closed()
        except Exception:
            pass


def tasks_left():
    if not CPY:
        return 0
    # (the server's Reaper runs until close())
    me = asyncio.current_task()
    return len([t for t in asyncio.all_tasks() if t is not me and not t.done() and
                "Reaper" not in repr(t.get_coro())])


def report(srv):
    print("CONNS", len(srv.conns))
    print("STREAMS", sum([len(getattr(c, "streams", ())) for c in srv.conns]))
    print("RUNNING", RUNNING[0])
    print("TASKS", tasks_left(), len(getattr(srv, "_h2tasks", ())))


def tls_ctx(cert, key):
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    c.set_alpn_protocols(["h2"])
    return ctx, c


async def drain(port, tls):
    sctx = cctx = None
    if tls:
        sctx, cctx = tls_ctx(*tls)
    srv = mserver.listen(app, host="127.0.0.1", port=port, tls=sctx)
    await srv.listen()
    idle = await Cli().open(port, cctx)
    used = await Cli().open(port, cctx)
    await used.get(b"/")
    for _ in range(50):
        if 1 in used.done:
            break
        await used.pump()
    print("USED", used.bodies.get(1))
    busy = await Cli().open(port, cctx)
    for _ in range(3):
        await busy.get(b"/slow/%d" % (busy.p.get_next_available_stream_id()))
    print("STARTED", await until(lambda: RUNNING[0] == 3))
    t0 = ticks()
    closer = asyncio.create_task(srv.close(5))
    # the idle connections end at once: GOAWAY, then EOF
    await idle.run_until_eof()
    await used.run_until_eof()
    print("IDLE", idle.goaways, used.goaways, idle.eof is not None, used.eof is not None)
    print("IDLE_FIRST", not busy.done)
    # the busy one: the first GOAWAY, then a client that ignores it opens stream 7
    for _ in range(50):
        if busy.goaways or not await busy.pump():
            break
    print("FIRST_GOAWAY", busy.goaways[:1])
    sent = None
    if busy.goaways and busy.eof is None:
        busy.p.goaway_received = None      # (a client that ignores GOAWAY)
        busy.p.state = 0
        for _ in range(50):                 # until the final GOAWAY came
            if len(busy.goaways) > 1 or busy.goaways[0][1] < 0x7fffffff:
                break
            if not await busy.pump():
                break
        busy.p.goaway_received = None
        busy.p.state = 0
        sent = await busy.get(b"/late")
    await busy.run_until_eof()
    await closer
    el = since(t0)
    print("AT_RETURN", RUNNING[0], tasks_left())
    print("GOAWAYS", busy.goaways)
    print("BODIES", sorted([(k, v) for k, v in busy.bodies.items()]))
    print("DONE", sorted(busy.done))
    print("LATE", sent, busy.resets.get(sent, "none"), sent in busy.bodies)
    print("ELAPSED_OK", 400 <= el < 4000, el)
    report(srv)
    print("ENDED", sorted(ENDED.items()))
    for c in (idle, used, busy):
        await c.close()


async def stuck(port):
    srv = mserver.listen(app, host="127.0.0.1", port=port)
    await srv.listen()
    c = await Cli().open(port)
    await c.get(b"/never")
    await c.get(b"/slow")
    print("STARTED", await until(lambda: RUNNING[0] == 2))
    t0 = ticks()
    closer = asyncio.create_task(srv.close(1.5))
    await c.run_until_eof()
    await closer
    el = since(t0)
    print("AT_RETURN", RUNNING[0], tasks_left())
    print("ELAPSED_OK", 1400 <= el < 5000, el)
    print("GOAWAYS", c.goaways)
    print("DONE", sorted(c.done), sorted(c.bodies.items()))
    print("GONE", await until(lambda: RUNNING[0] == 0, 3))
    report(srv)
    print("ENDED", sorted(ENDED.items()))
    await c.close()


async def peer(port, n=20):
    srv = mserver.listen(app, host="127.0.0.1", port=port)
    await srv.listen()
    mem = []
    for i in range(n):
        c = await Cli().open(port)
        await c.get(b"/slow")
        await c.get(b"/body", False)
        await c.get(b"/")
        ok = await until(lambda: RUNNING[0] == 2 and ENDED.get((b"/", "ok")) == i + 1)
        if not ok:
            print("NOT_STARTED", i, RUNNING[0])
        if i % 3 == 1:
            await c.close()       # EOF
        elif i % 3 == 2:
            # GOAWAY(NO_ERROR) from the client (it opens no more streams): the streams
            # open go on; the answer of /slow comes, then the client closes
            c.p.close_connection(0)
            await c.flush()
            for _ in range(50):
                if 1 in c.done or not await c.pump():
                    break
            if c.bodies.get(1) != b"done /slow":
                print("NO_ANSWER_AFTER_GOAWAY", i, c.bodies, c.resets)
            await c.close()
        else:
            # GOAWAY(NO_ERROR) from the client, then EOF at once
            c.p.close_connection(0)
            await c.flush()
            await c.close()
        ok = await until(lambda: not srv.conns and RUNNING[0] == 0 and tasks_left() == 0, 5)
        if not ok:
            print("LEFT", i, len(srv.conns), RUNNING[0], tasks_left())
            break
        gc.collect()
        gc.collect()
        mem.append(gc.mem_alloc() if hasattr(gc, "mem_alloc") else 0)
    report(srv)
    print("KINDS", sorted(ENDED.items()))
    print("MEM", mem[4], mem[-1], mem[-1] - mem[4])
    await srv.close(1)
    report(srv)


async def pause(port):
    srv = mserver.listen(app, host="127.0.0.1", port=port)
    await srv.listen()
    c = await Cli().open(port)
    await c.get(b"/")
    srv.pause()
    # a new connection is not served (refused; on MicroPython the listening socket closes
    # when its accept task next runs: a connection that got into its backlog first is
    # reset then)
    served = "no"
    try:
        n = await Cli().open(port)
        await n.get(b"/")
        await n.run_until_eof(5)
        if n.bodies:
            served = "yes"
        await n.close()
    except Exception:
        pass
    print("NEW_WHILE_PAUSED_SERVED", served)
    sid = await c.get(b"/slow")       # the open connection is still served
    for _ in range(50):
        if sid in c.done:
            break
        await c.pump()
    print("PAUSED_SERVED", c.bodies.get(1), c.bodies.get(sid))
    await srv.resume()
    c2 = await Cli().open(port)
    await c2.get(b"/")
    for _ in range(50):
        if 1 in c2.done:
            break
        await c2.pump()
    print("RESUMED", c2.bodies.get(1))
    await srv.close(2)
    await c.run_until_eof()
    await c2.run_until_eof()
    report(srv)


async def raw_server(port, seen):
    # A raw HTTP/2 server (the core over asyncio streams): its first connection answers
    # streams 1 and 3 after a GOAWAY(NO_ERROR, last 3) sent once three requests came in
    # (stream 5 is above it: not processed); later connections answer at once.
    async def conn(r, w):
        seen.append(len(seen))
        first = len(seen) == 1
        p = H2Protocol(client=False)
        p.initiate_connection()
        got = []
        err = None
        try:
            for _ in range(200):
                await flush(p, w)
                d = await asyncio.wait_for(r.read(65536), 10)
                if not d:
                    break
                for ev in p.receive_data(d):
                    if ev[0] == EV_HEADERS:
                        got.append(ev[1])
                if first and len(got) == 3:
                    p.close_connection(0, 3)
                    for sid in (1, 3):
                        p.send_headers(sid, [(b":status", b"200")])
                        p.send_data(sid, b"answer %d" % sid, True)
                    got = []
                elif not first:
                    for sid in got:
                        p.send_headers(sid, [(b":status", b"200")])
                        p.send_data(sid, b"again %d" % sid, True)
                    got = []
        except Exception as e:
            err = e
        await end(w, err)
    return await asyncio.start_server(conn, "127.0.0.1", port)


async def client(port, port2):
    # Our client (mhttp.request, one pooled HTTP/2 connection) getting GOAWAY with
    # requests in flight.
    from mhttp import request
    from mhttp import errors

    where = [port]

    def req(path):
        r = request.new_from_uri("http://127.0.0.1:%d%s" % (where[0], path))
        r.version = 2
        return r

    async def one(path):
        try:
            h, st = await req(path).go(10)
            return (h.get(b":status"), await st.get_body_as_string(10))
        except errors.H2StreamError as e:
            return ("H2StreamError", e.code)
        except Exception as e:
            return (e.__class__.__name__, str(e))

    # 1. the raw server: GOAWAY(last 3) with streams 1, 3, 5 open
    seen = []
    rs = await raw_server(port, seen)
    rr = await asyncio.gather(one("/a"), one("/b"), one("/c"))
    print("RAW", rr)
    print("RAW_NEXT", await one("/d"), len(seen))
    rs.close()
    request.POOL.close_all()
    try:
        await rs.wait_closed()
    except Exception:
        pass

    # 2. our server closing (two-step GOAWAY) with two requests in flight on the pooled
    # connection; a new request made once the client saw the GOAWAY opens a new
    # connection (refused here: the server no longer listens), the two complete
    where[0] = port2
    srv = mserver.listen(app, host="127.0.0.1", port=port2)
    await srv.listen()
    print("FIRST", await one("/"))
    conn = request.POOL.entries[0][1]
    tasks = [asyncio.create_task(one("/slow/%d" % i)) for i in range(2)]
    print("STARTED", await until(lambda: RUNNING[0] == 2), srv.accepted)
    closer = asyncio.create_task(srv.close(5))
    print("GOAWAY_SEEN", await until(lambda: conn.goaway is not None), conn.goaway)
    new = await one("/new")
    print("NEW", new[0], "111" in str(new[1]), RUNNING[0])
    rr = []
    for t in tasks:
        rr.append(await t)
    await closer
    print("OURS", rr, srv.accepted, srv.requests)
    request.POOL.close_all()
    report(srv)


async def self_close(port):
    done = []

    async def bye(srv, stream):
        await stream.get_headers()
        await stream.write_headers(Headers(((b":status", b"200"),)), False)
        await stream.write_chunk(b"bye", True)
        t0 = ticks()
        try:
            await srv.close(5)
            done.append(("closed", since(t0) < 2000))
        except BaseException as e:
            done.append((repr(e), since(t0)))
            raise

    srv = mserver.listen(bye, host="127.0.0.1", port=port)
    await srv.listen()
    c = await Cli().open(port)
    await c.get(b"/")
    await c.run_until_eof(10)
    print("CLIENT", c.bodies, c.goaways)
    print("CLOSED", await until(lambda: done, 10), done)
    print("STOPPED", srv._stopper.is_set())
    await c.close()
    report(srv)


async def perr(port):
    srv = mserver.listen(app, host="127.0.0.1", port=port)
    await srv.listen()
    for i in range(3):
        c = await Cli().open(port)
        await c.get(b"/slow")
        await c.get(b"/body", False)
        if not await until(lambda: RUNNING[0] == 2):
            print("NOT_STARTED", i)
        c.w.write(b"\x00\x00\x00\x00\x00\x00\x00\x00\x00")   # DATA on stream 0
        await c.w.drain()
        await c.run_until_eof(5)
        print("GOAWAYS", c.goaways)
        await c.close()
        # (the server's task set empties in each task's done callback, a turn after
        # the handler's last line: waited for too)
        if not await until(lambda: not srv.conns and RUNNING[0] == 0 and tasks_left() == 0
                           and not srv._h2tasks, 5):
            print("LEFT", i)
    report(srv)
    print("ENDED", sorted(ENDED.items()))


async def closer(port):
    srv = mserver.listen(app, host="127.0.0.1", port=port)
    await srv.listen()
    print("LISTENING")
    print("STARTED", await until(lambda: RUNNING[0] == 3, 30))
    t0 = ticks()
    await srv.close(5)
    print("ELAPSED_OK", since(t0) < 4000)
    report(srv)
    print("ENDED", sorted(ENDED.items()))


def main():
    what = sys.argv[1]
    port = int(sys.argv[2])
    if what == "drain":
        asyncio.run(drain(port, sys.argv[3:5] if len(sys.argv) > 3 else None))
    elif what == "stuck":
        asyncio.run(stuck(port))
    elif what == "peer":
        asyncio.run(peer(port))
    elif what == "client":
        asyncio.run(client(port, int(sys.argv[3])))
    elif what == "perr":
        asyncio.run(perr(port))
    elif what == "closer":
        asyncio.run(closer(port))
    elif what == "self":
        asyncio.run(self_close(port))
    elif what == "pause":
        asyncio.run(pause(port))
    print("END")



if __name__ == "__main__":
    main()
