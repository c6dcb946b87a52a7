# mhttp.h1_connection: HTTP/1.x connection and stream drivers (lua-http h1_connection,
# h1_stream) over an I/O object from mhttp._io (or a port's ProtocolIO).
#
# The driver owns no HTTP rules: every byte goes through the sans-I/O core (mhttp.h1
# H1Protocol).  It adds what needs I/O and time: reading until the core has an event,
# writing what the core returns, timeouts, the server's automatic 100 Continue, the
# drain-or-close after a handler, and the Date/Server fields.
#
# One stream at a time per connection: HTTP/1.1 pipelined requests are read in order and
# answered in order (the next request is parsed only once the previous exchange is done;
# bytes that arrived for it stay buffered in the core).
#
# All blocking calls are coroutines; under a SocketIO they never suspend and
# mhttp._io.run_blocking(coro) runs them (the blocking face).

from mhttp.h1 import H1Protocol
from mhttp.headers import Headers
# (mhttp.stream_common and mhttp._lazy as modules, their names read from them: this
# module's dict holds ten entries, a table of 160 B on a board, not twelve in 192)
import mhttp.stream_common as stream_common
import mhttp._lazy as _lazy

# RAM on boards: at most 12 module globals (MicroPython's dict of 13-17 entries takes
# 320 B, of up to 12 224 B): the errors are imported where they are raised, SERVER_NAME
# lives in mhttp._h1_server (both still importable from here, see __getattr__).  mhttp.h1's roles and event kinds are private const()s here
# (inlined by MicroPython's compiler: no global; const is defined for CPython only), still
# importable from this module through __getattr__ below; the lists of lazily bound names
# are str literals where they are used (equal literals of a module are one object).
if hasattr(b"", "translate"):       # CPython
    def const(n):
        return n

_CLIENT = const(0)          # mhttp.h1.CLIENT
_SERVER = const(1)          # mhttp.h1.SERVER
_EV_HEADERS = const(1)      # mhttp.h1.EV_HEADERS
_EV_DATA = const(2)         # mhttp.h1.EV_DATA
_EV_TRAILERS = const(3)     # mhttp.h1.EV_TRAILERS
_EV_CLOSED = const(4)       # mhttp.h1.EV_CLOSED



def __getattr__(name):
    # (PEP 562) error_response, http_date, MAX_DRAIN, MIN_CLOCK_YEAR, mhttp.h1's CLIENT,
    # SERVER and EV_* kinds, and __all__: served by mhttp._h1c_rare._modattr (board RAM:
    # the lists of those names are not carried by every HTTP/1 program).
    if name[:1] == "_" and name != "__all__":
        raise AttributeError(name)      # (a probe for __path__ &c. loads nothing)
    from mhttp._h1c_rare import _modattr
    return _modattr(name)


def _err(type, n, data=None):
    # The exception `type` (an mhttp.errors class) with text n of mhttp._h1c_text,
    # formatted with data unless it is None: the texts are loaded by the first error
    # (board RAM: a str literal costs a heap object even from ROMFS).  Raise sites carry
    # the text as a comment.  No heap left for the texts: the same class, a bare text.
    try:
        from mhttp._h1c_text import text
        n = text[n] if data is None else text[n] % data
    except (ImportError, MemoryError):
        n = "#%d" % n
    return type(n)


class H1Connection:
    # type: "client" or "server" (lua-http's connection.type; H2Connection's too), from
    # the constructor's type argument, CLIENT or SERVER (from mhttp.h1; is_server tells
    # them apart in the code): a property in mhttp._h1c_rare, bound on first use (board
    # RAM: the two names are not interned by a client that never reads it; the server's
    # connection class has "server" in its own dict).  Timeouts in seconds (None: no limit):
    #   timeout         default for calls given timeout=None
    #   idle_timeout    server: waiting for the first byte of the next request
    #   header_timeout  server: from the first byte to the end of the request head
    #   body_timeout    per body read (a stalled body is cut off)
    #   write_timeout   per write (a client that stops reading is cut off)

    # Board RAM: defaults live on the class, so a connection's instance dict only holds
    # what differs (MicroPython grows an instance's attribute table one step per new
    # attribute; fewer attributes, a smaller table and less garbage on the way).
    is_server = False
    version = 1.1
    timeout = None
    idle_timeout = None
    header_timeout = None
    body_timeout = None
    write_timeout = None
    stream = None        # the current stream
    _eof = False
    closed = False
    close_after = False  # server: answer with Connection: close, then close
    # requests (server: requests read on this connection; 0) and idle (server: waiting
    # for the next request; False) are set on every server connection by __init__ below;
    # their class defaults are in mhttp._h1c_rare (a client never reads them: two
    # entries fewer in this class's dict, 23, a table of 416 B on a board, not 512)
    hold_head = True
    # the io's send_nowait, when it has one (the same name: an interned name the io
    # classes have, not a str constant in __init__, a heap object on a board)
    send_nowait = None
    _held = None

    def __init__(self, io, type, version=1.1, timeout=None, idle_timeout=None,
                 header_timeout=None, body_timeout=None, write_timeout=None, scheme=None,
                 **h1opts):
        self.io = io
        if type == _SERVER and not self.is_server:  # (a server's subclass is one already)
            self.is_server = True
        # (H1Protocol's default scheme is http: no b"http" constant here, board RAM)
        if scheme is not None or getattr(io, "tls", False):
            h1opts["scheme"] = b"https" if scheme is None else scheme
        self.p = H1Protocol(type, **h1opts)
        if version != 1.1:
            self.version = version
        if timeout is not None:
            self.timeout = timeout
            if idle_timeout is None:
                idle_timeout = timeout
            if header_timeout is None:
                header_timeout = timeout
            if body_timeout is None:
                body_timeout = timeout
            if write_timeout is None:
                write_timeout = timeout
        if idle_timeout is not None:
            self.idle_timeout = idle_timeout
        if header_timeout is not None:
            self.header_timeout = header_timeout
        if body_timeout is not None:
            self.body_timeout = body_timeout
        if write_timeout is not None:
            self.write_timeout = write_timeout
        # Server over an I/O object that does not cork its writes (asyncio streams): a
        # head with content-length is held until the first body write (one write).
        if getattr(io, "corks", False):
            self.hold_head = False
        nowait = getattr(io, "send_nowait", None)
        if nowait is not None:
            self.send_nowait = nowait
        if self.is_server:
            # The fields every exchange of a server writes, set now (board RAM: the
            # attribute table takes its final size at the connection's set-up, not step
            # by step in the middle of its first request, see H1Protocol.__init__).
            self.idle = False
            self.requests = 0
            self.stream = None
            if self.hold_head:
                self._held = None

    def abort(self):
        # (the I/O object first: setting closed may allocate, see SocketIO.abort)
        self.io.abort()
        self.closed = True

    # server: seconds from the end of a request head to the end of its body (the whole
    # body, however it trickles; body_timeout bounds each read).  None: no limit.
    body_deadline = None

    def __getattr__(self, name):
        # connect, checktls, localname, peername, alpn, shutdown, close,
        # get_next_incoming_stream and the defaults requests and idle live in
        # mhttp._h1c_rare, _next_event in mhttp._h1c_stream, the server's _rest_of_head,
        # end_exchange and _incoming in mhttp._h1_server (loaded on first use; the
        # server-only half is bound like the rare methods: a client never loads it).
        # (one str each, repeated in the settle() calls at the end: see mhttp._lazy)
        # H1Stream's __getattr__ is this function too (board RAM: a def is heap on a
        # board, ~115 B as a .mpy file): a stream's names are bound below.
        # (one table per class, mhttp._lazy.bind: board RAM, a str constant is a heap
        # object even from ROMFS, two here where module names and lists were nine)
        if isinstance(self, H1Stream):
            return stream_common.rare_attr(self, name, "_h1_server finish_server _out _left;"
                                           "_h1c_stream get_method write_continue "
                                           "write_trailers shutdown _push _tunnel", None)
        return _lazy.bind(self, name, "_h1_server _rest_of_head end_exchange _incoming;"
                          "_h1c_stream _next_event;_h1c_rare connect checktls localname "
                          "peername alpn shutdown close get_next_incoming_stream requests "
                          "idle type", None)

    # -- reading events -------------------------------------------------------------
    # (_next_event(timeout), the read loop that returns the core's next event, is in
    # mhttp._h1c_stream, for a tunnel's reads: H1Stream.get_headers and get_next_chunk
    # run that loop themselves, so that no coroutine frame of it is live while a head is
    # parsed, board RAM)

    # Writes: pieces go to io.send (io.send_nowait, send_nowait here, when not None and
    # no head is held: CPython's corking ProtocolIO takes them without waiting while its
    # buffer has room, saving two coroutine frames per write), a held head first.  Written
    # out where they happen (write_headers, write_chunk, flush, mhttp._h1c_stream's
    # _send): board RAM, no helper methods (a def is heap on a board, with each module).

    async def flush(self, timeout=None):
        # Writes a response head held back by write_headers (see hold_head).
        h = self._held
        if h is not None:
            self._held = None
            await self.io.send([h], self.write_timeout if timeout is None else timeout)

    # -- client ---------------------------------------------------------------------
    def new_stream(self):
        if self.is_server:
            from mhttp.errors import Error
            raise _err(Error, 1)  # new_stream: only a client connection opens streams
        p = self.p
        if self.stream is not None or p.our_done:
            # a previous exchange (its stream may have been dropped when it finished: a
            # pooled client connection, mhttp.request)
            # (mhttp.errors imported only to raise: a plain exchange need not load it)
            if not (p.our_done and p.their_done):
                from mhttp.errors import Error
                # new_stream: the previous request/response is not finished (read the
                # response body to the end first)
                raise _err(Error, 2)
            if not p.keep_alive:
                from mhttp.errors import ConnectionClosed
                raise _err(ConnectionClosed, 3)  # connection is not reusable (keep-alive ended)
            p.start_next_cycle()
        s = H1Stream(self)
        self.stream = s
        return s


class H1Stream(stream_common.StreamCommon):
    # Board RAM: one H1Stream per request; its defaults live on the class (see
    # H1Connection), so a plain GET sets three or four instance attributes.  headers
    # (the peer's head: the request on a server), trailers and _unget are StreamCommon's
    # (None).
    _headers_pending = False  # server: headers read but not yet handed out
    _in_done = False          # the peer's message has ended
    headers_sent = False      # our head written (final status on a server)
    status = None             # server: the final status we sent
    continue_sent = False
    _body_started = False

    def __init__(self, conn):
        self.conn = conn

    @property
    def connection(self):
        # (not in _h1c_stream: a pooled client asks for it on every response)
        return self.conn

    # get_method, write_continue, write_trailers, shutdown, _push and _tunnel (reading
    # after an upgrade) live in mhttp._h1c_stream, the server's finish_server, _out
    # (write_headers' response head) and _left (the request body deadline) in
    # mhttp._h1_server, the rare body helpers (stream_common.BODY) in mhttp._stream_more
    # (loaded on first use): bound by H1Connection's __getattr__ (one def for both).
    __getattr__ = H1Connection.__getattr__

    # -- reading --------------------------------------------------------------------
    async def get_headers(self, timeout=None):
        # Server: the request head (then the trailers, if any).  Client: the next response
        # head, 1xx included (like lua-http), then the trailers.
        conn = self.conn
        if self._headers_pending:
            self._headers_pending = False
            return self.headers
        if conn.is_server and not self._body_started:
            # Asked again before any body was read: the same request head (so handlers can
            # be composed), as lua-http keeps it on the stream.
            return self.headers
        if conn.is_server or self.headers is not None:
            if self.trailers is not None:
                t, self.trailers = self.trailers, None
                return t
            if self._in_done:
                return None
        if timeout is None:
            timeout = conn.timeout
        p = conn.p
        # timeout bounds the whole head, however it trickles (a deadline: each read waits
        # what is left of it, stream_common.left), a 1xx head included
        start = stream_common.ticks_ms()
        while True:
            ev = p.next_event()         # (see get_next_chunk)
            if ev is None:
                # _next_event's loop, inline (board RAM: its coroutine frame, a heap
                # block, is not live while the head is parsed, the tightest moment of a
                # client's exchange)
                if conn._held is not None:
                    await conn.flush()
                if conn._eof:
                    from mhttp.errors import ConnectionClosed
                    raise _err(ConnectionClosed, 0)  # peer closed the connection mid-message
                ev = await conn.io.recv(stream_common.left(start, timeout))
                if not ev:
                    conn._eof = True
                    ev = b""
                p.receive_data(ev)
                continue
            kind = ev[0]
            if kind == _EV_HEADERS:
                self.headers = ev[1]
                if ev[2]:
                    # (a request head or a final response: mhttp.h1 never ends the
                    # message with an interim 1xx head)
                    self._in_done = True
                return ev[1]
            if kind == _EV_TRAILERS:
                self._in_done = True
                return ev[1]
            if kind == _EV_DATA:
                # Body before the caller asked for it: keep it for get_next_chunk.
                if ev[1]:
                    self._push(ev[1])
                if ev[2]:
                    self._in_done = True
                    return None
                continue
            if kind == _EV_CLOSED:
                from mhttp.errors import ConnectionClosed
                raise _err(ConnectionClosed, 4)  # peer closed the connection before a response

    _body_end = None     # server: ticks_ms by which the request body must be complete

    async def get_next_chunk(self, timeout=None):
        # The next piece of body (bytes), or None at its end.  After an upgrade (101, or a
        # 2xx to CONNECT) the pieces are the tunnelled bytes until the peer closes.
        if self._unget:
            return self._take_unget()
        conn = self.conn
        p = conn.p
        if timeout is None:
            timeout = conn.body_timeout
        if p.upgraded:
            # The tunnelled bytes: mhttp._h1c_stream (loaded on first use).
            return await self._tunnel(timeout)
        if conn.is_server:
            # (read by the server's get_headers only: a client's stream, one per
            # request, keeps one attribute fewer, a smaller table on MicroPython)
            self._body_started = True
        if self._in_done:
            return None
        if self._body_end is not None:
            timeout = self._left(timeout)
        if conn.is_server and p.expect_continue and not self.headers_sent and not self.continue_sent:
            # RFC 9110 §10.1.1: the client waits for 100 (Continue) before sending the body.
            await self.write_continue(timeout)
        while True:
            # (an event already parsed is taken without a _next_event coroutine: a heap
            # block per read on MicroPython)
            ev = p.next_event()
            if ev is None:
                # _next_event's loop, inline (as in get_headers)
                if conn._held is not None:
                    await conn.flush()
                if conn._eof:
                    # (ev: a slot reused; this coroutine's frame is a heap block per
                    # body read on MicroPython: 128 B with the names it had before)
                    from mhttp.errors import ConnectionClosed as ev
                    raise _err(ev, 0)  # peer closed the connection mid-message
                ev = await conn.io.recv(timeout)
                if not ev:
                    conn._eof = True
                    ev = b""
                p.receive_data(ev)
                continue
            kind = ev[0]
            if kind == _EV_DATA:
                if ev[2]:
                    self._in_done = True
                    if not ev[1]:
                        return None
                elif not ev[1]:
                    continue
                return ev[1]
            if kind == _EV_TRAILERS:
                self._in_done = True
                self.trailers = ev[1]
                return None
            if kind == _EV_HEADERS:
                if p.upgraded:
                    # Client: a 101 arrived while we read; hand it out via get_headers.
                    self.headers = ev[1]
                    self._headers_pending = True
                    return None
                self.headers = ev[1]
                continue
            if kind == _EV_CLOSED:
                self._in_done = True
                return None

    # -- writing --------------------------------------------------------------------
    async def write_headers(self, headers, end_stream=False, timeout=None):
        conn = self.conn
        if not isinstance(headers, Headers):
            headers = Headers(headers)
        if conn.is_server:
            # (the response head is made by a plain method, _out in mhttp._h1_server:
            # this coroutine's frame, a heap block for every head written, keeps few slots)
            pieces = self._out(headers, end_stream)
            if pieces is None:
                return          # held for the first body write (see hold_head)
            pieces = [pieces]
            if conn.send_nowait is not None and conn._held is None and conn.send_nowait(pieces):
                return
        else:
            self.headers_sent = True
            pieces = [conn.p.send_headers(headers, end_stream)]
        # (one coroutine frame less per head than a helper: board RAM)
        h = conn._held
        if h is not None:
            conn._held = None
            pieces.insert(0, h)
        await conn.io.send(pieces, conn.write_timeout if timeout is None else timeout)

    async def write_chunk(self, data, end_stream=False, timeout=None):
        if isinstance(data, str):
            data = data.encode()
        conn = self.conn
        pieces = conn.p.send_data(data, end_stream)
        if pieces and not (conn.send_nowait is not None and conn._held is None and
                           conn.send_nowait(pieces)):
            # (one coroutine frame less per write than a helper: board RAM)
            h = conn._held
            if h is not None:
                conn._held = None
                pieces.insert(0, h)
            await conn.io.send(pieces, conn.write_timeout if timeout is None else timeout)

# CPython: bound now, no __getattr__ (the same lists as in the __getattr__s above)
_lazy.settle(H1Connection, "_h1_server _rest_of_head end_exchange _incoming;"
             "_h1c_stream _next_event;_h1c_rare connect checktls localname "
             "peername alpn shutdown close get_next_incoming_stream requests idle "
             "type", None)
_lazy.settle(H1Stream, "_h1_server finish_server _out _left;"
             "_h1c_stream get_method write_continue write_trailers shutdown _push _tunnel", None)
