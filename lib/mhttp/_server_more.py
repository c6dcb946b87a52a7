# mhttp._server_more: mhttp.server.Server's rarely used methods, loaded on first use by
# mhttp._lazy.bind (a plain HTTP/1 server that is started with listen() and stopped with
# close() never loads them): localname, pause/resume, loop/serve_forever/run, a failed
# handler's answer, the error response with its lingering close, and the default onerror.
import sys

from mhttp.errors import Error

# Lingering close after an error response: at most this many bytes or milliseconds, and
# LINGER_READ seconds of silence ends it.
LINGER_BYTES = 1 << 20
LINGER_MS = 2000
LINGER_READ = 0.5

# Server.refused's default (connections refused past max_connections; bound on first
# use, by the refusal, see mhttp.server)
refused = 0


def _modattr(name):
    # mhttp.server's module __getattr__: Error, H1Error, Timeout, ConnectionClosed
    # (mhttp.errors'), LINGER_BYTES, LINGER_MS, LINGER_READ (here) and __all__.
    if name == "__all__":     # `from ... import *` (mhttp._star)
        import mhttp.server as m
        from mhttp._star import names
        return names(m.__dict__, "Error H1Error Timeout ConnectionClosed")
    if name in "LINGER_BYTES LINGER_MS LINGER_READ".split():
        return globals()[name]
    if name not in "Error H1Error Timeout ConnectionClosed".split():
        raise AttributeError(name)
    import mhttp.errors as m
    return getattr(m, name)


def default_onerror(server, ctx, op, exc):
    print("mhttp.server: error in %s: %r" % (op, exc))
    if hasattr(sys, "print_exception"):
        sys.print_exception(exc)
    else:
        import traceback
        traceback.print_exception(type(exc), exc, exc.__traceback__)


def localname(self):
    # (host, port) the server listens on.
    # (None too while a listen() binds: _serve is its list then)
    return getattr(self._serve, "sockname", None)


def pause(self):
    # Stops accepting new connections (the listening socket is closed: on MicroPython when
    # its accept task next runs); connections already open keep being served, an HTTP/2
    # one its new streams too (no GOAWAY: that is close()).  resume() listens again on
    # the same port.  While a listen() binds (_serve is its list, see Server.listen):
    # marked, it closes what it bound.
    if type(self._serve) is list:
        self._serve.append(1)
    elif self._serve is not None:
        name = self._serve.sockname
        if name:
            self.port = name[1]
        self._serve.close()
        self._srv_paused = self._serve
        self._serve = None


async def resume(self):
    # (listen(): its bind is the one close() and pause() coordinate with; a pause()
    # while a listen() binds is undone)
    if type(self._serve) is list:
        self._serve.clear()
    elif self._serve is None and not self._closing:
        await self.listen()


async def loop(self, timeout=None):
    # Serves until close() (or `timeout` seconds).
    import asyncio
    if self._serve is None and not self._closing:
        await self.listen()
    if self._stopper is None:
        # (made here, not by listen(): see Server.__init__; close() sets it when done)
        self._stopper = asyncio.Event()
    if timeout is None:
        await self._stopper.wait()
    else:
        try:
            await asyncio.wait_for(self._stopper.wait(), timeout)
        except asyncio.TimeoutError:
            pass


serve_forever = loop


def run(self):
    # Blocking: listen and serve until close() is called from a handler/task.
    import asyncio
    asyncio.run(self.loop())


async def _onstream_failed(self, io, stream, e):
    # The handler raised e (not ConnectionClosed): bad body framing from the client is
    # its 4xx, a Timeout 408, anything else 500 and onerror; the error response (and
    # its lingering close) when no head was sent yet.  The connection then ends.
    from mhttp.errors import H1Error, Timeout
    if isinstance(e, H1Error):
        status = e.status_hint
    elif isinstance(e, Timeout):
        status = 408
    else:
        status = 500
        self._report(stream, "onstream", e)
    if not stream.headers_sent:
        await self._error_close(io, status)


async def _error_close(self, io, status, write_timeout=None):
    # A Connection: close error response, then a bounded lingering close (RFC 9112
    # §9.6): what the client is still sending (an over-limit upload, a header bomb)
    # is read and dropped for a moment, so that closing with unread bytes does not
    # reset the connection before the client has read the response.  Our side is
    # half-closed first, so a client reading to EOF is not kept waiting.  status None:
    # no response, only the lingering close (an HTTP/2 connection after our final GOAWAY).
    from mhttp._io import ticks_ms, ticks_diff
    try:
        if status == 503 and self.http2 and self.tls is not None and io.alpn() == b"h2":
            # refused (full, closing) after the client chose h2 by ALPN: an HTTP/2 answer
            # (RFC 9113 §3.4: our first bytes are a SETTINGS frame), then GOAWAY with
            # last-stream-id 0 and REFUSED_STREAM: no stream processed, the client may
            # send its request again (§6.8, §8.7), as to a refused stream
            await io.send([b"\0\0\0\4\0\0\0\0\0\0\0\x25\7\0\0\0\0\0\0\0\0\0\0\0\0\7"
                           b"server busy (max_connections)"],
                          write_timeout or self.write_timeout)
            status = None
        if status is not None:
            from mhttp.h1_connection import error_response
            await io.send([error_response(status)], write_timeout or self.write_timeout)
        try:
            sw = io.shutdown_write      # may load _io_stream_rare: MemoryError possible
        except Exception:
            sw = None
        if sw is None or not sw():
            return    # no half-close here (MicroPython sockets, TLS): just close
        t0 = ticks_ms()
        n = 0
        while n < LINGER_BYTES and ticks_diff(ticks_ms(), t0) < LINGER_MS:
            d = await io.recv(LINGER_READ)
            if not d:
                break
            n += len(d)
    except Error:
        pass


# -- close() with exchanges in flight ------------------------------------------------------

async def _close_busy(self, timeout):
    # close()'s wait when requests are in flight (or HTTP/2 connections, handler tasks):
    # close() already refused new connections, marked every connection close_after and
    # woke the idle ones.  The exchange of the handler awaiting close(), when it is one
    # of ours, is not waited for (it could not end before close() returns: its handler
    # is the one waiting): its connection leaves self.conns now and ends when the
    # handler returns (HTTP/1: with Connection: close on a response written after this;
    # HTTP/2: its final GOAWAY once its streams are done; only while its stream is open,
    # else that connection ends by itself and is waited for as before), its HTTP/2 task
    # leaves self._h2tasks.  Each other open websocket gets its close frame 1001 (Going
    # Away, see _going_away).  Then: wait until no connection nor HTTP/2 handler task is
    # left (Server._end and the end of a handler task set _closing), at most `timeout`
    # seconds, after which the connections left are aborted and the handler tasks left
    # cancelled.
    import asyncio
    # A listen() binding (its list in _serve, see Server.listen) closes what it bound
    # once done: wait for that first, at most `timeout` seconds (polled: no hook of
    # its own on the plain path); close() then waits for the socket to be closed.
    n = int((86400 if timeout is None else timeout) * 100) + 1
    while type(self._serve) is list and n:
        n -= 1
        await asyncio.sleep(0.01)
    me = asyncio.current_task()
    own, st = _caller(self, me)
    # (before the caller's connection leaves self.conns: the other websockets on it, an
    # HTTP/2 one's, get their 1001 too)
    _going_away(self, st, None if sys.implementation.name == "cpython" else me)
    if own is not None:
        self.conns.discard(own)
        ev = self._stopper
        if ev is None:
            # (no loop() yet: one started while this close() is under way waits for the
            # end of the caller's exchange all the same)
            ev = self._stopper = asyncio.Event()
        # loop() / run() return once close() is done AND that exchange is over, not
        # when close() returns (asyncio.run would then end that exchange: an answer
        # written after close() returned was lost), nor when that exchange is over
        # (asyncio.run would then end close() and the exchanges it waits for).  The
        # stopper meanwhile is g, which close() sets when done; a loop() started
        # meanwhile waits for ev all the same (g.wait is ev.wait), which _stop_after
        # sets once both are.
        g = self._stopper = asyncio.Event()
        g.wait = ev.wait
        asyncio.create_task(_stop_after(self, own, ev, g, timeout))
    t = self._h2tasks
    if t:
        t.discard(me)
    if self.conns or self._h2tasks:
        try:
            await asyncio.wait_for(self._closing.wait(), timeout)
        except asyncio.TimeoutError:
            for c in list(self.conns):
                c.abort()
                if c.version != 2:
                    # HTTP/1: it leaves self.conns now, and its handler, if one still
                    # runs, is cancelled, as HTTP/2 handler tasks are below (an HTTP/2
                    # connection ends by itself once aborted: its reader wakes)
                    self.conns.discard(c)
                    _cancel_h1(c, me)
            t = self._h2tasks       # (a set made during the wait, by a first handler)
            if t:
                # HTTP/2 handler tasks still running: cancelled, and given their turn
                for c in list(t):
                    c.cancel()
                t.clear()
                await asyncio.sleep(0)


def _cancel_h1(c, me):
    # At close()'s timeout: the task of HTTP/1 connection c (aborted), when its handler
    # still runs (c.idle True: it waits for a request, which the abort ends), is
    # cancelled; never task me, close()'s own.  MicroPython: c.idle is that task while
    # the handler runs (mhttp.server).  CPython (c.idle None then): on asyncio streams
    # the Task whose coroutine chain holds c's Server._on_connection; on the
    # asyncio.Protocol fast path the Task continuing its hand-driven coroutine, io.task
    # (None while it waits for bytes, which the abort ends).  io._expired marks the
    # cancel as close()'s (a StreamIO's flag for "the Reaper, or close(), woke it"):
    # _on_connection then ends quietly instead of raising CancelledError (CPython 3.11's
    # asyncio streams report a connection task that ends cancelled).
    import asyncio
    t = c.idle
    if t is True or t is False:
        return
    io = c.io
    if t is None:
        from mhttp.server import Server
        a = Server._on_connection.__code__
        for x in asyncio.all_tasks():
            y = x.get_coro()
            for _ in range(64):
                if getattr(y, "cr_code", None) is a:
                    if y.cr_frame.f_locals.get("conn") is c:
                        t = x
                    break
                y = getattr(y, "cr_await", None)
                if y is None:
                    break
            if t is not None:
                break
        else:
            t = getattr(io, "task", None)
    if t is not None and t is not me and not t.done():
        io._expired = True
        t.cancel()


async def _stop_after(self, own, ev, g, timeout):
    # close()'s end for loop(): ev, the stopper, is set once close() is done (it set g)
    # and the caller's own connection has ended (its io closed: Server._end), aborted
    # `timeout` seconds after close() returned if it has not.  (Polled every 20 ms:
    # neither end has a hook of its own, and the plain path gets none for this.)
    # close() returns within its timeout and 1 s (its listening socket's wait_closed):
    # if it has not 5 s after that, it was cancelled, and loop() does not return (as
    # when close() is not a handler's).
    import asyncio
    io = own.io
    n = int((86400 if timeout is None else timeout) * 50) + 1
    for _ in range(n + 250):
        if g.is_set():
            break
        await asyncio.sleep(0.02)
    else:
        self._stopper = ev
        return
    for _ in range(n):
        if io.closed:
            break
        await asyncio.sleep(0.02)
    else:
        own.abort()
    self._stopper = ev
    ev.set()


def _caller(self, me):
    # The exchange of the handler awaiting close() (running in task me): (its connection
    # not to wait for, or None; its stream, or None).  HTTP/1: the connection and its
    # stream.  HTTP/2: the stream, and its connection while that stream is still open.
    # (None, None) when the caller is no handler of this server (another task, a
    # handler of another server).  CPython reads it from the frames of the call (the
    # same on both I/O paths: a connection's coroutine driven by hand by the
    # asyncio.Protocol, or run by a Task): the innermost Server._on_connection or
    # HTTP/2 _handle frame of this server.  MicroPython has no frames: an HTTP/1
    # handler runs in its connection's own task, which conn.idle holds while the
    # handler runs (mhttp.server); an HTTP/2 handler's stream is known only for a
    # websocket's, by the task accept() ran in (mhttp._ws_server); another HTTP/2
    # handler that awaits close() before its stream is done holds its connection until
    # the timeout.
    c = s = None
    if sys.implementation.name == "cpython":
        from mhttp.server import Server
        a = Server._on_connection.__code__
        m = sys.modules.get("mhttp._h2_server")
        b = m._handle.__code__ if m is not None else None
        f = sys._getframe(1)
        while f is not None:
            if f.f_code is a and f.f_locals.get("self") is self:
                c = f.f_locals.get("conn")
                if c is None or c.version == 2 or c.idle is True:
                    return None, None
                return c, c.stream
            if f.f_code is b and f.f_locals.get("server") is self:
                s = f.f_locals.get("stream")
                break
            f = f.f_back
    else:
        for c in self.conns:
            if c.version != 2 and c.idle is me:
                return c, c.stream
        for c in self.conns:
            if c.version == 2:
                for x in c.streams.values():
                    ws = getattr(x, "ws", None)
                    if ws is not None and getattr(ws, "task", None) is me:
                        s = x
    if s is None:
        return None, None
    c = s.conn
    if c in self.conns and c.streams.get(s.id) is s:
        return c, s
    return None, s


def _going_away(self, st, me):
    # Each open server websocket (accepted by mhttp._ws_server.accept, which notes it on
    # its stream as stream.ws) gets its close frame 1001, Going Away (RFC 6455 §7.4.1,
    # "a server going down"), sent by a task of its own (a client that does not read
    # stalls only its own): its handler's receive() then reads the client's answering
    # close frame and returns None (ws.close_code holds it), the transport ends (HTTP/1:
    # the TCP connection; HTTP/2: the CONNECT stream), the handler ends.  Not the
    # websocket of the caller's own exchange (stream st, or accepted in task me on
    # MicroPython; me is None on CPython), which its handler still owns.  A handler
    # that is not reading gets WSError at its next send (the closing handshake has
    # begun); one that never reads again is ended at close()'s timeout.
    import asyncio
    for c in list(self.conns):
        if c.version == 2:
            l = list(c.streams.values())
        else:
            l = (c.stream,)
        for s in l:
            ws = getattr(s, "ws", None)
            if (ws is not None and s is not st and ws.ready_state == 1 and
                    (me is None or getattr(ws, "task", None) is not me)):
                asyncio.create_task(_bye(ws))


async def _bye(ws):
    # A websocket's close frame 1001, without waiting for the answer (its handler reads
    # it).  (This task is not the connection's own coroutine: the asyncio.Protocol fast
    # path writes such a write at once, see ProtocolIO.send.)
    await ws.close(1001, "", None, False)
