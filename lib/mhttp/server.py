# mhttp.server: lua-http's http.server in Python idiom.
#
#   async def onstream(server, stream):
#       req = await stream.get_headers()
#       await stream.write_headers(Headers([(":status", "200")]), False)
#       await stream.write_chunk(b"hi\n", True)
#
#   srv = mhttp.server.listen(onstream, host="127.0.0.1", port=8000)
#   await srv.listen()          # bind; srv.localname() -> (host, port)
#   await srv.loop()            # serve until srv.close()
#   srv.run()                   # or both, blocking (asyncio.run)
#
# Each accepted connection runs _on_connection(io) with an I/O object from the port
# (CPython: the asyncio.Protocol fast path; MicroPython: a StreamIO from the port's
# accept loop, Stream and start_server below).  The choice of
# connection class for an accepted socket is made in one place, _new_connection (where
# HTTP/2 prior knowledge and ALPN plug in).  A bad client gets its 4xx (with Connection:
# close) and is closed; a handler exception becomes a 500 (when no head was sent yet) and
# onerror(server, stream, "onstream", exc); every other client keeps being served.
# Timeouts: idle_timeout (keep-alive wait for the next request), header_timeout (first
# byte to end of head: slowloris), body_timeout (per body read: stalled uploads; on
# HTTP/2 also the default of a request stream's reads and the wait for the rest of a
# header block begun, see mhttp._server_h2._new_h2),
# body_deadline (HTTP/1: end of the request head to end of its body, default 300 s: an
# upload trickling a byte at a time; a handler reading past it gets Timeout, answered
# 408 when no head was sent), write_timeout (per write: clients that stop reading), all
# enforced by one Reaper.
#
# Board RAM: what a plain HTTP/1 server does not run lives in modules loaded on first
# use (mhttp._lazy.bind): mhttp._server_h2 (HTTP/2 detection and serving: _choose,
# _new_h2, _serve_h2, _h2c_upgrade) and mhttp._server_more (localname, pause, resume,
# loop, run, a failed handler's answer, the error response with its lingering close,
# the default onerror, the names the module __getattr__ serves); listen()'s body, run
# once, is mhttp._server_setup, which a board drops from its heap once it is done.  An
# idle keep-alive connection waits in one coroutine frame, its task's _on_connection:
# the HTTP/1 loop is inline, and so is the idle read over a
# StreamIO (over MicroPython's asyncio streams it awaits the StreamIO itself, no readinto
# coroutine either: see StreamIO.recv_start).  On MicroPython's accept loop it waits in
# none: _on_connection runs there by turns, one per request (see _on_connection).
import _mhttp_port
from mhttp._io_stream import Reaper, StreamIO
from mhttp._lazy import bind, settle
from asyncio import CancelledError
try:
    # MicroPython: core.cur_task is the running task (None outside one), see conn.idle
    # in _on_connection (a name MicroPython has already: no new interned name)
    from asyncio import core
except ImportError:
    core = None         # CPython: close() finds its caller from the frames of the call

# The lazy method lists (one str each, see mhttp._lazy) are written out where they are
# used, not kept as globals: board RAM (two interned names less).
# mhttp.errors is not imported here (nor by mhttp._io_stream and mhttp._h1_server): a
# plain server never loads it (board RAM, ~2 KB from ROMFS), see _is; Error, H1Error,
# Timeout and ConnectionClosed stay importable from this module (__getattr__).


def __getattr__(name):
    # (PEP 562) Error, H1Error, Timeout and ConnectionClosed (mhttp.errors'), LINGER_BYTES,
    # LINGER_MS and LINGER_READ (the lingering close's), and __all__: served by
    # mhttp._server_more._modattr (board RAM: the lists of those names are not carried by
    # every server).
    if name[:1] == "_" and name != "__all__":
        raise AttributeError(name)      # (a probe for __path__ &c. loads nothing)
    from mhttp._server_more import _modattr
    return _modattr(name)


def _is(e, k):
    # isinstance(e, mhttp.errors' Error (k 0), H1Error (k 1) or ConnectionClosed (k 2)),
    # without loading mhttp.errors: while it is not loaded, no error of ours can have
    # been raised.
    import sys
    m = sys.modules.get("mhttp.errors")
    return m is not None and isinstance(e, m.H1Error if k == 1 else
                                        m.ConnectionClosed if k == 2 else m.Error)


class Server:
    def __init__(self, onstream, host="0.0.0.0", port=8000, tls=None, max_connections=64,
                 max_streams_per_connection=None, idle_timeout=60, header_timeout=10,
                 body_timeout=30, write_timeout=30, body_deadline=300, onerror=None, backlog=None,
                 bufsize=None, alpn=None, max_drain=65536, streams=False, http2=True,
                 h2_settings=None, h2opts=None, preload_h1=True, **h1opts):
        self.onstream = onstream
        self.host = host
        self.port = port
        self.max_connections = max_connections
        self.max_streams_per_connection = max_streams_per_connection
        self.idle_timeout = idle_timeout
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout
        self.write_timeout = write_timeout
        self.body_deadline = body_deadline
        # (onerror, streams, preload_h1 and h2_settings, seldom given, are class defaults,
        # set here only when given: board RAM, the instance's attribute table is a step
        # smaller, 128 B, and the class's did not grow)
        if onerror is not None:
            self.onerror = onerror
        self.backlog = backlog or (128 if _mhttp_port.NAME == "cpython" else 8)
        self.bufsize = bufsize or _mhttp_port.DEFAULT_BUFSIZE
        self.max_drain = max_drain
        if streams is not False:
            self.streams = streams
        self.h1opts = h1opts
        if preload_h1 is not True:     # False: the h1 driver loads at the first h1 request
            self.preload_h1 = preload_h1
        # HTTP/2 (mhttp.h2_connection, imported only when a client speaks it): ALPN "h2"
        # over TLS, the client preface on a cleartext connection (prior knowledge), or
        # `Upgrade: h2c` on an HTTP/1.1 request.
        self.http2 = http2
        if h2_settings is not None:
            self.h2_settings = h2_settings
        self.h2opts = h2opts or {}
        if alpn is None and http2 and getattr(_mhttp_port, "HAS_ALPN", False):
            alpn = ["h2", "http/1.1"]
        if isinstance(tls, tuple):
            tls = _mhttp_port.server_tls_context(tls[0], tls[1], alpn)
        self.tls = tls
        self.conns = set()
        self.accepted = 0          # connections accepted (tests, stats)
        # refused (past max_connections) and pending (HTTP/2: accepted, first bytes not
        # read yet; they count too): 0, defaults bound on first use from
        # mhttp._server_more and mhttp._server_h2, which change them (a server without
        # HTTP/2 never does; board RAM: two attributes fewer, the instance's table 29 ->
        # 23 slots, 96 B, the class's dict not grown)
        if http2:
            self.pending = 0
        self.requests = 0
        # _serve: the port's listening server (None when not listening; a list while
        # listen() binds, see there); _stopper (a class
        # default, None): the Event loop() waits on, made by loop() (or by close(), set
        # when close() is done; board RAM: a server that is never loop()ed makes no
        # Event before close(), nor loads asyncio.event); _serve and _stopper are names
        # MicroPython has built in (a new name costs an interned entry); _closing: False,
        # then, from close() on, the Event _end() sets once no connection is left (one
        # name for both)
        self._serve = None
        self._closing = False
        # (a loop, not a comprehension: its code object costs heap even from ROMFS)
        period = None
        for t in (idle_timeout, header_timeout, body_timeout, write_timeout, body_deadline):
            if t and (period is None or t < period):
                period = t
        # (one / 20, not the literal: a float constant is a heap object on a board, even
        # from ROMFS, and mpy-cross folds 1 / 20 into one; and the period of 1 s, the
        # usual one, an int, not a float: no heap object kept by the Reaper)
        one = 1
        period = period / 4 if period else one
        self.reaper = Reaper(min(max(period, one / 20), one))

    # -- life cycle -------------------------------------------------------------------
    async def listen(self, timeout=None):
        # Binds and starts accepting: mhttp._server_setup.listen (set-up code, dropped
        # from a board's heap once done: see there).
        # (an import statement: its name, interned anyway, is no str constant, a heap
        # object on a board even from ROMFS)
        from mhttp import _server_setup
        return await _server_setup.listen(self)

    async def close(self, timeout=10):
        # Graceful: refuse new connections, close idle keep-alive connections, let
        # in-flight requests finish (their responses carry Connection: close; HTTP/2: a
        # GOAWAY, two-step when streams are open, and the connection closes once they
        # are done, see H2Connection._read_loop; an open websocket: a close frame 1001),
        # then abort whatever is left after `timeout` seconds, handlers (HTTP/1 and
        # HTTP/2) still running cancelled.  Returns once no connection is left and no HTTP/2
        # handler task runs; a handler awaiting close() is not waited for (its HTTP/1
        # connection ends when it returns).  With requests in flight the waiting is
        # mhttp._server_more._close_busy (board RAM: a plain server closing idle
        # connections does not load it).
        import asyncio
        if self._closing:
            return
        self._closing = asyncio.Event()     # set by _end() when the last connection ends
        busy = self._h2tasks
        if type(self._serve) is list:
            busy = True     # a listen() binding (see listen()): _close_busy waits for it
        elif self._serve is not None:
            self._serve.close()
        for c in list(self.conns):
            c.close_after = True
            if c.idle is True or (c.version == 2 and not c._batch):
                # (HTTP/2: its reader wakes, sends GOAWAY, and ends once its streams are
                # done; one dispatching now, whose handler called close(), sees it itself)
                c.io.expire()
            if c.idle is not True:
                busy = True     # an exchange in flight, or HTTP/2
        if busy:
            await self._close_busy(timeout)
        elif self.conns:
            try:
                await asyncio.wait_for(self._closing.wait(), timeout)
            except asyncio.TimeoutError:
                for c in list(self.conns):
                    c.abort()
        self._closing.set()             # (a connection still choosing its protocol: none)
        r = self.reaper
        r.stop()
        if self._serve is not None:
            try:
                await asyncio.wait_for(self._serve.wait_closed(), 1)
            except Exception:
                pass
        if Stream.reaper is r and not r.ios:
            # MicroPython's accept loop: Stream held this server's settings, its accept
            # loop is over and none of its connections is left: free for the next server
            # (see mhttp._server_setup.start_server), its buffer and this server
            # collectable.  (Another server that took Stream meanwhile holds it: not
            # this Reaper.)
            Stream.buf = Stream.reaper = Stream.cb = None
        if self._stopper is None:
            self._stopper = asyncio.Event()     # (a loop() after close() returns at once)
        self._stopper.set()

    # -- connections ------------------------------------------------------------------
    _h1cls = None
    _stopper = None     # (see __init__)
    onerror = None      # None: mhttp._server_more.default_onerror
    streams = False
    preload_h1 = True
    h2_settings = None
    _h2tasks = ()       # the HTTP/2 handler tasks running (a set from the first one)

    def _new_connection(self, io):
        # The HTTP/1 connection for an accepted connection (HTTP/2 is chosen before, in
        # mhttp._server_h2._choose, when the server speaks it).  Its class is a subclass
        # of H1Connection, made at the server's first connection, whose class attributes
        # are this server's settings (role, timeouts, body_deadline): each connection's
        # own attribute table then holds only what changes (board RAM, ~100 B per
        # connection).  Settings changed after the first connection are not seen by
        # later ones.
        k = self._h1cls
        if k is None:
            from mhttp.h1_connection import H1Connection
            d = {"type": "server", "is_server": True, "idle_timeout": self.idle_timeout,
                 "header_timeout": self.header_timeout, "body_timeout": self.body_timeout,
                 "write_timeout": self.write_timeout, "_end": self._end}
            if self.body_deadline:
                d["body_deadline"] = self.body_deadline
            # (named as its base: one interned name less)
            k = self._h1cls = type("H1Connection", (H1Connection,), d)
        return k(io, 1, **self.h1opts)     # mhttp.h1.SERVER

    def __getattr__(self, name):
        # The rare methods (see above), loaded on first use: one table (mhttp._lazy.bind;
        # board RAM, one str constant, not four).
        return bind(self, name, "_server_h2 _choose _new_h2 _serve_h2 _h2c_upgrade pending;"
                    "_server_more pause resume loop serve_forever run localname _error_close "
                    "_onstream_failed _close_busy refused", None)

    async def _on_connection(self, io, conn=None, data=None):
        # An accepted connection, from start to end (the port runs it as its task).
        # Board RAM: an idle keep-alive connection waits in this frame (but see below),
        # so it is kept small: the HTTP/1 request loop is inline (reading the next head itself, not
        # through get_next_incoming_stream), it ends with `break` and the cleanup is
        # _end() after one `except BaseException` (a try/finally around try/except is
        # one more exception level in every connection's frame: 32-64 B).
        # MicroPython's accept loop (Stream, whose class has a cb)
        # runs it by turns: where an HTTP/1 connection would wait for its next request,
        # the coroutine leaves the connection in io.c and returns, and the io itself
        # waits, with no frame (this one was 256 B per idle connection on the 64-bit
        # unix port); once readable (data True), or woken by an exception (data: the
        # exception; the Reaper's, close()'s), the io runs _on_connection(io, conn,
        # data), which goes on from that read.  (A turn's coroutine is one block of
        # garbage per request instead: ~290 B.)
        try:
            if conn is not None:
                pass    # (a turn of Stream: see above)
            elif self._closing or len(self.conns) + (
                    self.pending if self.http2 else 0) >= self.max_connections:
                self.accepted += 1
                self.refused += 1
                # The same ending as every error response (half-close, bounded lingering
                # read): a client that already sent its request reads the 503, not a reset.
                await self._error_close(io, 503, 1)
            elif self.http2:
                self.accepted += 1
                # HTTP/2 by ALPN or by the client preface (mhttp._server_h2), else
                # HTTP/1.x; None when the client sent nothing.
                conn = await self._choose(io)
            else:
                self.accepted += 1
                conn = self._new_connection(io)
            # (the class's function, not a bound method: every idle connection's frame
            # held one, 32 B)
            rw = getattr(type(io), "recv_start", None)
            if data is not None:
                pass    # (a turn: the connection is set up)
            elif conn is not None and self._closing:
                # close() began while its first bytes were awaited: the connection gets
                # one answer (HTTP/1) or GOAWAY (HTTP/2); once close() has returned, none
                if self._closing.is_set():
                    conn = None
                else:
                    conn.close_after = True
            if conn is not None and data is None:
                self.conns.add(conn)
                if conn.version == 2:
                    await self._serve_h2(conn)
                    self._serve_h2(conn, 1)     # (ended: a failure of the core reported)
                    if conn.close_after and not conn.eof:
                        # our final GOAWAY went out: the lingering close, so that what
                        # the client still sends does not reset the connection (and
                        # lose it our last answers) before it has read them
                        await self._error_close(io, None)
            # HTTP/1: one request per turn (conn.p, not a local: one frame slot less)
            while conn is not None and conn.version != 2:
                conn.idle = True
                if conn.close_after:
                    break
                try:
                    # a pipelined request may be buffered already (not after a wake-up:
                    # the turn before left none)
                    ev = None if data else conn.p.next_event()
                    if ev is None:
                        if conn._eof:
                            break
                        # (what was read and the request's stream live in `ev`, the
                        # handler's result in `e`: every slot is per connection)
                        if rw is None:
                            ev = await io.recv(conn.idle_timeout)
                        else:
                            if data is None:
                                if getattr(io, "cb", None) is not None:
                                    # Stream: the io waits (see
                                    # above), armed as rw's first step would arm it
                                    rw(io, conn.idle_timeout).__next__()
                                    io.c = conn
                                    return
                                # StreamIO: the read awaited here, no recv() frame per
                                # idle connection (its failures are handled below)
                                ev = await rw(io, conn.idle_timeout)
                            elif data is True:
                                # woken: readable, the io reads at once (io.task is set)
                                data = None
                                ev = await io
                            else:
                                ev = data       # woken by an exception: raised here
                                data = None
                                raise ev
                            while ev is None:      # MicroPython TLS: no data yet
                                ev = await io.reader.readinto(io.buf)
                            ev = io.recv_got(ev)
                        if not ev:
                            conn._eof = True
                        conn.p.receive_data(ev)
                        ev = conn.p.next_event()
                        if ev is None:
                            # Part of a head: the rest must come within header_timeout.
                            ev = await conn._rest_of_head(conn.p, io)
                except CancelledError:
                    if rw is None or not getattr(io, "_expired", False):
                        raise
                    break       # rw's read timed out (or close() woke it)
                except Exception as e:
                    if _is(e, 1):
                        # Bad request head (an H1Error): its status, Connection: close, done.
                        await self._error_close(io, e.status_hint)
                    elif not (isinstance(e, OSError) or _is(e, 0)):
                        raise
                    # (a timeout, the peer gone, or another error of ours: the
                    # connection ends, as it would in the handler below)
                    break
                ev = conn._incoming(ev)           # the stream (in ev: see above)
                if ev is None:
                    break
                # In a handler: close() must not wake its io now, and (MicroPython,
                # which has no frames to read) it tells the handler's own connection by
                # this task, see mhttp._server_more._caller; CPython: None.  A slot the
                # connection has anyway: no field per connection (board RAM).
                conn.idle = core and core.cur_task
                if self.http2 and ev.headers.has(b"http2-settings"):
                    if await self._h2c_upgrade(conn, ev):
                        break
                self.requests += 1
                if conn.close_after or (self.max_streams_per_connection is not None and
                                        conn.requests >= self.max_streams_per_connection):
                    conn.close_after = True
                    conn.p.keep_alive = False
                try:
                    # (the handler in e, then called, not self.onstream(...): MicroPython's
                    # GC scans the whole frame, dead operand-stack slots too, and a method
                    # call would leave the stream one slot above what the idle read below
                    # overwrites: every idle connection kept its last request alive, ~650
                    # B; in e, not a local of its own: this coroutine is a heap block per
                    # request on MicroPython's accept loop, 288 B with one slot less, 320
                    # with it)
                    e = self.onstream
                    e = e(self, ev)
                    if e is not None and hasattr(e, "send"):
                        await e
                    e = None    # a finished generator still holds its frame (MicroPython)
                except Exception as e:
                    if _is(e, 2):
                        break
                    if isinstance(e, MemoryError):
                        # the handler's frames are gone: collect before the error path,
                        # which loads its module (mhttp._server_more)
                        import gc
                        gc.collect()
                    await self._onstream_failed(io, ev, e)
                    break
                if not (conn.p.our_done and conn.p.their_done and conn.p.keep_alive and
                        conn._held is None):
                    try:
                        if not await ev.finish_server(self.max_drain):
                            break
                    except Exception as e:
                        if not _is(e, 0):
                            raise
                        break
                ev = None
                if conn.close_after or not conn.end_exchange():
                    break
        except BaseException as e:
            self._end(conn, io)
            if _is(e, 0):
                return
            if isinstance(e, Exception):
                self._report(conn, "connection", e)
                return
            if rw is None or not getattr(io, "_expired", False):
                raise      # cancelled (asyncio.CancelledError is a BaseException), exit
            return     # close()'s timeout cancelled its handler: mhttp._server_more._cancel_h1
        self._end(conn, io)

    def _end(self, conn, io):
        # A connection is over: forget it, close it, and wake close() once none is left
        # (and no HTTP/2 handler task runs: see the end of mhttp._h2_server._start).
        if conn is not None:
            self.conns.discard(conn)
        io.abort()
        if self._closing and not self.conns and not self._h2tasks:
            self._closing.set()

    def _report(self, stream, name, e):
        # onerror(server, stream or connection, name of the operation, exception): given
        # to listen() or set on the server (an instance attribute), or a method of a
        # Server subclass, def onerror(self, stream, op, exc) (the class's function, so
        # called as a method: self is the server); None: the default handler, which
        # prints.  A handler that fails (a wrong signature too) is not silent: the default
        # handler reports the error it was given and its own.  Here, not in
        # mhttp._server_more: loading it could fail for want of RAM.  (Names MicroPython
        # has built in: board RAM.)
        f = self.__dict__.get("onerror")
        if f is None:
            f = type(self).onerror
        try:
            if f is None:
                from mhttp._server_more import default_onerror as f
            f(self, stream, name, e)
        except Exception as x:
            try:
                from mhttp._server_more import default_onerror as d
                if f is not d:
                    d(self, stream, name, e)
                    d(self, stream, "onerror", x)
            except Exception:
                pass


# CPython: the rare methods bound now and no __getattr__ (see mhttp._lazy.settle)
settle(Server, "_server_h2 _choose _new_h2 _serve_h2 _h2c_upgrade pending;"
       "_server_more pause resume loop serve_forever run localname _error_close "
       "_onstream_failed _close_busy refused", None)


# -- MicroPython's accept loop --------------------------------------------------------
# (the unix, esp32 and rp2 port glue's start_server calls start_server below)  It is
# asyncio's own accept loop (asyncio.stream's start_server and Server._serve) written out,
# over a lean stream object per connection, Stream: the part of asyncio's Stream that
# mhttp._io_stream.StreamIO uses, the same code, in one object with the connection's
# StreamIO.  (Stream, Server, _serve and the argument names are names MicroPython has
# already: no new interned names.)  Board RAM: a server never imports asyncio.stream
# (~1.9 KB), and a connection has no Stream info dict (~100 B each) nor a second object.
# In this module, not one of its own (mhttp._server_accept, before): a module's fixed
# cost (its object, dict, constant tables, file name) is heap on a board, and every
# MicroPython server loads both (h1 server, 10 idle connections, live from ROMFS 46016 ->
# 45664 B, 3 names fewer).
# The listening handle (Stream.Server) and the loop (Stream._serve) live in Stream's
# class: this module's dict keeps 15 entries, a table of 17.  MicroPython only
# (asyncio.core's I/O queue); CPython's port serves with its own code.


class Stream(StreamIO):
    # An accepted connection: its StreamIO and, in the same object, what StreamIO uses of
    # asyncio's Stream (the same code) over the accepted socket s (e: the peer's address,
    # where Stream has {"peername": addr}); reader and writer are the object itself.
    # Board RAM: one object and one attribute table per connection, not two (~64 B each).
    out_buf = b""
    transport = None    # (StreamIO.abort asks; answered here, not by __getattr__)
    # (the getter: StreamIO.__iter__, which returns the object itself: no function of
    # its own, board RAM)
    reader = writer = property(StreamIO.__iter__)

    # The connection's task runs this object as its coroutine (asyncio's core calls
    # send(None) and throw(e): see _go), not Server._on_connection's coroutine: an idle
    # keep-alive connection then holds no coroutine frame (board RAM, 256 B each on the
    # unix port).  g: the coroutine of the connection's current turn (cb(io), then one
    # cb(io, conn, True) per wake-up), None while it waits for its next request; c: the
    # connection while it waits (None otherwise).  buf (the receive buffer all the
    # server's connections share), reaper and cb (the server's _on_connection) are
    # class attributes of this class (the first server's) or of a subclass (a server
    # started while another holds this one: see mhttp._server_setup.start_server):
    # each connection's attribute table holds six slots (s, e, deadline, task, g, c),
    # 96 B.
    cb = None

    def __init__(self, s, e, buf=None, tls=False):
        self.s = s
        # The peer's address, packed when it is the unix port's 16-byte sockaddr_in
        # (AF_INET: its port and IPv4 address fit in a small int, no heap; the
        # bytearray is 64 B of a board's heap per connection): get_extra_info
        # ("peername", mhttp._io_stream_more) rebuilds the same bytes.
        if type(e) is bytearray and len(e) == 16 and e[0] == 2 and not e[1] and \
                not int.from_bytes(e[8:], "big"):
            e = int.from_bytes(e[2:8], "big")
        self.e = e
        if buf is not None:
            self.buf = buf
        if tls:
            self.tls = tls
        # (set now, with the rest: the attribute table is sized once, at accept, rather
        # than grown by the first read in the middle of a request's objects)
        self.deadline = None
        self.task = None
        self.g = None if self.cb is None else self.cb(self)
        self.c = None

    def send(self, pieces, timeout=None):
        # StreamIO.send (a write); asyncio's core resuming the connection's task: None
        if pieces is not None:
            return StreamIO.send(self, pieces, timeout)
        self._go(None)

    def throw(self, e, *args):
        # asyncio's core throwing into the connection's task (the Reaper's cancel, a
        # close(), ...).  With self.g and self.c None (a turn awaiting this object, see
        # _go) e goes on to the awaiting frame (as StreamIO.throw).
        if self.g is None and self.c is None:
            raise e
        self._go(e)

    def _go(self, e):
        # One step of the connection's task: of its current turn g, or, while the
        # connection waits for its next request (the last turn left it in self.c and
        # set the poller on this object's socket), of a new turn, which reads at once
        # (self.task is set: see StreamIO.__next__) or raises e where its read would
        # be.  (self.g None while g runs: a throw reaching this object from g's own
        # await goes on into g.)  A turn that ends is run by next(g, self), not
        # g.send(None): no StopIteration made when it ends, which could fail for want
        # of heap and end the task with its connection left open.
        g = self.g
        if g is None:
            g = self.c
            self.c = None
            try:
                g = self.cb(self, g, True if e is None else e)
            except MemoryError:
                # No heap for it: the connection (still g) ends, as Server._end ends
                # one (the server's, a class attribute of its H1Connection class).
                g._end(g, self)
                return
            e = None
        self.g = None
        if e is None:
            if next(g, self) is not self:
                self.g = g
            elif self.c is None:
                raise StopIteration     # the connection is over: so is its task
            return
        try:
            g.throw(e)
            self.g = g
        except StopIteration:
            if self.c is None:
                raise

    def __getattr__(self, name):
        # The rest of asyncio's Stream, which only code in a module loaded on first use
        # calls (drain: StreamIO._send; readinto: recv, TLS; get_extra_info: peername;
        # wait_closed: close): mhttp._io_stream_more (board RAM: their bytecode is not
        # on the heap of a plain server; not StreamIO's __getattr__: an asyncio client's
        # StreamIO has none of them); anything else as StreamIO.
        # (one str, a table for mhttp._lazy.bind: board RAM, a str constant is a heap
        # object even from ROMFS)
        t = "_io_stream_more drain readinto get_extra_info wait_closed"
        if name in t.split():
            from mhttp._lazy import bind
            return bind(self, name, t, None)
        return StreamIO.__getattr__(self, name)

    def write(self, buf):
        if not self.out_buf:
            # try to send at once
            ret = self.s.write(buf)
            if ret == len(buf):
                return
            if ret is not None:
                buf = buf[ret:]
        self.out_buf += buf

    class Server:
        # The listening handle: close(), await wait_closed(), .sockname (as asyncio's
        # Server, whose _serve loop is _serve below).
        def close(self):
            self.state = True
            self.task.cancel()

        async def wait_closed(self):
            await self.task

    def _serve(srv, s, k, tls, reaper):
        # asyncio's accept loop (a generator: the server's task), building each connection's
        # Stream (its StreamIO) itself, of the server's class k (see start_server); the io
        # is its own task's coroutine, which runs cb(io) (see Stream), and cb closes the io
        # (whose abort() also leaves the reaper) when it is done.  One receive buffer for
        # all the server's connections (board RAM): a connection's recv result is consumed
        # (copied by the protocol core) before its task awaits again, see
        # mhttp._io_stream.StreamIO.
        srv.state = False
        while True:
            try:
                yield core._io_queue.queue_read(s)
            except CancelledError as e:
                # cancelled: by close() (return), or with its parent task (propagate)
                s.close()
                if srv.state:
                    return
                raise e
            try:
                s2, addr = s.accept()
            except:  # noqa: E722  (as asyncio: a failed accept is ignored)
                continue
            # TLS: the accepted socket itself, kept as the Stream's tls (a true value)
            # for its abort to close (mhttp._server_tls: mbedTLS's close() after an error
            # leaves the socket it wraps open)
            r = tls and s2
            if tls:
                try:
                    s2 = tls.wrap_socket(s2, server_side=True, do_handshake_on_connect=False)
                except OSError as e:
                    import sys
                    sys.print_exception(e)
                    s2.close()
                    continue
            s2.setblocking(False)
            try:
                s2.setsockopt(6, 1, 1)  # IPPROTO_TCP, TCP_NODELAY
            except Exception:
                pass
            io = None
            try:
                io = k(s2, addr, None, r)
                if reaper is not None:
                    reaper.add(io)
                core.create_task(io)     # (io runs cb(io) as its first turn, see Stream)
            except MemoryError:
                # No RAM for one more connection: drop it (its fd too), keep serving the rest.
                # (Not io.abort(): nothing started, and the flag abort sets could take the
                # heap that is missing.)
                if io is not None and reaper is not None:
                    reaper.remove(io)
                s2.close()
                if r:
                    r.close()
            io = s2 = addr = r = None    # (this frame keeps no connection alive)


def start_server(cb, host, port, tls=None, backlog=16, reaper=None, bufsize=None):
    # cb(io) is run as its own task per accepted connection (see _serve and Stream:
    # an HTTP/1 connection's by turns, cb(io, conn, data)).  Binds as
    # asyncio.start_server does; returns that coroutine (await it).  Its body is
    # mhttp._server_setup.start_server (set-up code, dropped from a board's heap once
    # Server.listen is done: see there).
    # (an import statement: the name, interned anyway, is no str constant, board RAM)
    from mhttp import _server_setup
    return _server_setup.start_server(cb, host, port, tls, backlog, reaper, bufsize)


def listen(onstream=None, **options):
    # lua-http http.server.listen(options): returns a Server (not yet bound; call
    # `await srv.listen()`, then `await srv.loop()`, or `srv.run()`).
    if onstream is None:
        onstream = options.pop("onstream")
    return Server(onstream, **options)
