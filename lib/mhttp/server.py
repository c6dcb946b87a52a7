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
# (CPython: the asyncio.Protocol fast path; MicroPython: asyncio streams).  The choice of
# connection class for an accepted socket is made in one place, _new_connection (where
# HTTP/2 prior knowledge and ALPN plug in).  A bad client gets its 4xx (with Connection:
# close) and is closed; a handler exception becomes a 500 (when no head was sent yet) and
# onerror(server, stream, "onstream", exc); every other client keeps being served.
# Timeouts: idle_timeout (keep-alive wait for the next request), header_timeout (first
# byte to end of head: slowloris), body_timeout (per body read: stalled uploads),
# body_deadline (HTTP/1: end of the request head to end of its body, default 300 s: an
# upload trickling a byte at a time; a handler reading past it gets Timeout, answered
# 408 when no head was sent), write_timeout (per write: clients that stop reading), all
# enforced by one Reaper.
import sys

import _mhttp_port as _port
from mhttp.errors import Error, H1Error, Timeout, ConnectionClosed, TLSError
from mhttp._io_stream import Reaper

_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
# Lingering close after an error response: at most this many bytes or milliseconds, and
# LINGER_READ seconds of silence ends it.
LINGER_BYTES = 1 << 20
LINGER_MS = 2000
LINGER_READ = 0.5


def _default_onerror(server, ctx, op, exc):
    print("mhttp.server: error in %s: %r" % (op, exc))
    if hasattr(sys, "print_exception"):
        sys.print_exception(exc)
    else:
        import traceback
        traceback.print_exception(type(exc), exc, exc.__traceback__)


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
        self.onerror = onerror or _default_onerror
        self.backlog = backlog or (128 if _port.NAME == "cpython" else 8)
        self.bufsize = bufsize or _port.DEFAULT_BUFSIZE
        self.max_drain = max_drain
        self.streams = streams
        self.h1opts = h1opts
        self.preload_h1 = preload_h1   # False: the h1 driver loads at the first h1 request
        # HTTP/2 (mhttp.h2_connection, imported only when a client speaks it): ALPN "h2"
        # over TLS, the client preface on a cleartext connection (prior knowledge), or
        # `Upgrade: h2c` on an HTTP/1.1 request.
        self.http2 = http2
        self.h2_settings = h2_settings
        self.h2opts = h2opts or {}
        if alpn is None and http2 and getattr(_port, "HAS_ALPN", False):
            alpn = ["h2", "http/1.1"]
        if isinstance(tls, tuple):
            tls = _port.server_tls_context(tls[0], tls[1], alpn)
        self.tls = tls
        self.conns = set()
        self.accepted = 0          # connections accepted (tests, stats)
        self.refused = 0           # refused past max_connections
        self.pending = 0           # accepted, first bytes not read yet (they count too)
        self.requests = 0
        self._srv = None
        self._closing = False
        self._closed_ev = None
        self._drained_ev = None
        ts = [t for t in (idle_timeout, header_timeout, body_timeout, write_timeout,
                          body_deadline) if t]
        period = min(ts) / 4 if ts else 1.0
        self.reaper = Reaper(min(max(period, 0.05), 1.0))

    # -- life cycle -------------------------------------------------------------------
    async def listen(self, timeout=None):
        import asyncio
        # Every server speaks HTTP/1: load its driver now, on an unfragmented heap, rather
        # than at the first connection (on a board, compiling h1 next to live connection
        # buffers can fail for want of one contiguous block).  preload_h1=False leaves
        # that heap to an HTTP/2 server on a small board (the h1 driver then loads at
        # the first HTTP/1 request, if one comes).
        if self.preload_h1:
            import mhttp.h1_connection  # noqa: F401
        if self._closed_ev is None:
            self._closed_ev = asyncio.Event()
        kw = {}
        if _port.NAME == "cpython" and self.streams:
            kw["streams"] = True
        self._srv = await _port.start_server(self._on_connection, self.host, self.port, self.tls,
                                            self.backlog, self.reaper, self.bufsize, **kw)
        self.reaper.start()
        return self

    def localname(self):
        # (host, port) the server listens on.
        if self._srv is None:
            return None
        return self._srv.sockname

    def pause(self):
        # Stops accepting new connections (the listening socket is closed; connections
        # already open keep being served).  resume() listens again on the same port.
        if self._srv is not None:
            name = self._srv.sockname
            if name:
                self.port = name[1]
            self._srv.close()
            self._srv_paused = self._srv
            self._srv = None

    async def resume(self):
        if self._srv is None and not self._closing:
            self._srv = await _port.start_server(self._on_connection, self.host, self.port, self.tls,
                                                self.backlog, self.reaper, self.bufsize)

    async def loop(self, timeout=None):
        # Serves until close() (or `timeout` seconds).
        import asyncio
        if self._srv is None and not self._closing:
            await self.listen()
        if timeout is None:
            await self._closed_ev.wait()
        else:
            try:
                await asyncio.wait_for(self._closed_ev.wait(), timeout)
            except asyncio.TimeoutError:
                pass

    serve_forever = loop

    def run(self):
        # Blocking: listen and serve until close() is called from a handler/task.
        import asyncio
        asyncio.run(self.loop())

    async def close(self, timeout=10):
        # Graceful: refuse new connections, close idle keep-alive connections, let
        # in-flight requests finish (their responses carry Connection: close), then
        # abort whatever is left after `timeout` seconds.
        import asyncio
        if self._closing:
            return
        self._closing = True
        if self._srv is not None:
            self._srv.close()
        for c in list(self.conns):
            c.close_after = True
            if c.idle:
                c.io.expire()
        if self.conns:
            self._drained_ev = asyncio.Event()
            try:
                await asyncio.wait_for(self._drained_ev.wait(), timeout)
            except asyncio.TimeoutError:
                for c in list(self.conns):
                    c.abort()
        self.reaper.stop()
        if self._srv is not None:
            try:
                await asyncio.wait_for(self._srv.wait_closed(), 1)
            except Exception:
                pass
        if self._closed_ev is not None:
            self._closed_ev.set()

    # -- connections ------------------------------------------------------------------
    def _new_connection(self, io):
        # The one place that chooses the connection class for an accepted connection.
        # (HTTP/2: io.alpn() == b"h2", or the client preface sniffed from the first bytes.)
        from mhttp.h1_connection import H1Connection
        from mhttp.h1 import SERVER
        c = H1Connection(io, SERVER, idle_timeout=self.idle_timeout,
                         header_timeout=self.header_timeout, body_timeout=self.body_timeout,
                         write_timeout=self.write_timeout, **self.h1opts)
        if self.body_deadline:
            c.body_deadline = self.body_deadline
        return c

    def _new_h2(self, io, data, upgrade=None):
        from mhttp.h2_connection import H2Connection
        return H2Connection(io, True, settings=self.h2_settings, idle_timeout=self.idle_timeout,
                            write_timeout=self.write_timeout, upgrade=upgrade,
                            initial_data=data, **self.h2opts)

    async def _choose(self, io):
        # HTTP/2 by ALPN or by the client connection preface in the first bytes (prior
        # knowledge, RFC 9113 §3.3); anything else is HTTP/1.x (fed what was read).
        if not self.http2:
            return self._new_connection(io)
        if io.alpn() == b"h2":
            return self._new_h2(io, None)
        try:
            data = await io.recv(self.idle_timeout)
            if data:
                data = bytes(data)
            while data and len(data) < 24 and _PREFACE.startswith(data):
                more = await io.recv(self.header_timeout)
                if not more:
                    break
                data = data + bytes(more)
        except (Timeout, ConnectionClosed):
            return None
        if not data:
            return None
        if data[:16] == _PREFACE[:16] or _PREFACE.startswith(data):
            # "PRI * HTTP/2.0\r\n" is HTTP/2: the core checks the rest of the preface
            # (and answers a wrong one with GOAWAY PROTOCOL_ERROR)
            return self._new_h2(io, data)
        c = self._new_connection(io)
        c.p.receive_data(data)
        return c

    async def _serve_h2(self, conn):
        from mhttp.h2_connection import serve_connection
        await serve_connection(self, self.onstream, conn)

    async def _h2c_upgrade(self, conn, stream):
        # Server side of `Upgrade: h2c` (RFC 7540 §3.2): 101, then HTTP/2 on this
        # connection with the request as stream 1.  False when the request cannot switch.
        from mhttp.h2_connection import upgrade_request, UPGRADE_101, _clean
        from mhttp.headers import Headers
        sh = upgrade_request(stream.headers)
        if sh is None or not conn.p.their_done:
            return False
        p = conn.p
        left = p._buf[p._pos:]
        try:
            c2 = self._new_h2(conn.io, bytes(left) if left else None,
                              (sh, Headers(_clean(stream.headers))))
        except Error:
            return False
        await conn.io.send([UPGRADE_101], self.write_timeout)
        self.conns.discard(conn)
        self.conns.add(c2)
        try:
            await self._serve_h2(c2)
        finally:
            self.conns.discard(c2)
        return True

    async def _on_connection(self, io):
        self.accepted += 1
        if self._closing or len(self.conns) + self.pending >= self.max_connections:
            self.refused += 1
            # The same ending as every error response (half-close, bounded lingering
            # read): a client that already sent its request reads the 503, not a reset.
            await self._error_close(io, 503, 1)
            io.abort()
            return
        # Counted while its first bytes are awaited: a flood of silent connections is
        # refused past max_connections, not held until idle_timeout.
        self.pending += 1
        try:
            conn = await self._choose(io)
        finally:
            self.pending -= 1
        if conn is None:
            io.abort()
            return
        conn.close_after = False
        conn.idle = True
        self.conns.add(conn)
        try:
            if conn.version == 2:
                await self._serve_h2(conn)
            else:
                await self._serve_h1(conn)
        except Error:
            pass
        except Exception as e:
            self._report(conn, "connection", e)
        finally:
            self.conns.discard(conn)
            io.abort()
            if self._drained_ev is not None and not self.conns:
                self._drained_ev.set()

    def _report(self, ctx, op, e):
        try:
            self.onerror(self, ctx, op, e)
        except Exception:
            pass

    async def _error_close(self, io, status, write_timeout=None):
        # A Connection: close error response, then a bounded lingering close (RFC 9112
        # §9.6): what the client is still sending (an over-limit upload, a header bomb)
        # is read and dropped for a moment, so that closing with unread bytes does not
        # reset the connection before the client has read the response.  Our side is
        # half-closed first, so a client reading to EOF is not kept waiting.
        from mhttp.h1_connection import error_response
        from mhttp._io import ticks_ms, ticks_diff
        try:
            await io.send([error_response(status)], write_timeout or self.write_timeout)
            sw = getattr(io, "shutdown_write", None)
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

    async def _serve_h1(self, conn):
        io = conn.io
        onstream = self.onstream
        maxs = self.max_streams_per_connection
        while True:
            conn.idle = True
            if conn.close_after:
                return
            try:
                stream = await conn.get_next_incoming_stream()
            except H1Error as e:
                # Bad request head: its status, Connection: close, done.
                await self._error_close(io, e.status_hint)
                return
            except (Timeout, ConnectionClosed):
                return
            if stream is None:
                return
            if self.http2 and stream.headers.has(b"http2-settings"):
                if await self._h2c_upgrade(conn, stream):
                    return
            conn.idle = False
            self.requests += 1
            if conn.close_after or (maxs is not None and conn.requests >= maxs):
                conn.close_after = True
                conn.p.keep_alive = False
            try:
                r = onstream(self, stream)
                if r is not None and hasattr(r, "send"):
                    await r
                r = None    # a finished generator still holds its frame (MicroPython)
            except Exception as e:
                if isinstance(e, H1Error):
                    status = e.status_hint       # bad body framing from the client
                elif isinstance(e, Timeout):
                    status = 408
                elif isinstance(e, ConnectionClosed):
                    return
                else:
                    status = 500
                    self._report(stream, "onstream", e)
                if not stream.headers_sent:
                    await self._error_close(io, status)
                return
            p = conn.p
            if not (p.our_done and p.their_done and p.keep_alive and conn._held is None):
                try:
                    if not await stream.finish_server(self.max_drain):
                        return
                except Error:
                    return
            stream = None
            if conn.close_after or not conn.end_exchange():
                return


def listen(onstream=None, **options):
    # lua-http http.server.listen(options): returns a Server (not yet bound; call
    # `await srv.listen()`, then `await srv.loop()`, or `srv.run()`).
    if onstream is None:
        onstream = options.pop("onstream")
    return Server(onstream, **options)
