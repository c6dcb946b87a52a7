# mhttp.h2_frames: HTTP/2 frame layout (RFC 9113 §4, §6), portable, no state.
#
# Theory of operation
#   Every frame is a 9-octet header (24-bit length, 8-bit type, 8-bit flags, 1 reserved
#   bit + 31-bit stream id) followed by `length` octets of payload.  This module packs
#   and unpacks frames one type at a time; it keeps no state and knows nothing about
#   streams.  mhttp.h2 (H2Protocol) inlines the header parse on its hot path and calls
#   the *_unpack functions for the payloads.
#
#   Names follow lua-resty-http2's resty.http2.frame (h2_frame.X.pack / h2_frame.X.unpack
#   become X_pack / X_unpack here):
#     header_pack(length, ftype, flags, stream_id) -> 9 bytes
#     header_unpack(buf, offset=0) -> (length, ftype, flags, stream_id) or None (need more)
#     data_pack(stream_id, data, end_stream=False, pad=0)  /  data_unpack(flags, payload)
#     headers_pack(stream_id, block, end_stream=False, end_headers=True, priority=None,
#                  pad=0)  /  headers_unpack(flags, payload) -> (fragment, priority|None)
#     priority_pack(stream_id, depends_on, weight, exclusive=False)
#                  /  priority_unpack(payload) -> (depends_on, weight, exclusive)
#     rst_stream_pack(stream_id, code)  /  rst_stream_unpack(payload) -> code
#     settings_pack(settings, ack=False)  /  settings_unpack(payload) -> [(id, value)]
#     push_promise_pack(stream_id, promised_id, block, end_headers=True, pad=0)
#                  /  push_promise_unpack(flags, payload) -> (promised_id, fragment)
#     ping_pack(data, ack=False)  /  ping_unpack(payload) -> 8 bytes
#     goaway_pack(last_stream_id, code, debug=b"")
#                  /  goaway_unpack(payload) -> (last_stream_id, code, debug)
#     window_update_pack(stream_id, increment)  /  window_update_unpack(payload) -> incr
#     continuation_pack(stream_id, block, end_headers=True)
#     priority_update_pack(stream_id, field_value)   (RFC 9218 §7.1, type 0x10, stream 0)
#                  /  priority_update_unpack(payload) -> (stream_id, field_value)
#     parse_frame(buf, offset=0, max_size=16384)
#                  -> (ftype, flags, stream_id, payload, next_offset) or None
#     check_size(ftype, flags, length, stream_id) raises FRAME_SIZE_ERROR per §6
#   (lua-resty-http2's X.new constructors are the X_pack functions: frames are bytes.)
#
#   Unpack functions take the payload only (bytes or memoryview) and raise
#   H2ConnectionError / H2StreamError with the RFC code: FRAME_SIZE_ERROR for a bad length
#   (§4.2, §6.x), PROTOCOL_ERROR for padding that covers the payload (§6.1).
#   Padding is parsed on receipt and optional on send (pad=N adds N zero octets plus the
#   Pad Length octet; N <= 255).
#
#   Board RAM: this module holds what every connection runs (header_pack, check_size,
#   SETTINGS, WINDOW_UPDATE, GOAWAY); the other functions and FRAME_NAMES live in
#   mhttp._h2_frames_more, loaded on first use through __getattr__ below (PEP 562), so
#   `from mhttp.h2_frames import data_pack` and `F.parse_frame(...)` work as before.
import struct


try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# Board RAM: the public constants (FRAME_*, FLAG_*, SETTINGS_*, DEFAULT_MAX_FRAME_SIZE,
# MAX_*) live in mhttp._h2_frames_more and are reached as mhttp.h2_frames.X through
# __getattr__ below (no globals slot and no interned name each in RAM); this module uses
# private const() copies of the ones it needs.
# RFC 9113 §6 frame types (and RFC 9218 §7.1 PRIORITY_UPDATE)
_FRAME_PRIORITY = const(0x2)
_FRAME_RST_STREAM = const(0x3)
_FRAME_SETTINGS = const(0x4)
_FRAME_PING = const(0x6)
_FRAME_GOAWAY = const(0x7)
_FRAME_WINDOW_UPDATE = const(0x8)

_FLAG_ACK = const(0x1)
del const

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

_pack = struct.pack
_unpack_from = struct.unpack_from
# Board RAM: struct and const leave the module dict once used (19 -> 17 entries: its
# table 416 -> 320 bytes)
del struct


def _size_error(n, length=None, stream_id=None):
    # The FRAME_SIZE_ERROR to raise for message n of mhttp._h2_frames_more.SIZE_ERRORS (its
    # text is the comment above each call) with length: H2StreamError on stream_id, else
    # H2ConnectionError.  Board RAM: the texts and the classes (mhttp._errors_h2) load at
    # the first error, so a clean exchange never loads them.
    from mhttp import _h2_frames_more
    return _h2_frames_more.size_error(n, length, stream_id)


def header_pack(length, ftype, flags, stream_id):
    return _pack(">BHBBL", length >> 16, length & 0xffff, ftype, flags, stream_id)


def check_size(ftype, flags, length, stream_id):
    # RFC 9113 §6: fixed-size frames.  PRIORITY's wrong size is a stream error (§6.3);
    # the others end the connection.
    if ftype == _FRAME_PRIORITY:
        if length != 5:
            # PRIORITY frame length %d != 5 (RFC 9113 §6.3)
            raise _size_error(0, length, stream_id)
    elif ftype == _FRAME_RST_STREAM:
        if length != 4:
            # RST_STREAM frame length %d != 4 (RFC 9113 §6.4)
            raise _size_error(1, length)
    elif ftype == _FRAME_SETTINGS:
        if flags & _FLAG_ACK and length:
            # SETTINGS ACK with a payload MUST be FRAME_SIZE_ERROR (§6.5)
            raise _size_error(2)
        if length % 6:
            # SETTINGS length %d not a multiple of 6 (§6.5)
            raise _size_error(3, length)
    elif ftype == _FRAME_PING:
        if length != 8:
            # PING length %d != 8 (§6.7)
            raise _size_error(4, length)
    elif ftype == _FRAME_GOAWAY:
        if length < 8:
            # GOAWAY length %d < 8 (§6.8)
            raise _size_error(5, length)
    elif ftype == _FRAME_WINDOW_UPDATE:
        if length != 4:
            # WINDOW_UPDATE length %d != 4 (§6.9)
            raise _size_error(6, length)


def settings_pack(settings=(), ack=False):
    # settings: list of (id, value) (or a dict, sent in id order).
    if ack:
        return header_pack(0, _FRAME_SETTINGS, _FLAG_ACK, 0)
    # (Board RAM: loops, not comprehensions: a comprehension is a code object of its own,
    # ~64 bytes of heap each even from ROMFS, on every connection's path)
    body = []
    if isinstance(settings, dict):
        for k in sorted(settings):
            body.append(_pack(">HL", k, settings[k]))
    else:
        for k, v in settings:
            body.append(_pack(">HL", k, v))
    body = b"".join(body)
    return header_pack(len(body), _FRAME_SETTINGS, 0, 0) + body


def settings_unpack(payload):
    n = len(payload)
    if n % 6:
        # SETTINGS length %d not a multiple of 6
        raise _size_error(7, n)
    out = []
    for i in range(0, n, 6):
        out.append(_unpack_from(">HL", payload, i))
    return out


def goaway_pack(last_stream_id, code, debug=b""):
    return header_pack(8 + len(debug), _FRAME_GOAWAY, 0, 0) + _pack(">LL", last_stream_id, code) + debug


def goaway_unpack(payload):
    if len(payload) < 8:
        # GOAWAY length %d < 8
        raise _size_error(8, len(payload))
    last, code = _unpack_from(">LL", payload, 0)
    return last & 0x7fffffff, code, bytes(payload[8:])


def window_update_pack(stream_id, increment):
    return header_pack(4, _FRAME_WINDOW_UPDATE, 0, stream_id) + _pack(">L", increment)


def window_update_unpack(payload):
    if len(payload) != 4:
        # WINDOW_UPDATE length %d != 4
        raise _size_error(9, len(payload))
    return _unpack_from(">L", payload, 0)[0] & 0x7fffffff


def __getattr__(name):
    if name == "__all__":     # `from ... import *` (mhttp._star)
        from mhttp._star import names
        return names(globals(), "H2ConnectionError H2StreamError FRAME_SIZE_ERROR")
    # The rarely used names (mhttp._h2_frames_more), loaded on first use; any other name
    # raises AttributeError without importing anything.
    # (prefixes and names in str with spaces: one constant each, not interned names)
    if " %s " % name[name.rfind("_"):] in " _pack _unpack " or \
            " %s " % name[:name.find("_") + 1] in " FRAME_ FLAG_ SETTINGS_ MAX_ " or \
            " %s " % name in " parse_frame DEFAULT_MAX_FRAME_SIZE H2ConnectionError H2StreamError ":
        from mhttp import _h2_frames_more
        return getattr(_h2_frames_more, name)
    raise AttributeError(name)
