# mhttp.h2_connection: HTTP/2 connection and stream drivers (lua-http h2_connection,
# h2_stream) over an I/O object from mhttp._io (or a port's ProtocolIO).
#
# Theory of operation
#   The driver owns no HTTP/2 rules: every frame goes through the sans-I/O core
#   (mhttp.h2 H2Protocol).  It adds what needs I/O and time: one reader that turns the
#   core's events into per-stream queues and wakes whoever waits on them, writing what
#   the core queued, timeouts, and the hand-over of new streams to a server's handler.
#
#   Reading.  Two models, the same stream code on top:
#     - asyncio (StreamIO, ProtocolIO): ONE reader loop per connection (_read_loop) feeds
#       the core and dispatches events.  On a server the loop is the connection's own
#       coroutine (Server runs conn.serve(onstream)); on a client it is a Task started
#       with the first stream.  Streams wait on an asyncio.Event of their own.
#     - blocking (SocketIO, coroutines that never suspend, run by run_blocking): there is
#       no reader; a stream that needs an event pumps frames itself (_read_once) until
#       its event came.  One request at a time per thread, as lua-http does with cqueues
#       stepping from inside the waiting call.
#
#   Buffering is bounded by flow control: the bytes queued on a stream never exceed the
#   window we granted (the core enforces it with FLOW_CONTROL_ERROR), and a WINDOW_UPDATE
#   is sent only as the application takes chunks (get_next_chunk), so a slow reader slows
#   the peer down instead of growing a buffer.  Unread bytes of a finished or reset stream
#   are acknowledged on the connection at once.
#
#   Writing.  Stream calls queue frames in the core and call _flush, which writes
#   whatever the core holds.  Only one write is in progress at a time; a flush that finds
#   one running leaves its bytes for it (the running writer loops until the core's queue
#   is empty), so frames keep the core's order.  While the reader dispatches a batch of
#   events (server: handlers that finish without suspending run right there), flushes
#   are deferred and the batch ends with one write.
#
#   Errors.  Bad input from the peer is answered by the core (RST_STREAM or GOAWAY); the
#   driver turns those outcomes into exceptions for whoever uses the stream or the
#   connection: mhttp.errors.H2StreamError (stream reset, by the peer or by us, with the
#   RFC error code), H2ConnectionError (connection ended with GOAWAY and an error code),
#   ConnectionClosed (EOF), Timeout (a call's time limit).
import sys

from mhttp.h2 import H2Protocol, _SPECIAL
from mhttp.h2_frames import PREFACE
from mhttp.headers import Headers
# (the modules, not their names: two globals, not four; board RAM, see _CONN_RARE below)
from mhttp import _lazy
from mhttp import stream_common as _sc

# Board RAM: the clock straight from the port (as mhttp._io takes it), not through
# mhttp._io, which nothing else of a plain h2c server exchange loads (ROMFS 0.6 KB, as
# .mpy files 0.9 KB, and its names)
try:
    from _mhttp_port import ticks_ms, ticks_diff
except ImportError:  # a bare checkout on CPython (mhttp._io: mhttp._io_rare's)
    from mhttp._io import ticks_ms, ticks_diff

_CPYTHON = sys.implementation.name == "cpython"
if _CPYTHON:
    from mhttp._h2_cpy import _dated
# Board RAM: sys and (below) const leave the module dict once used: 31 -> 29 entries, its
# table 592 -> 464 bytes
del sys

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# Board RAM: private const() copies (inlined, no globals-dict slot) of the mhttp.h2 event,
# state and mhttp.h2_frames / mhttp.errors RFC numbers this module uses.
_EV_HEADERS = const(1)
_EV_DATA = const(2)
_EV_TRAILERS = const(3)
_EV_STREAM_RESET = const(4)
_EV_WINDOW_UPDATED = const(5)
_EV_SETTINGS_CHANGED = const(6)
_EV_SETTINGS_ACKED = const(7)
_EV_PING_ACKED = const(9)
_EV_GOAWAY = const(10)
_EV_PUSH_PROMISE = const(11)
_EV_CONNECTION_TERMINATED = const(14)
_CONN_OPEN = const(0)
_CONN_CLOSED = const(2)
_ST_HALF_CLOSED_REMOTE = const(5)
_ST_CLOSED = const(6)
_SETTINGS_ENABLE_PUSH = const(2)
_SETTINGS_MAX_CONCURRENT_STREAMS = const(3)
_SETTINGS_INITIAL_WINDOW_SIZE = const(4)
_SETTINGS_ENABLE_CONNECT_PROTOCOL = const(8)
_NO_ERROR = const(0)
_PROTOCOL_ERROR = const(1)
_INTERNAL_ERROR = const(2)
_CANCEL = const(8)
_SETTINGS_TIMEOUT = const(4)
_ENHANCE_YOUR_CALM = const(11)
_REFUSED_STREAM = const(7)
# mhttp._h2_conn_rare.F: its functions this module calls, by index
_CF_CERR = const(0)
_CF_INIT_UPGRADE = const(1)
_CF_DISPATCH_RARE = const(2)
_CF_FAIL = const(3)
_CF_ATTR = const(4)
# Bytes queued in the core beyond which a writer with more than 8 frames queued waits for
# the write in progress too (see max_queued_frames): a peer that grants huge windows and
# stops reading is held by nothing else.
_QUEUED_BYTES = const(16384)
# A server's stream receive window on MicroPython (SETTINGS_INITIAL_WINDOW_SIZE; the
# connection's stays the RFC's 65535).  It bounds each DATA frame a client sends, so each
# piece a handler holds (a frame of 16 KiB was one block of 16385 bytes), and what a
# stream buffers: 4 uploading clients of 20 streams each (audit f07, unix port's 2 MB
# heap) killed 2 of 4 connections with MemoryError at 65535, none at 4096.
_BOARD_WINDOW = const(4096)
del const


PREFACE = PREFACE
SERVER_NAME = b"mhttp"

# Fields HTTP/2 forbids (RFC 9113 §8.2.2) are dropped from what an HTTP/1-minded caller
# gives write_headers (`host` becomes :authority): mhttp.h2's _SPECIAL kinds 1
# (connection-specific) and 4 (host), and HTTP2-Settings.  (Board RAM: its table, not a
# tuple of the same names here: ~270 bytes less from ROMFS.)


def _clean(headers):
    # A field list for the core: HTTP/1 connection fields removed, `te` kept only as
    # "trailers", `host` turned into :authority when that is missing.  Returns the input
    # unchanged (no copy) in the common case.
    l = headers._l if isinstance(headers, Headers) else headers
    bad = False
    for f in l:
        n = f[0]
        if n.__class__ is not bytes or _SPECIAL.get(n, 3) != 3 or n == b"http2-settings":
            bad = True
            break
    if not bad:
        return l
    out = []
    host = None
    has_auth = False
    for f in l:
        n = f[0]
        if n.__class__ is not bytes:
            n = n.encode() if isinstance(n, str) else bytes(n)
            n = n.lower()
            v = f[1]
            if isinstance(v, str):
                v = v.encode()
            f = (n, v) + tuple(f[2:])
        if n == b":authority":
            has_auth = True
        if n == b"host":
            host = f[1]
            continue
        if _SPECIAL.get(n) == 1 or n == b"http2-settings":
            continue
        if n == b"te" and f[1].lower() != b"trailers":
            continue
        out.append(f)
    if host is not None and not has_auth and out and out[0][0] != b":status":
        i = 0
        while i < len(out) and out[i][0][:1] == b":":
            i += 1
        out.insert(i, (b":authority", host))
    return out


def _cerr(n, args=None):
    # Board RAM: the exception for message n of mhttp._h2_conn_rare.ERRORS (its text is
    # the comment above each call), so the texts stay out of this module.  From 16 on,
    # not errors: step n - 16 of mhttp._h2_client_more.F (a client stream's early
    # response or held response: one call site each, no def nor import of their own).
    if n >= 16:
        from mhttp import _h2_client_more
        return _h2_client_more.F[n - 16](args)
    from mhttp import _h2_conn_rare
    return _h2_conn_rare.F[_CF_CERR](n, args)


# -- waiting ------------------------------------------------------------------------------

async def _wait_event(e, timeout, reason):
    import asyncio
    if timeout is None:
        await e.wait()
        return
    try:
        await asyncio.wait_for(e.wait(), timeout)
    except asyncio.TimeoutError:
        # %s timed out after %ss
        raise _cerr(0, (reason, timeout))


def _must_drain(s):
    # True when s.drain() would wait for the peer to take bytes (then a write timer is
    # worth its cost): MicroPython's StreamWriter keeps what the socket refused in
    # out_buf; CPython's pauses writing above the transport's high-water mark (asked in
    # mhttp._h2_cpy: its method names stay out of a board's RAM).
    ob = getattr(s, "out_buf", None)
    if ob is not None:
        return len(ob) > 0
    from mhttp._h2_cpy import drain
    return drain(s)


def _is(e, k):
    # isinstance(e, mhttp.errors' Error (k 0), Timeout (k 1) or ProtocolError (k 2)),
    # without loading mhttp.errors: while it is not loaded, no error of ours can have been
    # raised.  Board RAM: a clean h2c server exchange never loads that module (ROMFS,
    # 64-bit unix port: 1.6 KB); the errors are made through _errors() where they occur.
    import sys
    m = sys.modules.get("mhttp.errors")
    return m is not None and isinstance(e, m.Timeout if k == 1 else
                                        m.ProtocolError if k == 2 else m.Error)


def _errors():
    # mhttp.errors, for an error this module makes (ConnectionClosed)
    from mhttp import errors
    return errors


def _wake_all(items):
    while items:
        items.pop().set()




# Board RAM: the rarely used methods of H2Connection and H2Stream live in
# mhttp._h2_conn_rare and mhttp._h2_stream_rare (H2Stream.finish_server too: a response
# the handler left open), and the server's H2Connection.serve in mhttp._h2_server, loaded
# and stored on the class the first time one of these names is used (see the classes'
# __getattr__ and mhttp._lazy).  What only a client runs (H2Connection's connect, close,
# new_stream, _start, _read_once, _check; H2Stream's _open) is in mhttp._h2_client.  (Each list of names is a literal, in
# __getattr__ and in the settle() at the end, not a global; h2_connection._CONN_RARE and
# _STREAM_RARE are the module __getattr__'s.  Board RAM: with _is_blocking inlined,
# ProtocolError imported where used and mhttp._lazy and mhttp.stream_common reached as
# modules, this module's dict holds 23 entries, its table 368 bytes, not 29 in 464.)


class H2Connection:
    # Frames queued in the core beyond which a writer waits for the write in progress.
    # Board RAM: a writer held back keeps its frames queued anyway and waits in a chain
    # of coroutine frames plus an Event (~0.8 KB): at 8, h2load's 10 streams of a
    # HEADERS + DATA each held 6 handlers that way; 32 lets them finish (h2c server,
    # h2load -m 10, ROMFS: smallest heap 113 -> 105 KiB on the 64-bit unix port).
    max_queued_frames = 64 if _CPYTHON else 32
    # CPython receive windows: (client stream, server stream, client connection, server
    # connection).  On MicroPython the RFC default 65535 stays, but for a server's streams,
    # 4096 (_BOARD_WINDOW; set `settings` to change).
    window_cpython = (1 << 20, 1 << 18, 1 << 22, 1 << 20)
    # Board RAM: state that starts the same on every connection is a class attribute
    # until a connection sets its own; _incoming and _pings become lists at their first
    # item.
    version = 2
    _incoming = ()             # server: new request streams; client: pushed streams
    # (_pings, the PING payloads acknowledged, starts as () set by mhttp._h2_conn_rare)
    _writing = False
    _batch = False
    _reader = None
    onstream = None            # server: called with each new stream (see serve)
    error = None               # the exception that ended the connection
    goaway = None              # (code, last_stream_id, debug) of the peer's GOAWAY
    closed = False
    eof = False
    requests = 0
    close_after = False        # mhttp.server: finish the streams open now, then GOAWAY
    idle = True
    # (_upgrade_stream, a server's stream 1 after `Upgrade: h2c` until serve(), is set by
    # mhttp._h2_conn_rare's init_upgrade: no class default, board RAM: this class's dict
    # at 37 entries, its table 592 bytes, not 752; so is _check, in mhttp._h2_client)
    # some options as their defaults (a connection holds its own only when it differs:
    # a server connection's dict is 16 entries in 288 bytes on the 64-bit unix port, not
    # 22 in 384), and the waiter lists _ev and _wev lists at their first waiter (_wait)
    timeout = None
    settings_timeout = 10
    blocking = False
    scheme = b"http"
    _ev = ()
    _wev = ()
    # server: True for a server connection.  Options (all optional):
    #   settings            {SETTINGS_*: value} we advertise (see mhttp.h2_frames)
    #   connection_window   the connection receive window we grant (default: the core's)
    #   timeout             default for calls given timeout=None
    #   idle_timeout        server: no open stream and no frame for this long -> GOAWAY
    #   write_timeout       per write
    #   settings_timeout    our SETTINGS not acknowledged for this long -> GOAWAY
    #                       SETTINGS_TIMEOUT (RFC 9113 §6.5.3)
    #   upgrade             (settings_header, request_headers) for a server that answered
    #                       `Upgrade: h2c` with 101, or True on a client that got the 101
    #                       (stream 1 then carries the HTTP/1.1 request / its response)
    #   initial_data        bytes already read from the peer (sniffed preface, leftovers)
    # Extra keyword arguments go to H2Protocol (limits such as max_rapid_resets).

    def __init__(self, io, server=False, settings=None, connection_window=None, timeout=None,
                 idle_timeout=None, write_timeout=None, settings_timeout=10, upgrade=None,
                 initial_data=None, scheme=None, **h2opts):
        self.io = io
        self.server = server
        self.is_server = server
        self.type = "server" if server else "client"
        if timeout is not None:
            self.timeout = timeout
        self.idle_timeout = idle_timeout if idle_timeout is not None else timeout
        self.write_timeout = write_timeout if write_timeout is not None else timeout
        if settings_timeout != 10:
            self.settings_timeout = settings_timeout
        s = {}
        if server:
            s[_SETTINGS_ENABLE_CONNECT_PROTOCOL] = 1    # RFC 8441 §3
        if _CPYTHON:
            # Receive windows (the bound on what a stream buffers): RFC defaults (64 KiB)
            # on boards; larger on CPython, so that fast peers are not held back and a
            # single-threaded client can send a request body while the response to it
            # (an echo) piles up unread.
            s[_SETTINGS_INITIAL_WINDOW_SIZE] = self.window_cpython[1 if server else 0]
            if connection_window is None:
                connection_window = self.window_cpython[3 if server else 2]
        elif server:
            s[_SETTINGS_INITIAL_WINDOW_SIZE] = _BOARD_WINDOW     # (see there)
        if settings:
            for k in settings:
                s[k] = settings[k]
        self.p = p = H2Protocol(client=not server, settings=s,
                                connection_window=connection_window, **h2opts)
        b = getattr(io, "blocking", None)
        if b is None:
            b = io.__class__.__name__ == "SocketIO"
        if b:
            self.blocking = True
        self.streams = {}          # stream id -> H2Stream, while the driver needs it
        # Waiters: lists of one-shot asyncio.Events (see _wait / _wake_all).  _ev: for
        # anything connection-wide (an incoming stream, a free stream slot, a PING or
        # SETTINGS ACK, the end): every waiter re-checks its own condition when woken
        # (the class's () until the first one waits: a server never does).  _wev:
        # writers held back while a write is in progress (the class's () until then too).
        # _writing, _batch, closed, error: set now although they start as the class's:
        # every connection changes them, and its dict should grow here, not at its first
        # write or at close
        self._writing = False
        self._batch = False
        self.closed = False
        self.error = None
        scheme = scheme or (b"https" if getattr(io, "tls", False) else b"http")
        if scheme != b"http":
            self.scheme = scheme
        now = ticks_ms()
        if upgrade is not None:
            from mhttp import _h2_conn_rare
            _h2_conn_rare.F[_CF_INIT_UPGRADE](self, upgrade, now)
        else:
            p.initiate_connection(now)
        self._pending = initial_data

    def __getattr__(self, name):
        if name == "serve":
            return _lazy.bind(self, name, "mhttp._h2_server", "serve")
        c = "connect new_stream _start _read_once _check close"
        if name in c.split():
            return _lazy.bind(self, name, "mhttp._h2_client", c)
        return _lazy.bind(self, name, "mhttp._h2_conn_rare",
                          "checktls localname peername alpn settings peer_settings "
                          "can_open_stream shutdown abort ping update_settings "
                          "get_next_incoming_stream _fail _kick _quiet_flush")

    # -- lua-http connection API (connect, close: mhttp._h2_client) -------------------
    # -- client: connect, new_stream, _start, _read_once (mhttp._h2_client) -----------
    # -- server / pushed streams ------------------------------------------------------
    # -- internals: I/O ---------------------------------------------------------------
    async def _wait(self, items, timeout, reason):
        # Waits until the reader wakes the waiters in `items` (a list: each wait adds a
        # fresh one-shot Event, so no waiter can clear another's wake-up; None: the
        # connection's own, _ev; False: its held-back writers, _wev).  Blocking model:
        # reads and dispatches one batch itself instead.
        if items is None:
            items = self._ev
            if items.__class__ is tuple:
                items = self._ev = []
        elif items is False:
            items = self._wev
            if items.__class__ is tuple:
                items = self._wev = []
        if self.blocking:
            await self._read_once(timeout)
            return
        if self._reader is None and not self.server:
            await self._start()
        import asyncio
        ev = asyncio.Event()
        items.append(ev)
        try:
            if timeout is None:
                await ev.wait()     # (no _wait_event frame: board RAM per waiter)
            else:
                await _wait_event(ev, timeout, reason)
        finally:
            if ev in items:
                items.remove(ev)

    def _feed(self, data):
        evs = self.p.receive_data(data)
        if evs:
            self._batch = True
            try:
                self._dispatch(evs)
            finally:
                self._batch = False

    async def _read_loop(self):
        # The reader: bytes in, events dispatched, one write per batch.
        io = self.io
        p = self.p
        err = None
        try:
            await self._flush()
            if self._pending:
                d, self._pending = self._pending, None
                self._feed(d)
                await self._flush()
            while p.state != _CONN_CLOSED:
                # A server always reads with the idle timer: a wait that began with
                # streams open and ran out is only a turn (continue below) unless no
                # stream was open all along (self.idle), so a connection whose last
                # stream ended while the reader waited (a handler finishing after it)
                # gets its GOAWAY within two idle_timeouts, not at its next frame.  (A
                # server's StreamIO times a read with a deadline: no task, no garbage.)
                t = self.idle_timeout if self.server else None
                if p._cont is not None and self.server:
                    # a header block begun (HEADERS without END_HEADERS): its
                    # CONTINUATION must come within the stream read timeout (a server's
                    # body_timeout), else GOAWAY below (slowloris over h2)
                    t = self.timeout
                self.idle = not self.streams
                if self.close_after and self.server:
                    # mhttp.server closing (its close() wakes this read, and so does
                    # the end of the last handler task, mhttp._h2_server._start): the
                    # streams open now finish, then the final GOAWAY, done
                    if not self.streams:
                        if p.goaway_sent is None or p._gs_ping is not None:
                            p._gs_ping = None
                            p.close_connection(_NO_ERROR)
                        await self._flush()
                        break
                    if p.goaway_sent is None:
                        # RFC 9113 §6.8: GOAWAY(2^31-1) and a PING first; the final
                        # GOAWAY (the last stream id) when the PING ACK comes back
                        if p.state == _CONN_OPEN:
                            p.start_graceful_shutdown()
                        else:
                            p.close_connection(_NO_ERROR)
                        await self._flush()
                try:
                    data = await io.recv(t)
                except Exception as e:
                    if not _is(e, 1):
                        raise
                    if self.close_after:
                        continue     # (woken by the server closing: see above)
                    if p._cont is not None and self.server:
                        from mhttp import _h2_conn_rare
                        _h2_conn_rare.F[_CF_FAIL](
                            self, _ENHANCE_YOUR_CALM,
                            "header block not completed within %ss" % self.timeout)
                        await self._flush()
                        break
                    if not self.streams:
                        if not self.idle:
                            # streams were open when this wait began (or woken by
                            # mhttp._h2_server._handle: the last stream ended on an
                            # error): now a whole idle_timeout with none
                            continue
                        # idle: graceful GOAWAY, done
                        if p.state != _CONN_CLOSED:
                            p.close_connection(_NO_ERROR)
                            await self._flush()
                        break
                    continue
                if not data:
                    self.eof = True
                    break
                evs = p.receive_data(data)
                data = None
                if evs:
                    self._batch = True
                    try:
                        self._dispatch(evs)
                    finally:
                        self._batch = False
                    # (not kept in this frame while the handlers just started run: a
                    # batch of ten requests' events is ~1 KB on a board)
                    evs = None
                if p._pending_settings and self.settings_timeout is not None:
                    since = p._pending_settings[0][1]
                    if ticks_diff(ticks_ms(), since) > self.settings_timeout * 1000:
                        from mhttp import _h2_conn_rare
                        _h2_conn_rare.F[_CF_FAIL](
                            self, _SETTINGS_TIMEOUT,
                            "SETTINGS not acknowledged within %ss" % self.settings_timeout)
                if p._out:
                    await self._flush()
                elif self._wev:
                    _wake_all(self._wev)
        except Exception as e:
            err = e
            if not _is(e, 0) and e.__class__.__name__ != "CancelledError":
                try:
                    err = _errors().ConnectionClosed("HTTP/2 reader failed: %r" % (e,))
                except Exception:
                    pass    # (no heap to load mhttp.errors: the connection ends on e)
        finally:
            if self.error is None:
                if not _is(err, 0):
                    # the connection ends, and its waiting handlers are woken, whatever
                    # happens here: a MemoryError loading mhttp.errors (a board's heap
                    # full) ends it on that error, or on the one the reader had
                    try:
                        err = _errors().ConnectionClosed("connection closed")
                    except Exception as x:
                        if err is None:
                            err = x
                self._end(err)
            if not self.server:
                self.closed = True
                io.abort()

    async def _flush(self, timeout=None):
        # Writes what the core has queued (see "Writing" above).  While another write is
        # in progress, a caller that finds more than max_queued_frames waiting, or more
        # than 8 holding over _QUEUED_BYTES, is held until it is written (backpressure:
        # many streams cannot pile up output, nor one stream whose peer stopped reading).
        p = self.p
        if self._writing or self._batch:
            if not self.busy():
                await self._wait(False, None, "write")
            return
        io = self.io
        if not p._out or getattr(io, "closed", False):
            return
        self._writing = True
        if timeout is None:
            timeout = self.write_timeout
        try:
            w = getattr(io, "writer", None)
            while p._out:
                d = p.data_to_send()
                if w is not None:
                    # asyncio streams: write + drain without the single-call timer of
                    # StreamIO (the reader owns that while it waits for bytes)
                    try:
                        w.write(d)
                        if timeout is None or not _must_drain(w):
                            await w.drain()
                        else:
                            # the peer is not taking our bytes: wait at most
                            # write_timeout (a timer only when drain would block)
                            import asyncio
                            try:
                                await asyncio.wait_for(w.drain(), timeout)
                            except asyncio.TimeoutError:
                                io._stalled = True  # abort() drops the rest
                                io.abort()          # wakes the reader too
                                # write timed out after %ss (the peer stopped reading)
                                raise _cerr(6, (timeout,))
                    except Exception as e:
                        if _is(e, 0):
                            raise
                        # OSError, or MemoryError from the writer
                        raise _errors().ConnectionClosed("write failed: %r" % (e,))
                else:
                    await io.send([d], timeout)
                    f = getattr(io, "flush", None)
                    if f is not None:
                        f()
        except Exception as e:
            if _is(e, 0):
                self._end(e)
            raise
        finally:
            self._writing = False
            if self._wev:
                _wake_all(self._wev)

    def busy(self):
        # True when _flush() would return at once: a write is in progress (or the reader
        # is dispatching a batch) and the frames queued are within the limits above.
        # Board RAM: the stream writes ask this first rather than call _flush, whose
        # coroutine frame (~290 bytes) was allocated and dropped by every write of every
        # handler while another one was writing: 18 per batch of h2load's 10 streams.
        # (The bytes are summed in a loop: on MicroPython, sum(map(len, o)) left 32
        # bytes of garbage per queued frame, ~640 per call with h2load's 10 streams.)
        if not (self._writing or self._batch):
            return False
        o = self.p._out
        if self.blocking:
            return True
        if len(o) > self.max_queued_frames:
            return False
        if len(o) > 8:
            n = 0
            for d in o:
                n += len(d)
            return n <= _QUEUED_BYTES
        return True

    def _end(self, e):
        # The connection is over: every waiter wakes and finds the error e.
        if self.error is None:
            self.error = e
        for st in list(self.streams.values()):
            if st.conn_error is None:
                st.conn_error = e
            st._wake()
        self._wake()

    def _wake(self):
        for w in (self._ev, self._wev):
            if w:
                _wake_all(w)

    def _wake_writers(self):
        for st in self.streams.values():
            if st._want_window:
                st._wake()
        if self._ev:
            _wake_all(self._ev)

    def _forget(self, stream):
        # The driver is done with this stream: unread bytes are acknowledged on the
        # connection window, the id leaves the table.
        if self.streams.get(stream.id) is stream:
            del self.streams[stream.id]
        if stream.chunks:
            n = 0
            for c in stream.chunks:
                n += c[1]
            stream.chunks = []
            if n:
                self.p._ack_conn(n)
        if self._ev:
            _wake_all(self._ev)

    # -- internals: events ------------------------------------------------------------
    def _dispatch(self, items):
        streams = self.streams
        for ev in items:
            k = ev[0]
            if k == _EV_HEADERS:
                sid = ev[1]
                st = streams.get(sid)
                if st is None:
                    if not self.server:
                        continue
                    st = H2Stream(self, sid)
                    st.headers = ev[2]
                    st.in_done = ev[3]
                    streams[sid] = st
                    self.requests += 1
                    self.idle = False
                    if self.onstream is not None:
                        self.onstream(st)
                    else:
                        if self._incoming:
                            self._incoming.append(st)
                        else:
                            self._incoming = [st]
                        if self._ev:
                            _wake_all(self._ev)
                    continue
                if ev[3]:
                    st.in_done = True
                if st.discard:
                    if st.in_done:
                        self._forget(st)
                    continue
                if st.heads:
                    st.heads.append(ev[2])
                else:
                    st.heads = [ev[2]]
                st._wake()
            elif k == _EV_DATA:
                st = streams.get(ev[1])
                if st is None:
                    if ev[3]:
                        self.p._ack_conn(ev[3])
                    continue
                if st.discard:
                    self.p.acknowledge_received_data(ev[3], ev[1])
                    if ev[4]:
                        st.in_done = True
                        self._forget(st)
                    continue
                if ev[2]:
                    if st.chunks:
                        st.chunks.append((ev[2], ev[3]))
                    else:
                        st.chunks = [(ev[2], ev[3])]
                elif ev[3]:
                    self.p.acknowledge_received_data(ev[3], ev[1])
                if ev[4]:
                    st.in_done = True
                    if st.out_done:
                        self._forget_later(st)
                st._wake()
            elif k == _EV_TRAILERS:
                st = streams.get(ev[1])
                if st is not None:
                    if st.heads:
                        st.heads.append(ev[2])
                    else:
                        st.heads = [ev[2]]
                    st.in_done = True
                    if st.out_done:
                        self._forget_later(st)
                    st._wake()
            elif k == _EV_STREAM_RESET and (ev[2] or self.server):
                # (RST_STREAM(NO_ERROR) on a client's stream: below)
                st = streams.get(ev[1])
                if st is not None:
                    st.reset = (ev[2], ev[3])
                    st._wake()
                    self._forget(st)
            elif k == _EV_WINDOW_UPDATED:
                if ev[1] == 0:
                    self._wake_writers()
                else:
                    st = streams.get(ev[1])
                    if st is not None and st._want_window:
                        st._wake()
            elif k == _EV_SETTINGS_CHANGED:
                for c in ev[1]:
                    if c[0] == _SETTINGS_INITIAL_WINDOW_SIZE or c[0] == _SETTINGS_MAX_CONCURRENT_STREAMS:
                        self._wake_writers()
                        break
            elif k == _EV_SETTINGS_ACKED:
                if self._ev:
                    _wake_all(self._ev)
            elif k == _EV_GOAWAY:
                self.goaway = (ev[1], ev[2], ev[3])
                self._wake()
            elif k == _EV_STREAM_RESET:
                _cerr(19, (self, ev))   # (mhttp._h2_client_more's kept)
            elif k == _EV_PING_ACKED or k == _EV_PUSH_PROMISE or k == _EV_CONNECTION_TERMINATED:
                from mhttp import _h2_conn_rare
                _h2_conn_rare.F[_CF_DISPATCH_RARE](self, ev)

    def _forget_later(self, stream):
        # Both directions done: drop it once the application has read the buffer (the
        # stream object stays usable; only the table entry goes).  A request whose body
        # was never sent (the final response came first, mhttp._client_h2's early) ends
        # our side now that the response is complete: RST_STREAM(NO_ERROR), RFC 9113 §8.1
        # (an empty END_STREAM would contradict its content-length, §8.1.1).
        s = self.p._streams.get(stream.id)
        if s is not None and s.state == _ST_HALF_CLOSED_REMOTE:
            _cerr(17, stream)   # (mhttp._h2_client_more's end_early)
        if not stream.chunks:
            if self.streams.get(stream.id) is stream:
                del self.streams[stream.id]
            if self._ev:
                _wake_all(self._ev)


class H2Stream(_sc.StreamCommon):
    # Board RAM: the state starts as these class attributes; an instance gets its own
    # only when one changes (a stream object is then 4 attributes, not 24, and its dict
    # is not grown step by step).  The lists start as the shared empty tuple and become
    # the stream's own list at their first item.  (headers, the peer's last head (the
    # request on a server), trailers and _unget start as StreamCommon's None; pushed, a
    # client's streams pushed with this one as parent, (), and promised_by, None, are
    # class defaults set by mhttp._h2_stream_rare, bound at their first read: board RAM,
    # this class's dict at 28 entries, its table 464 bytes, not 33 in 592.)
    request_headers = None      # client: the request we sent / a pushed request
    heads = ()                  # heads not handed out yet (1xx, final, trailers)
    chunks = ()                 # [(data, flow-controlled length)]
    # server: the request head not handed out yet (read on a server's streams only; a
    # request stream starts with it, so it is no field of its own while it waits for
    # its handler: 4 fields, a 64-byte table, not 5 in 96; a pushed one sets False)
    _headers_pending = True
    _body_started = False
    in_done = False             # END_STREAM received
    out_done = False            # END_STREAM sent
    headers_sent = False
    status = None
    reset = None                # (code, by_peer)
    conn_error = None
    _ev = ()                    # waiters (reads: heads, chunks)
    _wev = ()                   # waiters for flow-control window (writes)
    _want_window = False
    tunnel = False              # RFC 8441 extended CONNECT / CONNECT
    discard = False             # client: response dropped as it comes (h2c probe)

    def __getattr__(self, name):
        if name == "_open":
            return _lazy.bind(self, name, "mhttp._h2_client", "_open")
        return _sc.rare_attr(self, name, "mhttp._h2_stream_rare",
                             "connection get_method _raise write_continue write_trailers "
                             "push_promise rst_stream shutdown pushed promised_by finish_server")

    def __init__(self, conn, id):
        self.conn = conn
        self.id = id

    @property
    def stream_id(self):
        # lua-http's name for id.  Board RAM: read from id, not stored (a server stream's
        # dict 9 -> 8 entries: 192 -> 160 bytes each, one growth step less).
        return self.id

    def _wake(self):
        if self._ev:
            _wake_all(self._ev)
        if self._wev:
            _wake_all(self._wev)

    async def _wait(self, timeout, reason, t0):
        # One wait of a read call begun at ticks t0: `timeout` is that call's deadline,
        # not each wait's (a wake-up, or on the blocking face any frame, e.g. a PING
        # every 0.5 s, must not restart it)
        # (timeout 0, "never wait": each wait may still read what has arrived)
        left = timeout
        if timeout:
            left = timeout - ticks_diff(ticks_ms(), t0) / 1000
            if left <= 0:
                # %s timed out after %ss
                raise _cerr(0, (reason, timeout))
        if self._ev.__class__ is tuple:
            self._ev = []
        await self.conn._wait(self._ev, left, reason)

    # -- reading --------------------------------------------------------------------
    async def get_headers(self, timeout=None):
        # Server: the request head (again until the body is read), then the trailers.
        # Client: each response head in turn (1xx first), then the trailers.
        conn = self.conn
        if conn.server:
            if self._headers_pending:
                self._headers_pending = False
                return self.headers
            if not self._body_started and self.headers is not None and not self.heads:
                return self.headers
        if timeout is None:
            timeout = conn.timeout
        t0 = ticks_ms()
        while True:
            if self.heads:
                h = self.heads.pop(0)
                if not conn.server and h.get(b":status") is not None:
                    self.headers = h
                elif conn.server:
                    self.trailers = h
                return h
            if self.in_done:
                return None
            if self.reset is not None or self.conn_error is not None or conn.error is not None:
                self._raise()
            if self.id is None:
                # get_headers: write the request head first
                raise _cerr(8)
            await self._wait(timeout, 0, t0)     # (the reasons: _h2_conn_rare.WAITS)

    async def get_next_chunk(self, timeout=None):
        # The next piece of body (bytes), or None at its end; on an extended CONNECT
        # tunnel, the tunnelled bytes.  Taking a piece grants the peer that much window.
        # (unget is StreamCommon's.)
        if self._unget:
            return self._take_unget()
        self._body_started = True
        conn = self.conn
        if timeout is None:
            timeout = conn.timeout
        t0 = ticks_ms()
        while True:
            ch = self.chunks
            if ch:
                data, flen = ch.pop(0)
                p = conn.p
                if self.reset is None:
                    p.acknowledge_received_data(flen, self.id)
                    if p._out and not conn.busy():
                        await conn._flush()
                else:
                    p._ack_conn(flen)
                if not ch and self.in_done and self.out_done:
                    conn._forget_later(self)
                return data
            if self.in_done:
                return None
            if self.reset is not None or self.conn_error is not None or conn.error is not None:
                self._raise()
            if self.id is None:
                # get_next_chunk: write the request head first
                raise _cerr(9)
            await self._wait(timeout, 1, t0)

    # -- writing (a client stream's id: _open, mhttp._h2_client) ----------------------
    async def write_headers(self, headers, end_stream=False, timeout=None):
        conn = self.conn
        if self.reset is not None or conn.error is not None:
            self._raise()
        if not isinstance(headers, Headers):
            headers = Headers(headers)
        l = _clean(headers)
        if timeout is None:
            timeout = conn.write_timeout
        p = conn.p
        if self.id is None:
            if conn.server:
                # write_headers: no stream id
                raise _cerr(11)
            await self._open(timeout)
            self.request_headers = headers
            m = headers.get(b":method")
            if m == b"CONNECT":
                self.tunnel = True
        elif conn.server and not self.headers_sent:
            st = l[0][1] if l and l[0][0] == b":status" else headers.get(b":status")
            if st is None or len(st) != 3 or not st.isdigit() or st[0] == 48 or st[0] > 53:
                # (100-599, what mhttp.h1 writes too: RFC 9110 §15, values outside it are
                # invalid; a client reads 600-999 as 5xx; 48, 53: "0", "5")
                # write_headers: a response needs a :status of 100-599
                raise _cerr(12)
            if not st or st[0] != 49:     # not "1xx" (board RAM: no slice objects)
                self.headers_sent = True
                self.status = st
                if _CPYTHON:
                    # RFC 9110 §6.6.1: an origin server with a clock sends Date (boards
                    # often have none; their servers leave it out).  Board RAM: in
                    # mhttp._h2_cpy, so this frame, allocated by every call, has no loop
                    # (224 -> 192 bytes on the 64-bit unix port).
                    l = _dated(l)
                if st and st[0] == 50 and self.headers is not None and \
                        self.headers.get(b":method") == b"CONNECT":
                    self.tunnel = True
        p.send_headers(self.id, l, end_stream)
        if not conn.server:
            self.headers_sent = True
        if end_stream:
            self.out_done = True
            if self.in_done:
                conn._forget_later(self)
        if not conn.busy():
            await conn._flush()

    async def write_chunk(self, data, end_stream=False, timeout=None):
        # Sends body bytes as the peer's windows allow, waiting for WINDOW_UPDATE (up to
        # `timeout` per wait: a stalled stream raises Timeout).
        if isinstance(data, str):
            data = data.encode()
        conn = self.conn
        if self.out_done:
            if not data and end_stream:
                return
            # write_chunk: stream %s already ended
            raise _cerr(13, (self.id,))
        if self.reset is not None or conn.error is not None:
            self._raise()
        if self.id is None:
            # write_chunk: write the request head first
            raise _cerr(14)
        if timeout is None:
            timeout = conn.write_timeout
        p = conn.p
        n = len(data)
        if n <= 16384:
            sent = p.send_data(self.id, data, end_stream, 0)
            if sent == n:
                if end_stream:
                    self.out_done = True
                    if self.in_done:
                        conn._forget_later(self)
                if not conn.busy():
                    await conn._flush()
                return
        else:
            sent = 0
        await self._write_rest(data, sent, end_stream, timeout)

    async def _write_rest(self, data, n, end_stream, timeout):
        # write_chunk past what fits at once (over 16 KiB, or a window too small): the
        # rest of data from octet n as WINDOW_UPDATEs allow.  Board RAM: its own coroutine,
        # so write_chunk's frame, allocated by every call, carries no try block (256 ->
        # 192 bytes on the 64-bit unix port).  (Argument names already interned.)
        sent = n
        conn = self.conn
        p = conn.p
        n = len(data)
        mv = memoryview(data)
        while True:
            if sent < n:
                sent += p.send_data(self.id, mv[sent:], end_stream, ticks_ms())
            if sent >= n:
                break
            await conn._flush()
            self._want_window = True
            if self._wev.__class__ is tuple:
                self._wev = []
            try:
                while p.local_flow_control_window(self.id) <= 0:
                    if self.reset is not None or conn.error is not None:
                        self._raise()
                    # the response coming as the body goes (a server that answers as
                    # it reads): window granted for what a client stream holds, within
                    # its response_buffer (mhttp._h2_client_more's hold)
                    if self.chunks and not conn.server and _cerr(16, self):
                        await conn._flush()
                    await conn._wait(self._wev, timeout, 2)
            except Exception as e:
                if _is(e, 1):
                    if self.chunks and not conn.server:
                        # (the message says why: mhttp._h2_client_more's stalled)
                        raise _cerr(18, (self, timeout))
                    # stream %s stalled: no WINDOW_UPDATE within %ss
                    raise _cerr(15, (self.id, timeout))
                if not _is(e, 2):
                    raise
                if self.reset is not None or conn.error is not None:
                    self._raise()
                raise
            finally:
                self._want_window = False
        if end_stream:
            self.out_done = True
            if self.in_done:
                conn._forget_later(self)
        if not conn.busy():
            await conn._flush()

    # -- server: after the handler ------------------------------------------------------
def __getattr__(name):
    # PEP 562: mhttp.errors' classes, StreamCommon, the server's h2c helpers
    # (is_preface_prefix, upgrade_request, UPGRADE_101) and serve_connection, served by
    # mhttp._h2_conn_rare (mod_attr).  Board RAM: the names and the tests on them are str
    # constants there, not heap objects of this module (~0.3 KB).  (__path__, which
    # CPython's import asks for, loads nothing.)
    if name == "__path__":
        raise AttributeError(name)
    # (the literals of the classes' __getattr__: one constant each, and no rare module
    # loaded to read them)
    if name == "_CONN_RARE":        # H2Connection's methods in mhttp._h2_conn_rare
        return ("checktls localname peername alpn settings peer_settings "
                "can_open_stream shutdown abort ping update_settings "
                "get_next_incoming_stream _fail _kick _quiet_flush")
    if name == "_STREAM_RARE":      # H2Stream's in mhttp._h2_stream_rare
        return ("connection get_method _raise write_continue write_trailers push_promise "
                "rst_stream shutdown pushed promised_by finish_server")
    from mhttp import _h2_conn_rare
    return _h2_conn_rare.F[_CF_ATTR](globals(), name)


# CPython: the lazily bound methods are bound now and the classes lose __getattr__ (it
# would cost CPython 3.11 its attribute-access specialisation); MicroPython: no-op.
_lazy.settle(H2Connection, "mhttp._h2_conn_rare",
             "checktls localname peername alpn settings peer_settings can_open_stream "
             "shutdown abort ping update_settings get_next_incoming_stream _fail _kick "
             "_quiet_flush")
_lazy.settle(H2Connection, "mhttp._h2_server", "serve")
_lazy.settle(H2Connection, "mhttp._h2_client", "connect new_stream _start _read_once _check close")
_lazy.settle(H2Stream, "mhttp._h2_client", "_open")
_lazy.settle(H2Stream, "mhttp._h2_stream_rare",
             "connection get_method _raise write_continue write_trailers push_promise "
             "rst_stream shutdown pushed promised_by finish_server")
