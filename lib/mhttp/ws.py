# mhttp.ws: sans-I/O WebSocket core: frames (RFC 6455 §5), closing handshake (§7),
# opening handshake helpers (§4, and RFC 8441 over HTTP/2), permessage-deflate (RFC 7692).
#
# Theory of operation
# -------------------
# A WSProtocol is one end of an established WebSocket.  It owns no socket and no clock:
#
#     p = WSProtocol(client=True, max_frame_size=..., max_message_size=..., extensions=[pmd])
#     p.receive_data(bytes_from_peer)        # b"" means the peer closed the TCP stream
#     ev = p.next_event()                    # None: need more bytes
#     out = p.send_message("hi", text=True)  # bytes to write; send_* never write
#     out = p.data_to_send()                 # automatic replies (pong, close echo, error close)
#
# Events are tuples (first item an EV_* constant):
#   (EV_MESSAGE, data, is_text)        a whole message; data is str when is_text, else bytes.
#                                      Bounded by max_message_size (after decompression).
#   (EV_FRAGMENT, data, is_text, fin)  only with stream=True: each data frame as it arrives
#                                      (text pieces are str, split on character boundaries;
#                                      compressed messages arrive as one fragment on
#                                      MicroPython, see below).  max_message_size still
#                                      bounds the whole message.
#   (EV_PING, payload)                 a pong with the same payload is already queued in
#                                      data_to_send() (auto_pong=True, the default).
#   (EV_PONG, payload)
#   (EV_CLOSE, code, reason)           the peer's close frame (code 1005 when it carried no
#                                      code), or 1006 when the TCP stream ended without one.
#                                      The echo close frame is already queued.
#
# States (p.state): ST_OPEN -> ST_CLOSING (we sent a close, waiting for the peer's) ->
# ST_CLOSED (both closes exchanged, the peer's close was echoed, the stream ended, or the
# connection failed).  Receiving a close in ST_OPEN queues the echo and goes to ST_CLOSED.
#
# Errors.  A peer breaking a rule makes next_event() raise mhttp.errors.WSError(msg,
# close_code) after queueing a close frame carrying close_code (unless a close was already
# sent) in data_to_send(); the protocol is then ST_CLOSED and dead (RFC 6455 §7.1.7 "Fail
# the WebSocket Connection"): the driver writes data_to_send() and closes TCP.  Codes:
#   1002 protocol error: reserved bits, unknown opcode, bad masking for the role,
#        non-minimal or 64-bit-MSB length, fragmented or >125-byte control frame,
#        continuation without a start, new data message while one is fragmented,
#        close payload of 1 byte or with an invalid code, bad compressed data.
#   1007 invalid UTF-8 in a text message (found at the frame where it becomes invalid)
#        or in a close reason.
#   1009 frame over max_frame_size, message over max_message_size (also after inflating:
#        "decompression bomb").
# Misuse by the caller (sending after close, a control payload over 125 bytes, a close
# code that may not be sent) raises WSError too, with no state change.
#
# Parsing never half-consumes: a frame is taken from the receive buffer only once it is
# complete, and is checked from its first two bytes on, so errors are found as early as
# the bytes allow (one byte at a time gives the same events as all at once).
# Masking (see "masking" below) is chosen once per runtime at import: a native module from
# ports/ when there is one (C on CPython, viper on MicroPython), else pure Python.
#
# permessage-deflate: PerMessageDeflate holds the wish list (offer or acceptance policy);
# negotiation returns a negotiated PerMessageDeflate to pass in extensions=[...].
#   CPython: zlib, raw deflate, sync flush with the trailing 00 00 ff ff stripped/added;
#     both context-takeover modes; decompression streams frame by frame.
#   MicroPython: the `deflate` module.  DeflateIO reads from a stream and fails for good
#     once its input runs dry (EOFError, then OSError 22), so the inflate state cannot be
#     carried from one message to the next: we decompress each message on its own (the
#     message, then 00 00 ff ff, then an empty final stored block) and therefore ask the
#     peer for no context takeover on its side (client: server_no_context_takeover in the
#     offer; server: client_no_context_takeover in the response, which RFC 7692 §7.1.1.2
#     allows even when not offered).  Compression needs MICROPY_PY_DEFLATE_COMPRESS,
#     absent on typical ESP32/RP2 firmware and on the standard unix build: detected at run
#     time (DEFLATE_COMPRESS); without it we send uncompressed messages (RSV1 clear, always
#     legal).  Windows are memory: a board asks for small ones (server_max_window_bits on
#     a client offer, client_max_window_bits on a server answer; default 10 on MicroPython)
#     and compresses with at most 2**10 bytes unless its policy sets a window (a client
#     granted more by the server still uses 10: DeflateIO allocates the window per message).
#
# Handshake helpers (no I/O; Headers use pseudo-headers like the h1/h2 cores; they live in
# mhttp._ws_hs and mhttp._ws_server, loaded on first use, and are importable from here):
#   client_key(), accept_key(key),
#   client_request(authority, path, key, subprotocols, pmd, scheme, h2) -> Headers
#   server_handshake(request_headers, subprotocols, pmd) -> (response Headers, subprotocol,
#     extensions)   raises HandshakeError(msg, status_hint, headers)
#   client_check_response(response_headers, key, subprotocols, pmd, h2) -> (subprotocol,
#     extensions)   raises HandshakeError
import os
from mhttp._lazy import bind, settle

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# (sys.implementation read without a global for sys: board RAM, the module dict)
from sys import implementation as MICROPYTHON  # noqa: E402
MICROPYTHON = MICROPYTHON.name == "micropython"
if not MICROPYTHON:
    # (a plain global on CPython; MicroPython imports mhttp.errors where it raises or
    # matches one, see _is)
    from mhttp import errors  # noqa: F401

# Public constants: private const()s here (inlined in this module: no global, no
# interned name on a board), the public names (ws.OP_TEXT, from mhttp.ws import
# EV_MESSAGE, ...) from mhttp._ws_rare._PUBLIC through the module __getattr__ (CPython:
# real globals, set at the end of this module).
_OP_CONT = const(0x0)
_OP_TEXT = const(0x1)
_OP_BINARY = const(0x2)
_OP_CLOSE = const(0x8)
_OP_PING = const(0x9)
_OP_PONG = const(0xA)

_EV_MESSAGE = const(1)
_EV_FRAGMENT = const(2)
_EV_PING = const(3)
_EV_PONG = const(4)
_EV_CLOSE = const(5)

_ST_OPEN = const(0)
_ST_CLOSING = const(1)
_ST_CLOSED = const(2)

_CLOSE_NORMAL = const(1000)
_CLOSE_GOING_AWAY = const(1001)
_CLOSE_PROTOCOL_ERROR = const(1002)
_CLOSE_UNSUPPORTED_DATA = const(1003)
_CLOSE_NO_STATUS = const(1005)
_CLOSE_ABNORMAL = const(1006)
_CLOSE_INVALID_DATA = const(1007)
_CLOSE_POLICY_VIOLATION = const(1008)
_CLOSE_MESSAGE_TOO_BIG = const(1009)
_CLOSE_MANDATORY_EXTENSION = const(1010)
_CLOSE_INTERNAL_ERROR = const(1011)

if MICROPYTHON:
    DEFAULT_MAX_SIZE = 32768
    # (10, not 9: zlib's matches reach its window less 262 bytes, 250 at 9 bits, and the
    # 512 B saved did not move a client's smallest heap; docs/internals.md, "Board RAM")
    DEFAULT_WINDOW_BITS = 10
else:
    DEFAULT_MAX_SIZE = 1048576
    DEFAULT_WINDOW_BITS = 15



def valid_close_code(code):
    # RFC 6455 §7.4.1/§7.4.2 and the IANA registry: what may appear in a close frame.
    return (1000 <= code <= 1003 or 1007 <= code <= 1014 or 3000 <= code <= 4999)


# Error messages: ids, the texts are in mhttp._ws_msg (loaded at the first error: each
# string constant of a module costs heap on MicroPython even from ROMFS).  mhttp.websocket's
# ids follow these (43 on).
_M_RSV = const(0)
_M_OPCODE = const(1)
_M_CTRL_FRAG = const(2)
_M_CTRL_LEN = const(3)
_M_CTRL_RSV = const(4)
_M_CONT = const(5)
_M_CONT_RSV = const(6)
_M_INTERLEAVED = const(7)
_M_MASKED = const(8)
_M_UNMASKED = const(9)
_M_MINLEN = const(10)
_M_MSB = const(11)
_M_FRAME_BIG = const(12)
_M_MSG_BIG = const(13)
_M_CLOSE_1 = const(14)
_M_CLOSE_CODE = const(15)
_M_CLOSE_UTF8 = const(16)
_M_UTF8 = const(17)
_M_Z_EMPTY = const(18)
_M_BOMB = const(19)
_M_SEND_CLOSING = const(20)
_M_REASON_NO_CODE = const(21)
_M_SEND_CODE = const(22)
_M_REASON_UTF8 = const(23)
_M_REASON_LONG = const(24)
_M_Z_BIG = const(25)
_M_Z_BAD = const(26)
_M_Z_BOMB = const(27)


def _msg(m, arg=None):
    # The text of message id m, formatted with arg (the right operand of %) when given;
    # a str is taken as it is.
    if isinstance(m, str):
        return m
    m = _rare("MSG", "mhttp._ws_msg")[m]
    return m if arg is None else m % arg


def _rare(name, module="mhttp._ws_rare"):
    # A name of a module loaded on first use (mhttp._ws_rare by default): __import__ and
    # getattr with strs, not an import statement (board RAM: every name in this module's
    # bytecode is interned when it loads, a str longer than 10 characters is not, and
    # these are read only off the plain path).
    return getattr(__import__(module, None, None, (name,)), name)


def _err(msg, code, arg=None):
    # mhttp.errors.WSError(text, code): the class lives in mhttp._errors_more, which a
    # connection that never sees an error does not load (board RAM).
    from mhttp import errors
    return errors.WSError(_msg(msg, arg), code)


def _is(e, name):
    # e is an instance of mhttp.errors' class called name (ProtocolError, Timeout,
    # ConnectionClosed, WSError).  Board RAM: an except clause naming mhttp.errors'
    # classes needs the module (~1.7 KB of a board's heap) from import on; matched here,
    # through sys.modules, a WebSocket loads it only with an error (a module not loaded
    # raised nothing).  WSError asked only when e is a ProtocolError: it loads
    # mhttp._errors_more, which another exception in flight (MemoryError) must not.
    from sys import modules
    m = modules.get("mhttp.errors")
    return m is not None and isinstance(e, getattr(m, name))


# Rarely used names are served by a module-level __getattr__ (PEP 562, MicroPython too)
# whose body, with the tables it reads, is mhttp._ws_rare.ws_attr (board RAM: loaded by
# the first such access, which a plain exchange never makes): the public constants
# (MicroPython; CPython has them as globals), HandshakeError and _hs_error
# (mhttp._ws_hserr), server_handshake and _valid_key (mhttp._ws_server), the handshake
# helpers (client_key ... : mhttp._ws_hs), deflate_available, __all__.  So `from mhttp.ws
# import server_handshake` and `ws.HandshakeError` work as before.
def __getattr__(name):
    # ("__all__"[:2]: "__", not a name of its own)
    if name[:2] == "__all__"[:2] and name != "__all__":
        raise AttributeError(name)     # __path__ (asked by imports, even mid-import), ...
    return _rare("ws_attr")(name)


# -- masking ---------------------------------------------------------------------------
# RFC 6455 §5.3: octet i of the masked payload is data[i] XOR key[i % 4].  This is where
# the time goes for large frames, so the code is picked once per runtime at import.
#
# Native fast paths first (STYLE.md §2-3: optional, in ports/, pure Python otherwise):
#   CPython: the C extension _mhttp_port._speedups (ports/cpython/_mhttp_port/_speedups.c,
#     built by setup.py as an optional extension): 8 bytes per step, and a client frame
#     (header + key + masked payload) built in one allocation.
#   MicroPython: _mhttp_ws_native (ports/unix/_mhttp_ws_native.py, @micropython.viper;
#     in the esp32/rp2 bundles too): 4 bytes per step in place in a bytearray.  Firmware
#     without the native emitter raises SyntaxError at its import, an .mpy compiled for
#     another CPU ValueError: both fall back.
# MHTTP_PURE=1 in the environment (CPython, MicroPython unix) forces the pure-Python path.
# MASK_IMPL says which one runs: "c", "viper" or "python".  The pure-Python functions keep
# their _py_ names whichever runs, so the tests check both (on MicroPython through the
# module __getattr__: mhttp._ws_pymask's, loaded on first use).
#
# Pure Python, MicroPython (mhttp._ws_pymask, loaded only where no native masking runs:
# board RAM): big-integer XORs against the repeated key (int.from_bytes), ~7x faster than
# a byte loop on the unix port, 256 bytes at a time in place.
#
# Pure Python, CPython (in mhttp._ws_cpy, with the C wrappers; MicroPython never loads
# it): up to _SMALL bytes the same big-integer XOR (native byte order: no
# byte swapping); above it four strided passes over a bytearray, each lane translated
# through a 256-byte XOR table and written back with extended-slice assignment.  Measured
# on CPython 3.11 (64 KiB): int.from_bytes and int.to_bytes cost ~0.8 ns/byte each, so the
# integer route is ~1.8 ns/byte; a strided read, a translate and a strided write of a
# bytearray lane cost ~0.35 ns/byte each, ~1.1 ns/byte in all.  bytes (not bytearray)
# objects take twice as long for the strided read and the translate, and a strided write
# from bytes first copies the value into a bytearray: lanes stay bytearrays throughout.
# The frame paths mask in place inside the one bytearray that becomes the frame (send) or
# the payload (receive), so each direction copies the payload once before the masking
# passes and once into the final bytes object.

# _native: the native masking module, or None (absent, unbuilt, no native emitter,
# MHTTP_PURE).  Module-level code, not a function: it runs once (board RAM: no def kept).
try:
    _native = os.getenv("MHTTP_PURE")
except AttributeError:   # boards: no getenv
    _native = None
if _native and _native != "0":
    _native = None
elif MICROPYTHON:
    try:
        _native = __import__("_mhttp_ws_native")     # (a str: no interned name)
    except (ImportError, SyntaxError, ValueError):
        # SyntaxError: no native emitter; ValueError: an .mpy built for another CPU.
        _native = None
else:
    _native = 0   # CPython: mhttp._ws_cpy.update() imports the C extension (module end)


if MICROPYTHON:
    if _native is None:
        MASK_IMPL = "python"
        # the pure-Python masking: mhttp._ws_pymask, the native module's functions
        # written in Python (board RAM: a board that runs the native masking does not
        # load their code; mhttp.ws._py_mask, _py_mask_frame and _py_unmask are its
        # mask, mask_frame and unmask, served by the module __getattr__)
        _native = __import__("mhttp._ws_pymask", None, None, ("mask",))
    else:
        MASK_IMPL = "viper"
    mask = _native.mask
    _mask_frame = _native.mask_frame
    _unmask = _native.unmask
    # (no longer needed here: deleted, a module global less on a board, where the module
    # dict grows by size classes; CPython's mhttp._ws_cpy.update reads it)
    del _native
# CPython: MASK_IMPL, mask, _mask_frame, _unmask and the _py_ functions come from
# mhttp._ws_cpy (the C wrappers, and pure Python tuned for CPython), set by its update()
# at the end of this module (board RAM: their names are never interned on MicroPython).


# -- UTF-8 -----------------------------------------------------------------------------
# bytes.decode() does the structural work on both runtimes; MicroPython's decoder also
# accepts overlong forms, surrogates and code points over U+10FFFF, so there we also look
# for the lead bytes that can start one (a C-speed find per byte value).

def utf8_decode(b):
    # Strict UTF-8 -> str, or None when b is not valid UTF-8.  ASCII needs no more than
    # decode() (every byte one character); non-ASCII on MicroPython is checked further
    # (mhttp._ws_rare.utf8_extra_ok).
    try:
        s = b.decode()
    except UnicodeError:
        return None
    if MICROPYTHON and len(s) != len(b):
        if not _rare("utf8_extra_ok")(b):
            return None
    return s


# -- frames ----------------------------------------------------------------------------

def encode_frame(opcode, payload, fin=True, rsv=0, mask_key=None):
    # One frame as bytes.  rsv is the RSV bits already in place (0x40 = RSV1).
    # mask_key: 4 bytes for a client frame, None for a server frame.
    # (bytes() of bytes is the object itself: a copy only of the native masking's
    # bytearray, see _encode)
    return bytes(_encode(opcode, payload, fin, rsv, mask_key, None))


def _encode(opcode, payload, fin, rsv, mask_key, buf):
    # encode_frame's frame, a client frame on MicroPython as the native masking makes it:
    # a bytearray, written as it is by a blocking client over HTTP/1.1 (WSProtocol._send;
    # board RAM: one frame-sized block per message, not the bytearray and its bytes copy).
    # buf (MicroPython, a client's blocking face over HTTP/1.1, else None): the I/O
    # object's read buffer, idle while a frame is written; a frame that fits is masked
    # into it and returned as a view of it (board RAM: no frame-sized block per message).
    n = len(payload)
    b0 = (0x80 if fin else 0) | rsv | opcode
    if mask_key is None:
        if n < 126:
            return bytes((b0, n)) + payload
        if n < 65536:
            return bytes((b0, 126)) + n.to_bytes(2, "big") + payload
        return bytes((b0, 127)) + n.to_bytes(8, "big") + payload
    if n < 126:
        h = bytes((b0, 0x80 | n))
    elif n < 65536:
        h = bytes((b0, 254)) + n.to_bytes(2, "big")
    else:
        h = bytes((b0, 255)) + n.to_bytes(8, "big")
    if buf is None:
        return _mask_frame(h, mask_key, payload)
    return _mask_frame(h, mask_key, payload, buf)




class WSProtocol:
    # See the theory of operation above.  Options:
    #   client            True for the connecting side (masks what it sends).
    #   max_frame_size    largest frame payload accepted (1009 beyond).
    #   max_message_size  largest message accepted, after decompression (1009 beyond).
    #   extensions        negotiated extensions: [PerMessageDeflate] or [].
    #   stream            deliver EV_FRAGMENT per frame instead of EV_MESSAGE.
    #   auto_pong         answer pings by queueing a pong (default True).

    # Defaults of two fields only pings and the close ever read, on the class (board RAM:
    # an instance's attribute table of 23 slots, not 29; 96 bytes per connection on a
    # 64-bit port)
    auto_pong = True
    close_reason = None     # the peer's close reason once received ("" for 1006)

    def __init__(self, client=True, max_frame_size=None, max_message_size=None,
                 extensions=None, stream=False, auto_pong=True):
        self.client = client
        self.max_message_size = DEFAULT_MAX_SIZE if max_message_size is None else max_message_size
        self.max_frame_size = self.max_message_size if max_frame_size is None else max_frame_size
        self.extensions = list(extensions or ())
        self.stream = stream
        if auto_pong is not True:
            self.auto_pong = auto_pong
        self.state = _ST_OPEN
        self.close_code = None     # the peer's close code once received (or 1006)
        self.error = None          # the WSError that failed the connection, if any
        self._buf = b""
        self._pos = 0
        self._eof = False
        # (the two lists are made when first needed: board RAM, 64 bytes each on a
        # 64-bit port, which a data exchange in whole frames never needs)
        self._out = None           # frames queued by the core itself (a list), see data_to_send
        # incoming message state
        self._msg_op = 0           # 0: no message in progress, else OP_TEXT / OP_BINARY
        self._msg_parts = None     # a fragmented message's pieces (a list)
        self._msg_size = 0
        self._msg_z = False        # compressed (RSV1 on its first frame)
        self._msg_zn = 0           # compressed bytes received for it
        self._carry = b""          # incomplete UTF-8 character across frames
        self._send_op = 0          # 0, or the opcode of a fragmented message being sent
        self._send_z = False
        self._inflater = None
        self._deflater = None
        self._rsv_ok = 0
        for e in self.extensions:
            if isinstance(e, PerMessageDeflate):
                self._rsv_ok = 0x40
                self._inflater = e._inflater(client)
                self._deflater = e._deflater(client)

    # -- receiving ---------------------------------------------------------------------

    def receive_data(self, data):
        if self.state == _ST_CLOSED and self.close_code is not None:
            return
        if not data:
            self._eof = True
            return
        buf = self._buf
        if self._pos >= len(buf):
            # Common case: nothing pending; keep the caller's bytes as they are.
            self._buf = data if isinstance(data, bytes) else bytes(data)
            self._pos = 0
            return
        if self._pos or not isinstance(buf, bytearray):
            # Start (or compact) a growable buffer; a big frame arriving in many pieces
            # is then appended in place, not copied once per piece.
            buf = bytearray(memoryview(buf)[self._pos:])
            self._pos = 0
        buf += data
        self._buf = buf

    def data_to_send(self):
        out = self._out
        if not out:
            return b""
        self._out = None
        return b"".join(out)

    # _fail(msg, code, arg=None): the peer broke a rule (see "Errors" above): in
    # mhttp._ws_rare, bound on first use (a routine exchange never fails).

    def next_event(self):
        # (one function with the frame parser: a call less per event, a def less on a
        # board)
        if self.error is not None or (self.state == _ST_CLOSED and self.close_code is not None):
            return None
        while True:
            buf = self._buf
            p = self._pos
            avail = len(buf) - p
            if avail < 2:
                break
            b0 = buf[p]
            b1 = buf[p + 1]
            op = b0 & 0x0F
            rsv = b0 & 0x70
            n = b1 & 0x7F
            # RFC 6455 §5.2 header checks, as soon as the first two bytes are here.
            if rsv & ~self._rsv_ok:
                raise self._fail(_M_RSV, _CLOSE_PROTOCOL_ERROR)
            if op >= 8:
                if op > _OP_PONG:
                    raise self._fail(_M_OPCODE, _CLOSE_PROTOCOL_ERROR, op)
                if not b0 & 0x80:
                    raise self._fail(_M_CTRL_FRAG, _CLOSE_PROTOCOL_ERROR)
                if n > 125:
                    raise self._fail(_M_CTRL_LEN, _CLOSE_PROTOCOL_ERROR)
                if rsv:
                    raise self._fail(_M_CTRL_RSV, _CLOSE_PROTOCOL_ERROR)
            elif op == _OP_CONT:
                if not self._msg_op:
                    raise self._fail(_M_CONT, _CLOSE_PROTOCOL_ERROR)
                if rsv:
                    raise self._fail(_M_CONT_RSV, _CLOSE_PROTOCOL_ERROR)
            elif op <= _OP_BINARY:
                if self._msg_op:
                    raise self._fail(_M_INTERLEAVED, _CLOSE_PROTOCOL_ERROR)
            else:
                raise self._fail(_M_OPCODE, _CLOSE_PROTOCOL_ERROR, op)
            masked = b1 & 0x80
            if self.client:
                if masked:
                    raise self._fail(_M_MASKED, _CLOSE_PROTOCOL_ERROR)
            elif not masked:
                raise self._fail(_M_UNMASKED, _CLOSE_PROTOCOL_ERROR)
            hl = 2
            if n == 126:
                if avail < 4:
                    break
                n = (buf[p + 2] << 8) | buf[p + 3]
                hl = 4
                if n < 126:
                    raise self._fail(_M_MINLEN, _CLOSE_PROTOCOL_ERROR)
            elif n == 127:
                if avail < 10:
                    break
                n = int.from_bytes(buf[p + 2:p + 10], "big")
                hl = 10
                if n >> 63:
                    raise self._fail(_M_MSB, _CLOSE_PROTOCOL_ERROR)
                if n < 65536:
                    raise self._fail(_M_MINLEN, _CLOSE_PROTOCOL_ERROR)
            if n > self.max_frame_size:
                raise self._fail(_M_FRAME_BIG, _CLOSE_MESSAGE_TOO_BIG, (n, self.max_frame_size))
            if op < 8 and not self._msg_z and not rsv and self._msg_size + n > self.max_message_size:
                raise self._fail(_M_MSG_BIG, _CLOSE_MESSAGE_TOO_BIG, self.max_message_size)
            if masked:
                end = p + hl + 4 + n
                if len(buf) < end:
                    break
                payload = _unmask(buf, p + hl + 4, end, buf[p + hl:p + hl + 4])
            else:
                end = p + hl + n
                if len(buf) < end:
                    break
                if MICROPYTHON and b0 & 0xC0 == 0xC0 and not isinstance(buf, bytearray):
                    # A whole compressed message (FIN and RSV1: only a first data frame
                    # gets here with RSV1): inflated before this call returns, so read in
                    # place (board RAM: no copy of the compressed payload), from bytes
                    # or from the view mhttp.websocket's receive() parses a read in
                    # (not from a bytearray, which receive_data grows).
                    payload = memoryview(buf)[p + hl:end]
                elif isinstance(buf, bytes):
                    payload = buf[p + hl:end]
                else:
                    payload = bytes(memoryview(buf)[p + hl:end])
            if end == len(buf):
                self._buf = b""
                self._pos = 0
            elif type(buf) is memoryview:
                # (a read parsed in place, mhttp.websocket's receive(): the rest of it
                # copied before this frame's message may be inflated into that buffer)
                self._buf = bytes(buf[end:])
                self._pos = 0
            else:
                self._pos = end
            fin = b0 & 0x80
            if op == _OP_PING:
                # Answered here, not in mhttp._ws_close: keepalive pings are routine (the
                # websockets library pings every 20 s), so a connection that is pinged
                # must not load the closing code for them (board RAM).
                if self.auto_pong and self.state == _ST_OPEN:
                    out = self._out
                    if out is None:
                        out = self._out = []
                    out.append(encode_frame(_OP_PONG, payload, True, 0,
                                            os.urandom(4) if self.client else None))
                return (_EV_PING, payload)
            if op == _OP_PONG:
                return (_EV_PONG, payload)
            if op >= 8:
                ev = self._control(op, payload)     # a close frame
            else:
                ev = self._data(op, payload, fin, rsv)
            if ev is not None:
                return ev
        # more bytes needed
        if self._eof:
            # §7.1.5: the TCP connection closed without a close frame.
            self.state = _ST_CLOSED
            self.close_code = _CLOSE_ABNORMAL
            self.close_reason = ""
            return (_EV_CLOSE, _CLOSE_ABNORMAL, "")
        return None

    def _data(self, op, payload, fin, rsv):
        if op != _OP_CONT:
            # First frame of a message.
            if fin and not rsv and not self.stream:
                # Fast path: a whole message in one uncompressed frame.
                if op == _OP_TEXT:
                    s = utf8_decode(payload)
                    if s is None:
                        raise self._fail(_M_UTF8, _CLOSE_INVALID_DATA)
                    return (_EV_MESSAGE, s, True)
                return (_EV_MESSAGE, payload, False)
            self._msg_op = op
            self._msg_z = bool(rsv)
            self._msg_zn = 0
            self._msg_size = 0
            self._carry = b""
        text = self._msg_op == _OP_TEXT
        if self._msg_z:
            self._msg_zn += len(payload)
            if fin and not self._msg_zn:
                # RFC 7692 §7.2.3.6: an empty message is compressed to at least one block
                # (0x00); with nothing before the appended 00 00 ff ff the inflater would
                # be left inside a stored block and fail on a later message instead.
                raise self._fail(_M_Z_EMPTY, _CLOSE_PROTOCOL_ERROR)
            limit = self.max_message_size - self._msg_size
            try:
                data = self._inflater.feed(payload, limit)
                if fin:
                    # (the tail as it is when feed gave nothing, always on MicroPython:
                    # b"" + tail would copy the message once more, board RAM)
                    payload = self._inflater.finish(limit - len(data))
                    data = data + payload if data else payload
            except Exception as e:
                # the inflater's WSError, matched through its base class (_is)
                if not _is(e, "ProtocolError"):
                    raise
                raise self._fail(str(e), e.close_code)
            if data is None:
                data = b""
            self._msg_size += len(data)
            if self._msg_size > self.max_message_size:
                raise self._fail(_M_BOMB, _CLOSE_MESSAGE_TOO_BIG, self.max_message_size)
        else:
            data = payload
            self._msg_size += len(data)
        if text:
            if self._carry:
                data = self._carry + data
            if fin:
                tail = b""
            else:
                r = _rare("_utf8_split")(data)
                if r is None:
                    raise self._fail(_M_UTF8, _CLOSE_INVALID_DATA)
                data, tail = r
            s = utf8_decode(data)
            if s is None:
                raise self._fail(_M_UTF8, _CLOSE_INVALID_DATA)
            self._carry = tail
            data = s
        if fin:
            self._msg_op = 0
            self._msg_z = False
            self._msg_size = 0
            self._carry = b""
        if self.stream:
            return (_EV_FRAGMENT, data, text, bool(fin))
        parts = self._msg_parts
        if not fin:
            if data:
                if parts is None:
                    parts = self._msg_parts = []
                parts.append(data)
            return None
        if not parts:
            # the message is this frame's data (a compressed message in one frame)
            return (_EV_MESSAGE, data, text)
        if data:
            parts.append(data)
        data = "".join(parts) if text else (parts[0] if len(parts) == 1 else b"".join(parts))
        # The list is emptied, not replaced: a new list per message would be a small
        # object left among the message's garbage (board RAM: fragmentation).
        del parts[:]
        return (_EV_MESSAGE, data, text)

    # -- sending -----------------------------------------------------------------------

    def send_message(self, data, text=None, fin=True):
        # A message (or, with fin=False, its next fragment; the following calls continue
        # it until one has fin=True).  str data is sent as text unless text=False.
        return bytes(self._send(data, text, fin, None))

    def _send(self, data, text, fin, buf):
        # send_message's frame as _encode makes it (bytes, or on MicroPython a client's
        # bytearray: what mhttp.websocket's blocking face writes over HTTP/1.1, or a view
        # of buf, see _encode)
        if self.state != _ST_OPEN:
            self._check_open()
        if isinstance(data, str):
            data = data.encode()
            if text is None:
                text = True
        elif not isinstance(data, bytes):
            data = bytes(data)
        if self._send_op:
            op = _OP_CONT
        else:
            op = _OP_TEXT if text else _OP_BINARY
            self._send_z = self._deflater is not None and self._deflater.wants(data, fin)
        rsv = 0
        if self._send_z:
            data = self._deflater.compress(data, fin)
            if op != _OP_CONT:
                rsv = 0x40
        if fin:
            self._send_op = 0
            self._send_z = False
        elif op != _OP_CONT:
            self._send_op = op
        if self.client:
            return _encode(op, data, fin, rsv, os.urandom(4), buf)
        return _encode(op, data, fin, rsv, None, None)

    # Rare methods, bound on first use (mhttp._lazy): send_frame(opcode, payload,
    # fin=True, rsv1=False), send_ping(payload=b""), send_pong(payload=b""), _fail (the
    # peer broke a rule) in mhttp._ws_rare; _control (a close frame
    # arrived), send_close(code=1000, reason="") (starts the closing handshake, §7.1.2)
    # in mhttp._ws_close; _check_open and _frame (a control or raw frame's bytes) in
    # mhttp._ws_rare.
    def __getattr__(self, name):
        if name == "_control" or name == "send_close":
            return bind(self, name, "mhttp._ws_close", "_control send_close")
        return bind(self, name, "mhttp._ws_rare",
                    "send_frame send_ping send_pong _fail _frame _check_open")

# -- permessage-deflate (RFC 7692) ------------------------------------------------------

def _mp_deflate_compress(c=[]):
    # True when this MicroPython's DeflateIO can compress (MICROPY_PY_DEFLATE_COMPRESS).
    # The answer is kept in c, the default list (no module global: board RAM).
    if not c:
        try:
            import deflate
            import io
            d = deflate.DeflateIO(io.BytesIO(), deflate.RAW, 9)
            c.append(hasattr(d, "write"))
        except (ImportError, AttributeError, OSError, ValueError):
            c.append(False)
    return c[0]


# The inflater / deflater classes of this runtime only (board RAM: no class objects for
# the other one).
if MICROPYTHON:
    class _Inflater:
        # MicroPython: the message is gathered compressed (bounded) and inflated at its end
        # through a fresh DeflateIO (see the theory of operation: no context takeover, so
        # takeover is always False here).
        # (argument names MicroPython has built in: n, the window bits; t, takeover;
        # stop, the most bytes the message may still take; board RAM)
        # buf: a writable buffer (a memoryview of a bytearray) the output may be read
        # into, or None.  mhttp.websocket's blocking client over HTTP/1.1 lends it the
        # I/O object's read buffer, idle while a message is inflated (every read is
        # copied out of it at once, mhttp._ws_tun): board RAM, the output is read in
        # place, not in 256-byte pieces and their join, and the DeflateIO's state is
        # then the first block a message's inflating allocates.
        buf = None

        def __init__(self, n, t):
            self._wbits = n
            self._parts = []
            self._size = 0

        def feed(self, data, stop):
            self._size += len(data)
            if self._size > stop + 1024 + (stop >> 4):
                raise _err(_M_Z_BIG, _CLOSE_MESSAGE_TOO_BIG)
            self._parts.append(data)
            return b""

        def finish(self, stop):
            import deflate
            import io
            # The input: the pieces, then 00 00 ff ff and an empty final stored block,
            # written into one io.BytesIO made at its final size (MicroPython's BytesIO
            # takes a capacity): one copy of the compressed message, not a join and then
            # the BytesIO's own copy of it.
            parts = self._parts
            src = io.BytesIO(self._size + 9)
            for c in parts:
                src.write(c)
            src.write(b"\x00\x00\xff\xff\x01\x00\x00\xff\xff")
            src.seek(0)
            del parts[:]        # emptied, not replaced (see WSProtocol._data)
            self._size = 0
            c = None
            d = deflate.DeflateIO(src, deflate.RAW, self._wbits)
            src = None
            # Read in pieces, joined once when the decompressor (its state and window,
            # ~2.3 KiB) is no longer referenced: read(stop + 1) would allocate
            # max_message_size at once (32 KiB on MicroPython).  256-byte pieces for the
            # first 4 KiB: the last, empty read of a 1 KiB message read 1 KiB at a time
            # needed a second 1 KiB block while the first and the window were live (board
            # RAM: a fragmented heap has many small holes, few large); 1 KiB pieces
            # after that (less overhead per byte for big messages).  A read shorter than
            # asked means the stream has ended (a DeflateIO read stops short only at its
            # end): no empty read after it.  (A first read of the previous message's size
            # + 1, one block when sizes repeat, measured worse: ws client 1000 x 1 KiB,
            # ROMFS, 44 -> 46 KiB, that block, the state and the window live at once.)
            chunks = []
            n = 0
            k = 256
            try:
                b = self.buf
                if b is not None:
                    # into the lent buffer (at most stop + 1 bytes: one more than the
                    # message may take tells a bomb); a shorter read means the stream
                    # has ended, else the rest follows in pieces
                    n = d.readinto(b, stop + 1)
                    if n < len(b) or n > stop:
                        d.close()
                        d = None
                        if n > stop:
                            raise _err(_M_Z_BOMB, _CLOSE_MESSAGE_TOO_BIG)
                        return bytes(b[:n])
                    chunks.append(bytes(b))
                while n <= stop:
                    if k > stop + 1 - n:
                        k = stop + 1 - n
                    c = d.read(k)
                    if not c:
                        break
                    chunks.append(c)
                    n += len(c)
                    if len(c) < k:
                        break
                    k = 256 if n < 4096 else 1024
                d.close()
                d = None
            except (OSError, EOFError, ValueError) as e:
                raise _err(_M_Z_BAD, _CLOSE_PROTOCOL_ERROR, (e,))
            if n > stop:
                # Past the limit (a bomb): told before the join, which would take another
                # stop + 1 bytes at once (32 KiB on MicroPython: a MemoryError, and no
                # close frame, on a small heap); the pieces are freed first.
                chunks = None
                raise _err(_M_Z_BOMB, _CLOSE_MESSAGE_TOO_BIG)
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
# (CPython: _Inflater and _Deflater are mhttp._ws_cpy's zlib classes, set by its update())


class PerMessageDeflate:
    # Before negotiation: a policy (what we offer as a client, what we accept as a server).
    # After: the negotiated parameters (negotiated=True), to pass in WSProtocol(extensions).
    #   server_no_context_takeover  client: ask the server not to keep context;
    #                               server: do not keep our compression context.
    #   client_no_context_takeover  the mirror image.
    #   server_max_window_bits      client: ask the server for at most this window
    #                               (what our inflater must hold); server: our cap.
    #   client_max_window_bits      client: our compressor's cap (offered bare when None);
    #                               server: the window we ask the client to keep to.
    #   level, min_size             compression level; messages under min_size bytes go
    #                               out uncompressed.
    # On MicroPython the defaults ask the peer for 2**10-byte windows and no context
    # takeover on its side (see the theory of operation).
    name = b"permessage-deflate"

    def __init__(self, server_no_context_takeover=False, client_no_context_takeover=False,
                 server_max_window_bits=None, client_max_window_bits=None, level=6,
                 min_size=32):
        self.server_no_context_takeover = server_no_context_takeover
        self.client_no_context_takeover = client_no_context_takeover
        if MICROPYTHON and server_max_window_bits is None:
            server_max_window_bits = DEFAULT_WINDOW_BITS
        self.server_max_window_bits = server_max_window_bits
        self.client_max_window_bits = client_max_window_bits
        self.level = level
        self.min_size = min_size
        self.negotiated = False

    def __repr__(self):
        return "PerMessageDeflate(%r)" % (self.params(),)

    # The negotiation, thin methods over the code that does it, loaded on use (a
    # MicroPython client drops mhttp._ws_hs after its handshake; CPython binds the
    # functions themselves at import, the end of this module):
    #   params(): the header value for this object's parameters (offer or response),
    #   mhttp._ws_req; offer(), check_response(params): the client's, mhttp._ws_req and
    #   mhttp._ws_hs;
    #   accept(params): the server's, mhttp._ws_server.
    def params(self):
        from mhttp._ws_req import params
        return params(self)

    def offer(self):
        from mhttp._ws_req import offer
        return offer(self)

    def check_response(self, params):
        from mhttp._ws_hs import check_response
        return check_response(self, params)

    def accept(self, params):
        # (the server's code, named by one str: a client interns neither name)
        m, f = "mhttp._ws_server pmd_accept".split()
        return _rare(f, m)(self, params)

    # used by WSProtocol

    def _inflater(self, client):
        wbits = self.server_max_window_bits if client else self.client_max_window_bits
        takeover = not (self.server_no_context_takeover if client else self.client_no_context_takeover)
        return _Inflater(wbits, takeover)

    def _deflater(self, client):
        wbits = self.client_max_window_bits if client else self.server_max_window_bits
        takeover = not (self.client_no_context_takeover if client else self.server_no_context_takeover)
        if wbits < 9:
            return None    # zlib cannot honour an 8-bit window: send uncompressed
        if MICROPYTHON:
            # DeflateIO ends each message with a final block: only for a peer that agreed
            # not to keep our context (one that keeps it would read past its stream's end)
            if not takeover and _mp_deflate_compress():
                return _rare("_MPDeflater")(wbits, self.min_size)
            return None
        return _Deflater(wbits, takeover, self.level, self.min_size)


if not MICROPYTHON:
    # CPython: masking, the zlib classes, the public constants as plain globals (dir(),
    # star imports, no __getattr__ call), the negotiation methods and handshake helpers
    # bound at import (see below): mhttp._ws_cpy.update.
    __import__("mhttp._ws_cpy", None, None, ("update",)).update(globals())

# CPython: the rare methods bound now and the classes' __getattr__ removed (mhttp._lazy:
# a class with __getattr__ loses CPython 3.11's attribute-access specialisation, and
# WSProtocol is on the hot path).  MicroPython: nothing happens here.  When a program
# imports mhttp._ws_rare, _ws_close or _ws_server before this module (they import it), they
# are only half made at this point: the classes then keep binding lazily.  (One settle()
# for both modules: mhttp._ws_rare gives _ws_close's methods too on CPython; two calls
# would remove __getattr__ after the first even when the second meets a half-made module.)
try:
    settle(WSProtocol, "mhttp._ws_rare",
           "send_frame send_ping send_pong _fail _frame _check_open _control send_close")
except (ImportError, AttributeError):
    pass
