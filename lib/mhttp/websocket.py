# mhttp.websocket: lua-http's http.websocket in Python idiom, over HTTP/1.1 (101 Switching
# Protocols) and HTTP/2 (RFC 8441 extended CONNECT), on CPython and MicroPython.
#
#   import mhttp.websocket as websocket
#   ws = websocket.new_from_uri("wss://example.com/chat", ["chat"])
#   await ws.connect(10)
#   await ws.send("hello")                  # str -> text frame, bytes -> binary frame
#   data, opcode = await ws.receive(10)     # opcode "text" (data: str) or "binary" (bytes)
#   async for data, opcode in ws: ...       # until the peer closes
#   await ws.close(1000, "bye")
#
#   ws = websocket.new_from_uri("ws://127.0.0.1:8000/ws", blocking=True)
#   ws.connect(5); ws.send(b"x"); ws.receive(5); for data, op in ws: ...; ws.close()
#   (the blocking face: the very same coroutines run by mhttp._io.run_blocking over
#   blocking sockets, through mhttp.blocking.Blocking; no method is written twice)
#
#   async def onstream(server, stream):             # a server handler
#       req = await stream.get_headers()
#       try:
#           ws = websocket.new_from_stream(stream, req)
#       except websocket.HandshakeError as e:
#           await websocket.reject(stream, e)       # 400 / 426 (+ Sec-WebSocket-Version)
#           return
#       await ws.accept(protocols=["chat"])         # 101 on HTTP/1.1, 200 on HTTP/2
#       async for data, opcode in ws:
#           await ws.send(data, opcode)
#
# Layering.  The protocol (framing, masking, UTF-8, limits, close codes, permessage-deflate,
# handshake fields) is the sans-I/O core mhttp.ws; this module only moves bytes between it
# and a stream: after the upgrade (a 101, or a 200 to an extended CONNECT) a stream's
# get_next_chunk / write_chunk carry the tunnelled bytes, the same over h1 and h2
# (docs/internals.md, "Contract: drivers").
#
# Results and errors (one rule for every call):
#   receive() returns (data, opcode) for a message, and None once the connection is closed:
#     the peer sent a close frame (we echoed it), we closed, or TCP ended without a close
#     frame (close_code 1006).  ws.close_code / ws.close_reason then say why.
#   A peer that breaks the protocol (unmasked client frame, unknown opcode, bad UTF-8,
#     message over max_message_size, bad compressed data ...) gets the close frame the core
#     chose (1002, 1007, 1009), the connection is closed, and receive() raises
#     mhttp.errors.WSError with .close_code set to that code (ws.close_code too).  Later
#     calls to receive() return None.
#   Timeout (mhttp.errors.Timeout) from receive() leaves the connection usable.
#   Sending after the connection is closed raises ConnectionClosed; sending after close()
#     started the closing handshake raises WSError (the core's misuse error).
#   Handshake failures raise HandshakeError (a ProtocolError; .status_hint on a server).
#
# Timeouts are seconds; None means no limit for receive()/connect() and the connection's
# defaults for writes.  close(timeout) waits at most timeout (default close_timeout, 3 s
# as lua-http) for the peer's close frame, then closes the TCP connection anyway.
#
# Concurrency (asyncio): one task may be in receive() while others send(); sends are
# serialised by a lock (compressed frames must reach the wire in the order they were
# compressed).  close() from another task while one is in receive() sends the close frame
# and lets the receiving task finish the handshake (bounded by close_timeout).
#
# Compression: permessage-deflate is offered (client) and accepted (server) by default
# (compression=True); compression=False turns it off; a mhttp.ws.PerMessageDeflate gives
# the exact policy.  On MicroPython the core asks the peer for small windows and no context
# takeover, and sends uncompressed when the firmware cannot compress (see mhttp.ws).
#
# Sizes: max_message_size (default: 1 MiB on CPython, 32 KiB on MicroPython) bounds every
# incoming message after decompression (1009 beyond); max_frame_size defaults to it.
from mhttp import ws as core
from mhttp.ws import PerMessageDeflate  # noqa: F401 (re-exported)
from mhttp._io import ticks_ms, ticks_diff, ticks_add
from mhttp._lazy import bind, settle
from mhttp.ws import _msg

if not core.MICROPYTHON:
    # (MicroPython's compiler replaces every const() call itself: importing it from
    # micropython would only bind a module global, one dict entry on a board)
    def const(x):
        return x

    # mhttp.errors' classes as plain globals on CPython (dir(), star imports); on
    # MicroPython they are imported where raised, matched through mhttp.ws._is, and
    # served by the module __getattr__ (mhttp._ws_more.ws_attr): a WebSocket loads
    # mhttp.errors only with an error (board RAM, ~1.7 KB)
    from mhttp.errors import Error, Timeout, ConnectionClosed, ProtocolError  # noqa: F401
    from mhttp import errors  # noqa: F401

# Error messages: ids into mhttp._ws_msg.MSG, after mhttp.ws's (the texts load at the first
# error; see mhttp.ws, "Error messages").
_M_H2_NO_CONNECT = const(44)     # (raised in mhttp._ws_more)
_M_NOT_CONNECTED = const(46)
_M_CLOSED = const(47)
_M_NO_HEAP = const(55)

# mhttp.ws's EV_MESSAGE, EV_CLOSE, CLOSE_ABNORMAL, ST_OPEN (its public names are not
# globals on a board; test_websocket_api checks these against them)
_EV_MESSAGE = const(1)
_EV_CLOSE = const(5)
_CLOSE_ABNORMAL = const(1006)
_ST_OPEN = const(0)

# ready_state values (the browser API's): public globals on every runtime (4 interned
# names on a board; served lazily they cost more: the first comparison in a program's
# ready_state check loaded mhttp._ws_more, ~2.2 KB, and MicroPython 1.27's star import
# missed them)
CONNECTING = const(0)
OPEN = const(1)
CLOSING = const(2)
CLOSED = const(3)

_SLICE = const(3600)      # seconds per read when waiting without a limit (ticks stay in range)

# send()'s opcode names: mhttp._ws_more._OPCODES (loaded when a send names its opcode)


def _deadline(timeout):
    if timeout is None:
        return None
    return ticks_add(ticks_ms(), int(timeout * 1000))


def _left(end):
    # Seconds left until end (None: no limit); Timeout when it has passed.
    if end is None:
        return None
    ms = ticks_diff(end, ticks_ms())
    if ms <= 0:
        from mhttp.errors import Timeout
        raise Timeout("websocket: timed out")   # a literal: timeouts are routine
    return ms / 1000



class WebSocket:
    # Attributes: type ("client" / "server"), ready_state, protocol (the agreed
    # subprotocol, str, or None), extensions (the negotiated PerMessageDeflate list),
    # headers (the peer's handshake head: the response on a client, the request on a
    # server), close_code / close_reason, close_timeout, timeout (default for receive()
    # when iterating), max_message_size, max_frame_size, stream, connection (a client
    # over HTTP/1.1: both the tunnel over the I/O object once the 101 is checked,
    # mhttp._ws_tun.Tunnel; it keeps no HTTP/1.1 object).
    close_timeout = 3
    # Defaults of fields a plain client (and a server) never writes, on the class (board
    # RAM: an instance attribute table of 23 slots, not 29; 96 bytes per WebSocket on a
    # 64-bit port): the receive() default when iterating, the asyncio face's send lock
    # (set by _open), a client's wss://, subprotocols, Origin and extra request fields
    # (set by new_from_uri when given).
    timeout = None
    _lock = None
    tls = False
    protocols = None
    origin = None
    request_headers = None   # extra fields for the opening request

    def __init__(self, type, compression=True, max_message_size=None, max_frame_size=None,
                 blocking=False):
        self.type = type
        self.ready_state = CONNECTING
        # the permessage-deflate policy: True -> the defaults, False/None -> none, or the
        # PerMessageDeflate given (written here: a module global less, board RAM)
        if compression is True:
            compression = PerMessageDeflate()
        self.compression = compression if compression else None
        self.max_message_size = max_message_size
        self.max_frame_size = max_frame_size
        self.blocking = blocking
        self.protocol = None
        self.extensions = []
        self.headers = None
        self.close_code = None
        self.close_reason = None
        self.stream = None
        self.connection = None
        self.p = None
        self._reading = False
        self._eof = False
        # client
        self.host = None
        self.port = None
        self.authority = None
        self.path = b"/"
        self.options = {}             # passed on to mhttp.client.connect (ctx, cafile, ...)

    def __repr__(self):
        return "<mhttp.websocket %s state=%d>" % (self.type, self.ready_state)

    # Rare methods live in other modules, bound on first use (mhttp._lazy): accept (the
    # server's answer) in mhttp._ws_server; send_frame, send_ping, send_pong, _failed
    # (the peer broke the protocol), each and abort in mhttp._ws_more; close,
    # _close_transport and _drain in mhttp._ws_close.
    def __getattr__(self, name):
        if name == "accept":
            return bind(self, name, "mhttp._ws_server", "accept")
        if name == "headers":
            # (a client over HTTP/1.1 on MicroPython: the tunnel's, made on first use from
            # the compact head connect() keeps; board RAM)
            h = self.headers = self.stream.headers
            return h
        if name in "close _close_transport _drain".split():
            return bind(self, name, "mhttp._ws_close", "close _close_transport _drain")
        # (WebSocket's in mhttp._ws_more: the list written out here and in settle below,
        # not kept in a global: board RAM, one interned name less)
        return bind(self, name, "mhttp._ws_more", "send_frame send_ping send_pong _failed each abort")

    # -- opening ----------------------------------------------------------------------
    def _open(self, stream, exts, client):
        self.stream = stream
        self.connection = getattr(stream, "connection", None)
        self.p = core.WSProtocol(client, self.max_frame_size, self.max_message_size, exts)
        # the negotiated extensions: the protocol's copy of the list (board RAM: one list
        # per connection, not two)
        self.extensions = self.p.extensions
        # per-read timeout when waiting without a limit: None where the stream's default
        # is no limit (clients), else a long slice (ticks_add stays in range on boards)
        self._slice = _SLICE if getattr(self.connection, "is_server", True) else None
        if not self.blocking:
            import asyncio
            self._lock = asyncio.Lock()
        self.ready_state = OPEN

    async def connect(self, timeout=None):
        # Opens the connection and performs the opening handshake (RFC 6455 §4.1, or RFC
        # 8441 over an HTTP/2 connection).  Raises HandshakeError when the server refuses
        # (ws.headers then holds its response head), TLSError, Timeout, ConnectionClosed.
        # (The code: mhttp._ws_start.start, the handshake and the connection's set-up
        # after it; board RAM: on MicroPython that module is dropped with the
        # handshake's, so a connected client from .mpy files does not keep this code.)
        from mhttp._ws_start import start
        return await start(self, timeout)

    # -- receiving ----------------------------------------------------------------------
    async def _read(self, end):
        # The next tunnelled bytes (b"" at EOF).  A reset tunnel (HTTP/2 RST_STREAM,
        # GOAWAY) is taken as EOF: the websocket then ends with 1006, as when TCP ends
        # without a close frame.  (One coroutine: each layer is a heap frame per read.)
        s = self.stream
        try:
            if end is None:
                # No limit: a stream's default timeout (a server's body_timeout) just
                # means "read again"; a client stream has none (no timer per read).
                while True:
                    try:
                        c = await s.get_next_chunk(self._slice)
                        break
                    except Exception as e:      # Timeout (mhttp.ws._is)
                        if not core._is(e, "Timeout"):
                            raise
            else:
                c = await s.get_next_chunk(_left(end))
        except Exception as e:      # ProtocolError (mhttp.ws._is)
            if not core._is(e, "ProtocolError"):
                raise
            c = None
        if c is None:
            self._eof = True
            return b""
        return c

    async def _flush_auto(self):
        # Writes what the core queued by itself (pongs, the close echo, a failure's close
        # frame).  A peer that is already gone is not an error here: the read says so.
        # (Resident, not in mhttp._ws_close: a pinged connection runs it routinely.)
        out = self.p.data_to_send()
        if out:
            try:
                await self.stream.write_chunk(out, False, None)
            except Exception as e:      # ConnectionClosed, Timeout (mhttp.ws._is)
                if not (core._is(e, "ConnectionClosed") or core._is(e, "Timeout")):
                    raise

    async def receive(self, timeout=None):
        # The next message as (data, opcode) -- opcode "text" (data: str) or "binary"
        # (bytes) -- or None once the connection is closed.  Pings are answered, pongs
        # dropped, on the way.  Raises WSError when the peer broke the protocol.
        p = self.p
        if p is None:
            from mhttp.errors import Error
            raise Error(_msg(_M_NOT_CONNECTED))
        if self.ready_state == CLOSED:
            return None
        end = _deadline(timeout)
        self._reading = True
        try:
            while True:
                try:
                    ev = p.next_event()
                    b = p._buf
                    if type(b) is memoryview:
                        # (a frame not yet whole in the tunnel's view, below: copied
                        # before anything else reads or writes the I/O object's buffer;
                        # the core copies the rest of a read after each frame itself)
                        p._buf = bytes(b[p._pos:])
                        p._pos = 0
                    if p._out:
                        await self._flush_auto()
                    if ev is None:
                        if self._eof:
                            p.receive_data(b"")
                            continue
                        b = await self._read(end)
                        if type(b) is memoryview and p._pos >= len(p._buf):
                            # A view of the I/O object's buffer (mhttp._ws_tun.Tunnel.raw,
                            # the blocking face on MicroPython) with nothing pending:
                            # parsed in place (board RAM: no copy of each read; a whole
                            # compressed message is inflated from it, mhttp.ws)
                            p._buf = b
                            p._pos = 0
                        else:
                            p.receive_data(b)
                        continue
                except Exception as e:
                    if e.__class__ is MemoryError and p.error is None:
                        # No heap for the message coming in (a board: its buffers are
                        # the large blocks): they are dropped, and the peer gets 1009 as
                        # for one over max_message_size (RFC 6455 §7.4.1: too big to
                        # process), not a connection dropped without a close frame.
                        p._buf = b""
                        p._msg_parts = None
                        e = p._fail(_M_NO_HEAP, 1009)
                    # WSError, matched through its base class first (mhttp.ws._is)
                    if core._is(e, "ProtocolError") and core._is(e, "WSError"):
                        await self._failed(e)
                    raise e
                k = ev[0]
                if k == _EV_MESSAGE:
                    return (ev[1], "text" if ev[2] else "binary")
                if k == _EV_CLOSE:
                    self.close_code = ev[1]
                    self.close_reason = ev[2]
                    await self._close_transport(True, end)
                    return None
                # EV_PING (pong already sent), EV_PONG: keep reading
        finally:
            self._reading = False

    # each(timeout): iterator over receive(timeout), `async for data, opcode in
    # ws.each(10):` (a plain iterator on the blocking face), in mhttp._ws_more.

    def __aiter__(self):
        from mhttp._ws_more import _AIter
        return _AIter(self, self.timeout)

    # -- sending ------------------------------------------------------------------------
    async def _send(self, fn, args, timeout):
        # Encodes (fn(*args) -> bytes) and writes under the lock, so frames reach the wire
        # in the order they were made.
        if self.ready_state == CLOSED or self.p is None:
            from mhttp.errors import ConnectionClosed
            raise ConnectionClosed(_msg(_M_CLOSED))
        lk = self._lock
        if lk is None:
            await self.stream.write_chunk(fn(*args), False, timeout)
            return
        await lk.acquire()
        try:
            await self.stream.write_chunk(fn(*args), False, timeout)
        finally:
            lk.release()

    async def send(self, data, opcode=None, timeout=None, fin=True):
        # A data message.  opcode: None (str -> text, bytes -> binary), "text", "binary",
        # 1 or 2.  fin=False sends a fragment; the following send() calls continue the
        # message until one has fin=True.  A numeric control opcode sends a control frame.
        if opcode is None:
            text = isinstance(data, str)
        else:
            from mhttp._ws_more import _OPCODES
            op = _OPCODES.get(opcode, opcode)
            if op == 1:
                text = True
            elif op == 2:
                text = False
                if isinstance(data, str):
                    data = data.encode()
            else:
                await self.send_frame(op, data, True, timeout)
                return
        if self._lock is None and self.ready_state != CLOSED:
            # The blocking face (no lock): written here, one coroutine frame less per
            # message.  Over HTTP/1.1 (mhttp._ws_tun.Tunnel, its own connection: written
            # at once, kept by no one) the frame as the core makes it, which on
            # MicroPython is the native masking's bytearray (board RAM: no bytes copy),
            # masked into the I/O object's read buffer when it fits (MicroPython: the
            # tunnel copies every read out of it at once, and this write is done before
            # the next read; board RAM, no frame-sized block per message)
            p = self.p
            s = self.stream
            await s.write_chunk(p._send(data, text, fin, getattr(s.io, "buf", None)
                                        if core.MICROPYTHON else None)
                                if s is self.connection
                                else p.send_message(data, text, fin), False, timeout)
            return
        await self._send(self.p.send_message, (data, text, fin), timeout)

    # -- closing ------------------------------------------------------------------------
    # close(code=1000, reason="", timeout=None, wait=True) and the transport's end
    # (_close_transport, _drain) live in mhttp._ws_close, bound on first use (board RAM:
    # the closing handshake's code is loaded when a connection closes); abort(): closes
    # the transport at once, without a closing handshake (mhttp._ws_more).


def _blocking_class():
    # BlockingWebSocket, the blocking face: every coroutine method of the wrapped
    # WebSocket run to completion by mhttp._io.run_blocking (mhttp.blocking.Blocking does
    # the delegation; nothing is written twice); iterating gives (data, opcode) until the
    # connection closes.  Made on first use: async-only programs never import it.  Kept
    # as WebSocket._bws (board RAM: no module-level list for it).
    c = getattr(WebSocket, "_bws", None)
    if c is None:
        # (mhttp.blocking's Blocking, from the module that defines it: a blocking
        # connection loads mhttp._io_socket anyway, mhttp.blocking would be one module
        # more; board RAM)
        from mhttp._io_socket import Blocking

        class BlockingWebSocket(Blocking):
            # (each(timeout) is WebSocket.each through Blocking: on a blocking WebSocket
            # it returns the plain iterator, mhttp._ws_more._Iter; board RAM: a def less)
            def __iter__(self):
                from mhttp._ws_more import _Iter
                return _Iter(self.unwrap(), self.unwrap().timeout)

        c = WebSocket._bws = BlockingWebSocket
    return c


def new_from_uri(uri, *args, **kw):
    # A client websocket for a ws:// or wss:// URI, not connected yet: see
    # mhttp._ws_uri.new_from_uri for the arguments (CPython binds that one here at import).
    if core.MICROPYTHON:
        # Board RAM: a collection before the setting-up code and the WebSocket's own
        # objects are made (see mhttp._ws_start)
        import gc
        gc.collect()
    from mhttp._ws_uri import new_from_uri as f
    ws = f(uri, *args, **kw)
    if core.MICROPYTHON:
        # Board RAM: mhttp._ws_uri is not needed again: dropped (from the package too),
        # it is freed by the collection that starts connect(), and the handshake's peak
        # (mhttp._ws_open, _ws_hs, their temporaries) does not carry its code (ws client,
        # 1000 x 1 KiB, from .mpy files: the handshake's live peak 54.7 -> 52.7 KB, the
        # smallest heap 60 -> 58 KiB).  A later new_from_uri imports it again.
        import sys
        import mhttp
        f = None
        sys.modules.pop("mhttp._ws_uri", None)
        try:
            delattr(mhttp, "_ws_uri")
        except (AttributeError, KeyError):
            pass
    return ws


# new_from_stream(stream, headers, ...) and reject(stream, error, ...) (the server side)
# live in mhttp._ws_server, HandshakeError in mhttp._ws_hserr, connect(uri, ...) and
# connect_blocking(uri, ...) in mhttp._ws_more, imported on first access (PEP 562) by
# this __getattr__, whose body is mhttp._ws_more.ws_attr (board RAM).
def __getattr__(name):
    # ("__all__"[:2]: "__", not a name of its own)
    if name[:2] == "__all__"[:2] and name != "__all__":
        raise AttributeError(name)     # __path__ (asked by imports, even mid-import), ...
    if name in "new_from_stream reject".split():
        # a server's names: straight from _ws_server (a server never loads _ws_more for
        # them: 2.2 KB of a board's heap; the names as one long str and __import__ with
        # the dotted name: a client interns none of them)
        return getattr(__import__("mhttp._ws_server", None, None, (name,)), name)
    from mhttp._ws_more import ws_attr
    return ws_attr(name)


# CPython: WebSocket's rare methods bound now, its __getattr__ removed (see mhttp._lazy
# and the end of mhttp.ws); MicroPython: nothing happens here.
try:
    settle(WebSocket, "mhttp._ws_more", "send_frame send_ping send_pong _failed each abort")
    settle(WebSocket, "mhttp._ws_server", "accept")
    settle(WebSocket, "mhttp._ws_close", "close _close_transport _drain")
    if not core.MICROPYTHON:
        # the real new_from_uri (its signature) and parse_ws_uri as plain globals (dir(),
        # star imports, no __getattr__ call)
        from mhttp._ws_uri import new_from_uri, parse_ws_uri  # noqa: F401, F811
except (ImportError, AttributeError):
    pass
