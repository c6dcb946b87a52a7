# mhttp._h2_frames_more: the rarely used half of mhttp.h2_frames (private).  Reached as
# mhttp.h2_frames.X through that module's __getattr__ (loaded on first use, then kept): the
# frame packers / unpackers a plain exchange does not run (padding, PRIORITY, RST_STREAM,
# PUSH_PROMISE, PING, CONTINUATION, PRIORITY_UPDATE), parse_frame, FRAME_NAMES and the
# public constants (FRAME_*, FLAG_*, SETTINGS_*, DEFAULT_MAX_FRAME_SIZE, MAX_*).  See
# mhttp.h2_frames for the API.
import struct

from mhttp.errors import H2ConnectionError, H2StreamError, PROTOCOL_ERROR, FRAME_SIZE_ERROR
from mhttp.h2_frames import header_pack, check_size

# RFC 9113 §6 frame types (and RFC 9218 §7.1 PRIORITY_UPDATE)
FRAME_DATA = 0x0
FRAME_HEADERS = 0x1
FRAME_PRIORITY = 0x2
FRAME_RST_STREAM = 0x3
FRAME_SETTINGS = 0x4
FRAME_PUSH_PROMISE = 0x5
FRAME_PING = 0x6
FRAME_GOAWAY = 0x7
FRAME_WINDOW_UPDATE = 0x8
FRAME_CONTINUATION = 0x9
FRAME_PRIORITY_UPDATE = 0x10

# flags
FLAG_END_STREAM = 0x1
FLAG_ACK = 0x1
FLAG_END_HEADERS = 0x4
FLAG_PADDED = 0x8
FLAG_PRIORITY = 0x20

# RFC 9113 §6.5.2 settings (and RFC 8441 §3, RFC 9218 §2.1)
SETTINGS_HEADER_TABLE_SIZE = 0x1
SETTINGS_ENABLE_PUSH = 0x2
SETTINGS_MAX_CONCURRENT_STREAMS = 0x3
SETTINGS_INITIAL_WINDOW_SIZE = 0x4
SETTINGS_MAX_FRAME_SIZE = 0x5
SETTINGS_MAX_HEADER_LIST_SIZE = 0x6
SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x8
SETTINGS_NO_RFC7540_PRIORITIES = 0x9

DEFAULT_MAX_FRAME_SIZE = 16384
MAX_MAX_FRAME_SIZE = 16777215
MAX_WINDOW = 0x7fffffff
MAX_STREAM_ID = 0x7fffffff

_HDR = ">BHBBL"
_pack = struct.pack
_unpack_from = struct.unpack_from

# mhttp.h2_frames' FRAME_SIZE_ERROR texts, by the number its raise sites pass (each site
# quotes its text in a comment)
SIZE_ERRORS = (
    "PRIORITY frame length %d != 5 (RFC 9113 §6.3)",
    "RST_STREAM frame length %d != 4 (RFC 9113 §6.4)",
    "SETTINGS ACK with a payload MUST be FRAME_SIZE_ERROR (§6.5)",
    "SETTINGS length %d not a multiple of 6 (§6.5)",
    "PING length %d != 8 (§6.7)",
    "GOAWAY length %d < 8 (§6.8)",
    "WINDOW_UPDATE length %d != 4 (§6.9)",
    "SETTINGS length %d not a multiple of 6",
    "GOAWAY length %d < 8",
    "WINDOW_UPDATE length %d != 4",
)


def size_error(n, length, stream_id):
    # mhttp.h2_frames._size_error: message n formatted with length (None: no argument).
    msg = SIZE_ERRORS[n]
    if length is not None:
        msg = msg % length
    if stream_id is None:
        return H2ConnectionError(FRAME_SIZE_ERROR, msg)
    return H2StreamError(FRAME_SIZE_ERROR, msg, stream_id)


FRAME_NAMES = ("DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE",
               "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION")


def header_unpack(buf, offset=0):
    # RFC 9113 §4.1; the reserved bit is ignored on receipt.
    if len(buf) - offset < 9:
        return None
    hi, lo, t, fl, sid = _unpack_from(_HDR, buf, offset)
    return (hi << 16) | lo, t, fl, sid & 0x7fffffff


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
