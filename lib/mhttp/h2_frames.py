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
import struct

from mhttp.errors import (H2ConnectionError, H2StreamError, PROTOCOL_ERROR,
                          FRAME_SIZE_ERROR)

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# RFC 9113 §6 frame types (and RFC 9218 §7.1 PRIORITY_UPDATE)
FRAME_DATA = const(0x0)
FRAME_HEADERS = const(0x1)
FRAME_PRIORITY = const(0x2)
FRAME_RST_STREAM = const(0x3)
FRAME_SETTINGS = const(0x4)
FRAME_PUSH_PROMISE = const(0x5)
FRAME_PING = const(0x6)
FRAME_GOAWAY = const(0x7)
FRAME_WINDOW_UPDATE = const(0x8)
FRAME_CONTINUATION = const(0x9)
FRAME_PRIORITY_UPDATE = const(0x10)
FRAME_NAMES = ("DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE",
               "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION")

# flags
FLAG_END_STREAM = const(0x1)
FLAG_ACK = const(0x1)
FLAG_END_HEADERS = const(0x4)
FLAG_PADDED = const(0x8)
FLAG_PRIORITY = const(0x20)

# RFC 9113 §6.5.2 settings (and RFC 8441 §3, RFC 9218 §2.1)
SETTINGS_HEADER_TABLE_SIZE = const(0x1)
SETTINGS_ENABLE_PUSH = const(0x2)
SETTINGS_MAX_CONCURRENT_STREAMS = const(0x3)
SETTINGS_INITIAL_WINDOW_SIZE = const(0x4)
SETTINGS_MAX_FRAME_SIZE = const(0x5)
SETTINGS_MAX_HEADER_LIST_SIZE = const(0x6)
SETTINGS_ENABLE_CONNECT_PROTOCOL = const(0x8)
SETTINGS_NO_RFC7540_PRIORITIES = const(0x9)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DEFAULT_MAX_FRAME_SIZE = const(16384)
MAX_MAX_FRAME_SIZE = const(16777215)
MAX_WINDOW = const(0x7fffffff)
MAX_STREAM_ID = const(0x7fffffff)

_HDR = ">BHBBL"
_pack = struct.pack
_unpack_from = struct.unpack_from


def header_pack(length, ftype, flags, stream_id):
    return _pack(_HDR, length >> 16, length & 0xffff, ftype, flags, stream_id)


def header_unpack(buf, offset=0):
    # RFC 9113 §4.1; the reserved bit is ignored on receipt.
    if len(buf) - offset < 9:
        return None
    hi, lo, t, fl, sid = _unpack_from(_HDR, buf, offset)
    return (hi << 16) | lo, t, fl, sid & 0x7fffffff


def check_size(ftype, flags, length, stream_id):
    # RFC 9113 §6: fixed-size frames.  PRIORITY's wrong size is a stream error (§6.3);
    # the others end the connection.
    if ftype == FRAME_PRIORITY:
        if length != 5:
            raise H2StreamError(FRAME_SIZE_ERROR, "PRIORITY frame length %d != 5 (RFC 9113 §6.3)"
                                % length, stream_id)
    elif ftype == FRAME_RST_STREAM:
        if length != 4:
            raise H2ConnectionError(FRAME_SIZE_ERROR,
                                    "RST_STREAM frame length %d != 4 (RFC 9113 §6.4)" % length)
    elif ftype == FRAME_SETTINGS:
        if flags & FLAG_ACK and length:
            raise H2ConnectionError(FRAME_SIZE_ERROR,
                                    "SETTINGS ACK with a payload MUST be FRAME_SIZE_ERROR (§6.5)")
        if length % 6:
            raise H2ConnectionError(FRAME_SIZE_ERROR,
                                    "SETTINGS length %d not a multiple of 6 (§6.5)" % length)
    elif ftype == FRAME_PING:
        if length != 8:
            raise H2ConnectionError(FRAME_SIZE_ERROR, "PING length %d != 8 (§6.7)" % length)
    elif ftype == FRAME_GOAWAY:
        if length < 8:
            raise H2ConnectionError(FRAME_SIZE_ERROR, "GOAWAY length %d < 8 (§6.8)" % length)
    elif ftype == FRAME_WINDOW_UPDATE:
        if length != 4:
            raise H2ConnectionError(FRAME_SIZE_ERROR,
                                    "WINDOW_UPDATE length %d != 4 (§6.9)" % length)


def parse_frame(buf, offset=0, max_size=DEFAULT_MAX_FRAME_SIZE):
    # One whole frame at buf[offset:], or None when more bytes are needed (nothing is
    # consumed).  A length above max_size is FRAME_SIZE_ERROR (§4.2).
    if len(buf) - offset < 9:
        return None
    hi, lo, t, fl, sid = _unpack_from(_HDR, buf, offset)
    ln = (hi << 16) | lo
    if ln > max_size:
        raise H2ConnectionError(FRAME_SIZE_ERROR, "frame length %d exceeds SETTINGS_MAX_FRAME_SIZE %d"
                                % (ln, max_size))
    end = offset + 9 + ln
    if end > len(buf):
        return None
    check_size(t, fl, ln, sid & 0x7fffffff)
    return t, fl, sid & 0x7fffffff, buf[offset + 9:end], end


def _strip_pad(flags, payload, what):
    # RFC 9113 §6.1/§6.2: Pad Length octet, then data, then padding.
    if not flags & FLAG_PADDED:
        return payload, 0
    if not payload:
        raise H2ConnectionError(FRAME_SIZE_ERROR, "%s: PADDED flag with an empty payload" % what)
    pl = payload[0]
    if pl >= len(payload):
        raise H2ConnectionError(PROTOCOL_ERROR, "%s: padding %d is not less than the payload "
                                "length %d: MUST be PROTOCOL_ERROR (RFC 9113 §6.1)"
                                % (what, pl, len(payload)))
    return payload[1:len(payload) - pl], pl + 1


def _padded(stream_id, ftype, flags, body, pad):
    if pad:
        if pad > 255 or pad < 0:
            raise ValueError("pad must be 0..255")
        n = len(body) + pad + 1
        return b"".join((header_pack(n, ftype, flags | FLAG_PADDED, stream_id), bytes((pad,)),
                         body, bytes(pad)))
    return header_pack(len(body), ftype, flags, stream_id) + body


def data_pack(stream_id, data, end_stream=False, pad=0):
    if not isinstance(data, bytes):
        data = bytes(data)
    return _padded(stream_id, FRAME_DATA, FLAG_END_STREAM if end_stream else 0, data, pad)


def data_unpack(flags, payload):
    # -> (data, padding octets incl. the Pad Length octet)
    return _strip_pad(flags, payload, "DATA")


def headers_pack(stream_id, block, end_stream=False, end_headers=True, priority=None, pad=0):
    fl = (FLAG_END_STREAM if end_stream else 0) | (FLAG_END_HEADERS if end_headers else 0)
    if priority is not None:
        dep, weight, excl = priority
        block = _pack(">LB", dep | (0x80000000 if excl else 0), weight - 1) + block
        fl |= FLAG_PRIORITY
    return _padded(stream_id, FRAME_HEADERS, fl, block, pad)


def headers_unpack(flags, payload):
    # -> (field block fragment, (depends_on, weight, exclusive) or None)
    p, _ = _strip_pad(flags, payload, "HEADERS")
    if flags & FLAG_PRIORITY:
        if len(p) < 5:
            raise H2ConnectionError(FRAME_SIZE_ERROR, "HEADERS with PRIORITY flag shorter than 5")
        d, w = _unpack_from(">LB", p, 0)
        return p[5:], (d & 0x7fffffff, w + 1, (d >> 31) == 1)
    return p, None


def priority_pack(stream_id, depends_on, weight, exclusive=False):
    return header_pack(5, FRAME_PRIORITY, 0, stream_id) + _pack(
        ">LB", depends_on | (0x80000000 if exclusive else 0), weight - 1)


def priority_unpack(payload):
    if len(payload) != 5:
        raise H2StreamError(FRAME_SIZE_ERROR, "PRIORITY frame length %d != 5" % len(payload))
    d, w = _unpack_from(">LB", payload, 0)
    return d & 0x7fffffff, w + 1, (d >> 31) == 1


def rst_stream_pack(stream_id, code):
    return header_pack(4, FRAME_RST_STREAM, 0, stream_id) + _pack(">L", code)


def rst_stream_unpack(payload):
    if len(payload) != 4:
        raise H2ConnectionError(FRAME_SIZE_ERROR, "RST_STREAM length %d != 4" % len(payload))
    return _unpack_from(">L", payload, 0)[0]


def settings_pack(settings=(), ack=False):
    # settings: list of (id, value) (or a dict, sent in id order).
    if ack:
        return header_pack(0, FRAME_SETTINGS, FLAG_ACK, 0)
    if isinstance(settings, dict):
        ks = sorted(settings)
        settings = [(k, settings[k]) for k in ks]
    body = b"".join([_pack(">HL", k, v) for k, v in settings])
    return header_pack(len(body), FRAME_SETTINGS, 0, 0) + body


def settings_unpack(payload):
    n = len(payload)
    if n % 6:
        raise H2ConnectionError(FRAME_SIZE_ERROR, "SETTINGS length %d not a multiple of 6" % n)
    return [_unpack_from(">HL", payload, i) for i in range(0, n, 6)]


def push_promise_pack(stream_id, promised_id, block, end_headers=True, pad=0):
    return _padded(stream_id, FRAME_PUSH_PROMISE, FLAG_END_HEADERS if end_headers else 0,
                   _pack(">L", promised_id) + block, pad)


def push_promise_unpack(flags, payload):
    p, _ = _strip_pad(flags, payload, "PUSH_PROMISE")
    if len(p) < 4:
        raise H2ConnectionError(FRAME_SIZE_ERROR, "PUSH_PROMISE shorter than 4 octets")
    return _unpack_from(">L", p, 0)[0] & 0x7fffffff, p[4:]


def ping_pack(data, ack=False):
    if len(data) != 8:
        raise ValueError("PING data must be 8 octets")
    return header_pack(8, FRAME_PING, FLAG_ACK if ack else 0, 0) + bytes(data)


def ping_unpack(payload):
    if len(payload) != 8:
        raise H2ConnectionError(FRAME_SIZE_ERROR, "PING length %d != 8" % len(payload))
    return bytes(payload)


def goaway_pack(last_stream_id, code, debug=b""):
    return header_pack(8 + len(debug), FRAME_GOAWAY, 0, 0) + _pack(">LL", last_stream_id, code) + debug


def goaway_unpack(payload):
    if len(payload) < 8:
        raise H2ConnectionError(FRAME_SIZE_ERROR, "GOAWAY length %d < 8" % len(payload))
    last, code = _unpack_from(">LL", payload, 0)
    return last & 0x7fffffff, code, bytes(payload[8:])


def window_update_pack(stream_id, increment):
    return header_pack(4, FRAME_WINDOW_UPDATE, 0, stream_id) + _pack(">L", increment)


def window_update_unpack(payload):
    if len(payload) != 4:
        raise H2ConnectionError(FRAME_SIZE_ERROR, "WINDOW_UPDATE length %d != 4" % len(payload))
    return _unpack_from(">L", payload, 0)[0] & 0x7fffffff


def continuation_pack(stream_id, block, end_headers=True):
    return header_pack(len(block), FRAME_CONTINUATION, FLAG_END_HEADERS if end_headers else 0,
                       stream_id) + block


def continuation_unpack(flags, payload):
    return bytes(payload)


def priority_update_pack(stream_id, field_value):
    return header_pack(4 + len(field_value), FRAME_PRIORITY_UPDATE, 0, 0) + _pack(
        ">L", stream_id) + field_value


def priority_update_unpack(payload):
    if len(payload) < 4:
        raise H2ConnectionError(FRAME_SIZE_ERROR, "PRIORITY_UPDATE shorter than 4 octets")
    return _unpack_from(">L", payload, 0)[0] & 0x7fffffff, bytes(payload[4:])
