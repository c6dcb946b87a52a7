# mhttp.h2: the sans-I/O HTTP/2 core (RFC 9113), portable.
#
# Theory of operation
#   H2Protocol is one end of one HTTP/2 connection.  Bytes from the peer go in through
#   receive_data(data), which returns a list of events (tuples with a leading EV_*
#   constant); calls such as send_headers / send_data / reset_stream queue frames, and
#   data_to_send() hands them out as one bytes object.  No sockets, no clock: where time
#   matters (SETTINGS ACK deadline, streams stalled on a zero window) the caller passes
#   `now` (any number) and reads it back; the driver decides what is late.
#
#   What it owns: the connection preface, frame parsing (mhttp.h2_frames), HPACK state
#   (mhttp.hpack), the stream states, both flow-control windows, SETTINGS and their
#   ACKs, PING, GOAWAY, header validation (RFC 9113 §8.2-8.3), and the flood limits.
#
#   Stream states (RFC 9113 §5.1) are ST_*; inputs are SEND_* / RECV_*.  ONE table,
#   _TRANSITIONS, maps (state, input) -> next state; a pair missing from it is a protocol
#   error naming both (_bad_transition picks the RFC code: PROTOCOL_ERROR on idle,
#   STREAM_CLOSED after END_STREAM, and an exception to the caller for SEND_* misuse).
#   Two states go beyond the RFC picture of "closed":
#     ST_RESET_LOCAL  closed by our RST_STREAM: frames already in flight are tolerated
#                     (RFC 9113 §5.1 "MUST ignore frames that it receives on closed
#                     streams after it has sent a RST_STREAM frame");
#     ST_FORGOTTEN    closed so long ago that we no longer remember it (we keep the last
#                     max_closed_streams ids): tolerated, except HEADERS (§5.1.1).
#   Closed streams leave self._streams; their id and final state stay in self._closed,
#   a set of ints: id for ST_CLOSED, -id for ST_RESET_LOCAL (the only two states a
#   stream is closed in; stream ids are > 0).
#
#   Errors: a problem with the peer's input is raised inside the core as
#   mhttp.errors.H2StreamError (answered with RST_STREAM, event EV_STREAM_RESET with
#   remote=False, the connection goes on) or H2ConnectionError (answered with GOAWAY,
#   event EV_CONNECTION_TERMINATED, the protocol object is closed and ignores further
#   input).  receive_data never raises for bad input.  Misuse by the caller (sending on
#   a closed stream, opening a stream past the peer's limit) raises to the caller and
#   queues nothing.
#
#   Events (all tuples; the driver dispatches on ev[0]):
#     (EV_HEADERS, stream_id, headers, end_stream)      request, response or 1xx head
#     (EV_DATA, stream_id, data, flow_controlled_length, end_stream)
#     (EV_TRAILERS, stream_id, headers)                  ends the stream's inbound side
#     (EV_STREAM_RESET, stream_id, code, remote)         remote: the peer sent RST_STREAM
#     (EV_WINDOW_UPDATED, stream_id, increment)          stream_id 0: the connection
#     (EV_SETTINGS_CHANGED, [(id, old, new), ...])       the peer's settings, applied
#     (EV_SETTINGS_ACKED, [(id, old, new), ...])         ours, now in effect
#     (EV_PING_RECEIVED, data) / (EV_PING_ACKED, data)
#     (EV_GOAWAY, code, last_stream_id, debug)           the peer is going away
#     (EV_PUSH_PROMISE, parent_id, promised_id, headers)
#     (EV_PRIORITY, stream_id, depends_on, weight, exclusive)
#     (EV_PRIORITY_UPDATE, stream_id, field_value)       RFC 9218 §7.1
#     (EV_CONNECTION_TERMINATED, code, last_stream_id, debug)   we sent GOAWAY(code)
#                                                        because of the peer's input
#   See docs/internals.md "Contract: the HTTP/2 core (mhttp.h2)" for the whole API.
import sys

from mhttp.headers import Headers
# (mhttp.hpack's Encoder and Decoder are imported in H2Protocol.__init__, ProtocolError
# where raised: board RAM, this module's dict at 23 entries, its table 368 bytes, not 464)
# (goaway_pack / goaway_unpack are imported where used, once per connection: board RAM,
# the module dict stays at 29 entries, its table 640 -> 512 bytes)
from mhttp.h2_frames import (PREFACE, header_pack, settings_pack, settings_unpack,
                             window_update_pack, window_update_unpack, check_size)
from mhttp import _lazy       # (the module: one global, not bind and settle)

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# Board RAM: the RFC numbers this module uses are private const() copies (inlined into
# the bytecode, no globals-dict slot) of mhttp.errors' and mhttp.h2_frames' public names.
_NO_ERROR = const(0)
_PROTOCOL_ERROR = const(1)
_INTERNAL_ERROR = const(2)
_FLOW_CONTROL_ERROR = const(3)
_FRAME_SIZE_ERROR = const(6)
_REFUSED_STREAM = const(7)
_CANCEL = const(8)
_ENHANCE_YOUR_CALM = const(11)
_FRAME_DATA = const(0)
_FRAME_HEADERS = const(1)
_FRAME_SETTINGS = const(4)
_FRAME_PUSH_PROMISE = const(5)
_FRAME_PING = const(6)
_FRAME_WINDOW_UPDATE = const(8)
_FRAME_CONTINUATION = const(9)
_FRAME_PRIORITY_UPDATE = const(16)
_FLAG_END_STREAM = const(1)
_FLAG_ACK = const(1)
_FLAG_END_HEADERS = const(4)
_FLAG_PADDED = const(8)
_FLAG_PRIORITY = const(32)
_SETTINGS_HEADER_TABLE_SIZE = const(1)
_SETTINGS_ENABLE_PUSH = const(2)
_SETTINGS_MAX_CONCURRENT_STREAMS = const(3)
_SETTINGS_INITIAL_WINDOW_SIZE = const(4)
_SETTINGS_MAX_FRAME_SIZE = const(5)
_SETTINGS_MAX_HEADER_LIST_SIZE = const(6)
_SETTINGS_ENABLE_CONNECT_PROTOCOL = const(8)
_MAX_WINDOW = const(0x7fffffff)
_MAX_STREAM_ID = const(0x7fffffff)

# Board RAM: names only the import needs leave the module dict (const after the last
# const(), sys after the CPython check), deleted before the defs, so the dict never grows
# past the size it ends at.  (No struct: the frame header is read octet by octet.)

# Board RAM: the public EV_*, CONN_* and ST_* names live in mhttp._h2_rare (reached as
# mhttp.h2.X through __getattr__ below); this module uses these private const() copies.
# -- events ------------------------------------------------------------------------------
_EV_HEADERS = const(1)
_EV_DATA = const(2)
_EV_TRAILERS = const(3)
_EV_STREAM_RESET = const(4)
_EV_WINDOW_UPDATED = const(5)
_EV_SETTINGS_CHANGED = const(6)
_EV_SETTINGS_ACKED = const(7)
_EV_PING_RECEIVED = const(8)
_EV_PING_ACKED = const(9)
_EV_GOAWAY = const(10)
_EV_PUSH_PROMISE = const(11)
_EV_PRIORITY = const(12)
_EV_PRIORITY_UPDATE = const(13)
_EV_CONNECTION_TERMINATED = const(14)

# -- connection states -------------------------------------------------------------------
_CONN_OPEN = const(0)       # normal operation
_CONN_CLOSING = const(1)    # GOAWAY sent or received: no new streams, old ones finish
_CONN_CLOSED = const(2)     # connection error (either side): input is ignored

# -- stream states (RFC 9113 §5.1) and inputs ---------------------------------------------
_ST_IDLE = const(0)
_ST_RESERVED_LOCAL = const(1)
_ST_RESERVED_REMOTE = const(2)
_ST_OPEN = const(3)
_ST_HALF_CLOSED_LOCAL = const(4)
_ST_HALF_CLOSED_REMOTE = const(5)
_ST_CLOSED = const(6)
_ST_RESET_LOCAL = const(7)
_ST_FORGOTTEN = const(8)

# inputs.  The public SEND_* / RECV_* names and the EV_NAMES / ST_NAMES / IN_NAMES tables
# live in mhttp._h2_rare and are reached as mhttp.h2.X through __getattr__ below.
_SEND_HEADERS = const(0)
_SEND_DATA = const(1)
_SEND_END_STREAM = const(2)
_SEND_RST_STREAM = const(3)
_SEND_PUSH_PROMISE = const(4)    # on the parent stream
_SEND_PROMISED = const(5)        # on the promised stream
_RECV_HEADERS = const(6)
_RECV_DATA = const(7)
_RECV_END_STREAM = const(8)
_RECV_RST_STREAM = const(9)
_RECV_PUSH_PROMISE = const(10)   # on the parent stream
_RECV_PROMISED = const(11)       # on the promised stream
_RECV_WINDOW_UPDATE = const(12)
_RECV_PRIORITY = const(13)
# H2Protocol._fc: the flood counters in one list (one attribute, not eight): [0] is 1
# while a counter of [1]..[5] is not zero (they all restart at each "progress"); [6] and
# [7] count the rapid-reset window.  mhttp._h2_rare has the same numbers.
_FC_SETTINGS = const(1)
_FC_PING = const(2)
_FC_EMPTY = const(3)
_FC_PRIO = const(4)
_FC_WU = const(5)
_FC_RR_OPENED = const(6)
_FC_RR_RESETS = const(7)
# mhttp._h2_rare.F: the rare functions this module calls, by index
_RF_ERR = const(0)
_RF_BAD_TRANSITION = const(1)
_RF_RECEIVERS = const(2)
_RF_PRIORITY_UPDATE = const(3)
_RF_STREAM_ERROR = const(4)
_RF_CONNECTION_ERROR = const(5)
_RF_START_BLOCK = const(6)
_RF_PUSH_PROMISE = const(7)
_RF_STATE_OF = const(8)
_RF_CHECK_ABSENT = const(9)
_RF_SEND_DATA_SLOW = const(10)
_RF_MISUSE = const(11)
# mhttp.h1's character classes, for h1._bad() (the checks of :method and :path): the bits
# of h1._CLASS on MicroPython; on CPython the allowed sets, put here by mhttp._h1_cpy
_TOKEN = const(1)
_VCHAR = const(2)
del const

# THE transition table (RFC 9113 §5.1 figure 2, plus PRIORITY allowed everywhere,
# WINDOW_UPDATE / RST_STREAM tolerated shortly after close (§5.1 closed), frames after our
# RST_STREAM tolerated): _TRANSITIONS[state * 16 + input] is the next state as an ASCII
# digit ("3" = ST_OPEN), "-" where the pair is missing (the error, see _bad_transition).
# A bytes literal: it stays in flash (ROMFS / .mpy) instead of a dict built in RAM.
#   columns  SEND_ HEADERS DATA END_STREAM RST_STREAM PUSH_PROMISE PROMISED,
#            RECV_ HEADERS DATA END_STREAM RST_STREAM PUSH_PROMISE PROMISED WINDOW_UPDATE
#            PRIORITY, 2 unused
_TRANSITIONS = (
    b"3----13----2-0--"  # ST_IDLE
    b"5--7-----6--11--"  # ST_RESERVED_LOCAL
    b"---7--4--6---2--"  # ST_RESERVED_REMOTE
    b"33473-33563-33--"  # ST_OPEN
    b"---7--44664-44--"  # ST_HALF_CLOSED_LOCAL
    b"55675----6--55--"  # ST_HALF_CLOSED_REMOTE
    b"---6-----6--66--"  # ST_CLOSED
    b"---7--77777-77--"  # ST_RESET_LOCAL
    b"---8---888--88--"  # ST_FORGOTTEN
)


# regular fields the validator looks at: 1 connection-specific (RFC 9113 §8.2.2), 2 te,
# 3 content-length, 4 host
_SPECIAL = {b"connection": 1, b"keep-alive": 1, b"proxy-connection": 1,
            b"transfer-encoding": 1, b"upgrade": 1, b"te": 2, b"content-length": 3,
            b"host": 4}
_REQ_PSEUDO = (b":method", b":scheme", b":authority", b":path", b":protocol")


if sys.implementation.name == "cpython":
    # one C-speed pass over all names (bytes.translate); boards check name by name
    from mhttp._h2_cpy import bad_names as _bad_names, own_fields as _own
    from mhttp import _h1_cpy
    _h1_cpy.update(globals())
else:
    _own = None     # (send_headers checks a server's own fields field by field)

    def _bad(s, cls):
        # mhttp.h1._bad for the two classes _check_request uses, _TOKEN (1) and _VCHAR
        # (2), without mhttp.h1: a server that expects only HTTP/2 (preload_h1=False)
        # never loads it (~9 KiB of a board's heap from .mpy files).  CPython: mhttp.
        # _h1_cpy's translate() version, put in this module's globals.
        for c in s:
            if c < 33 or c > 126 or (cls == 1 and c in b'"(),/:;<=>?@[\\]{}'):
                return True
        return False

    def _bad_names(headers):
        # The first invalid regular field name, True when a value holds NUL, CR or LF,
        # else None (_check_fields' last checks).  Board RAM: field by field, no joined
        # copies (a request's names and values joined were ~250 bytes per stream).
        for f in headers:
            n = f[0]
            if not (n and n[0] == 58):
                # RFC 9113 §8.2.1: no 0x00-0x20, 0x41-0x5a (uppercase), 0x7f-0xff, no colon
                for c in n:
                    if c <= 0x20 or 0x41 <= c <= 0x5a or c >= 0x7f or c == 0x3a:
                        return n
        for f in headers:
            n = f[1]
            if b"\r" in n or b"\n" in n or b"\x00" in n:
                return True
        return None
del sys


def _rare():
    # The rarely used code (mhttp._h2_rare), loaded on first use.
    from mhttp import _h2_rare
    return _h2_rare


def __getattr__(name):
    # PEP 562 (MicroPython has it too): the names kept out of this module's RAM (the
    # public EV_* / ST_* / SEND_* / RECV_* / CONN_* / *_NAMES, the error classes, Encoder,
    # Decoder, H2Session), found by mhttp._h2_attr (board RAM: its names and tests are
    # constants of a module a plain exchange never loads, ~1 KB as .mpy files).
    if name == "__path__":
        raise AttributeError(name)
    from mhttp import _h2_attr
    return _h2_attr.get(globals(), name)


def _err(n, id=None, args=None):
    # Board RAM: the exception for message n of mhttp._h2_rare.ERRORS (its text is the
    # comment above each call): H2StreamError on stream id, or H2ConnectionError when
    # id is None, the message formatted with args.  The texts stay out of this module.
    return _rare().F[_RF_ERR](n, id, args)


def _bad_transition(state, code, id):
    # The error for a (state, input) pair missing from _TRANSITIONS (mhttp._h2_rare).
    return _rare().F[_RF_BAD_TRANSITION](state, code, id)


class _Stream:
    # One HTTP/2 stream.  in_window: what the peer may still send us; out_window: what we
    # may still send.  hin / hout: 0 nothing yet, 1 informational (1xx) head, 2 final head.
    # Board RAM: the fields that start the same for every stream are class attributes
    # until a stream sets its own.
    in_unacked = 0
    hin = 0
    hout = 0
    clen = -1               # content-length announced by the peer, -1 if none
    got = 0                 # DATA octets received (without padding)
    # a response without content (to HEAD, a 204 or 304): a client accepts no DATA
    # octets on it (RFC 9113 §8.1.1), a server's send_data drops them (RFC 9110 §9.3.2)
    no_body = False
    oleft = -1              # server: octets our content-length still announces, -1 if none
    blocked_since = None
    in_window = 65535       # (the RFC default: a stream's own only when it differs)
    out_window = 65535

    def __init__(self, id, state, in_window, out_window):
        self.id = id
        self.state = state
        # Board RAM: a window at the RFC default stays the class's (a board's receive
        # window usually is): 4 fields until the response, 64 bytes of dict, not 96
        if in_window != 65535:
            self.in_window = in_window
        if out_window != 65535:
            self.out_window = out_window


_DEFAULTS = {_SETTINGS_HEADER_TABLE_SIZE: 4096, _SETTINGS_ENABLE_PUSH: 1,
             _SETTINGS_MAX_CONCURRENT_STREAMS: _MAX_STREAM_ID,
             _SETTINGS_INITIAL_WINDOW_SIZE: 65535, _SETTINGS_MAX_FRAME_SIZE: 16384,
             _SETTINGS_MAX_HEADER_LIST_SIZE: _MAX_WINDOW, _SETTINGS_ENABLE_CONNECT_PROTOCOL: 0}


# H2Protocol's methods and properties kept in mhttp._h2_rare (see __getattr__; one str:
# a str constant stays in flash, names held in a tuple would be interned into the heap).
# (the names in one str, a literal in H2Protocol.__getattr__ and in the settle() at the
# end: one constant, no global; mhttp.h2._RARE is the module __getattr__'s)


class H2Protocol:
    # Limits, as documented class attributes; each can be overridden per instance with a
    # keyword argument of the same name.
    max_closed_streams = 64          # closed stream ids remembered (see ST_FORGOTTEN)
    max_continuations = 64           # CONTINUATION frames in one header block
    max_header_block_bytes = 131072  # octets of one header block before END_HEADERS
    max_settings_flood = 100         # SETTINGS frames between two "progress" frames
    max_ping_flood = 1000            # PINGs between two progress frames
    max_empty_frames = 100           # empty DATA (no END_STREAM) / empty CONTINUATION
    max_priority_flood = 1000        # PRIORITY and PRIORITY_UPDATE frames
    max_window_update_flood = 1000   # WINDOW_UPDATE frames
    rapid_reset_window = 100         # inbound streams per rapid-reset window
    max_rapid_resets = 50            # streams reset early (by the peer, or by us because of
    #                                  its bad input) per window -> ENHANCE_YOUR_CALM
    max_encoder_table_size = 4096    # HPACK table we use at most, whatever the peer allows
    # "progress": a complete HEADERS block or non-empty DATA received, or DATA/HEADERS we
    # send.  The flood counters start again from zero at each one.
    # Board RAM: state a plain server exchange never writes starts as these class
    # attributes (a smaller instance dict on every connection).
    auto_ack = False
    validate = True
    _next_id = 2             # server; a client starts at 1
    _high_out = 0            # highest stream id we opened (or promised)
    _open_out = 0            # active streams we initiated
    _cont = None             # header block awaiting CONTINUATION
    goaway_sent = None       # last_stream_id of the GOAWAY we sent
    goaway_received = None
    _gs_ping = None
    client = False
    _in_target = 65535       # the connection receive window we keep granting
    _in_max_frame = 16384    # our acked SETTINGS_MAX_FRAME_SIZE
    _in_iws = 65535          # our acked SETTINGS_INITIAL_WINDOW_SIZE


    def __init__(self, client=True, settings=None, auto_ack=False, validate=True,
                 connection_window=None, **limits):
        for k in limits:
            # (not goaway_sent / goaway_received, the only names starting so: board RAM,
            # no str constant for each)
            if not hasattr(H2Protocol, k) or k[:6] == "goaway" or k[:1] == "_":
                raise TypeError("H2Protocol: unknown option %r" % k)
            setattr(self, k, limits[k])
        if client:
            self.client = True
        if auto_ack is not False:
            self.auto_ack = auto_ack
        if validate is not True:
            self.validate = validate
        self.state = _CONN_OPEN
        ours = {_SETTINGS_MAX_CONCURRENT_STREAMS: 100, _SETTINGS_MAX_HEADER_LIST_SIZE: 65536}
        if client:
            ours[_SETTINGS_ENABLE_PUSH] = 0
        if settings:
            for k in settings:
                ours[k] = settings[k]
        self._initial_settings = ours
        self.local_settings = dict(_DEFAULTS)       # ours, acknowledged by the peer
        self.advertised_settings = dict(_DEFAULTS)  # ours, as last sent
        self.remote_settings = dict(_DEFAULTS)      # the peer's
        self._pending_settings = []                 # [(changes dict, now)] awaiting ACK
        from mhttp.hpack import Encoder, Decoder
        self._encoder = Encoder()
        # (our SETTINGS_MAX_HEADER_LIST_SIZE holds from the start, not from the peer's
        # ACK: a peer that never acknowledges must not get a larger list through)
        self._decoder = Decoder(4096, ours[_SETTINGS_MAX_HEADER_LIST_SIZE])
        self._streams = {}
        # Board RAM: a server's _closed table is grown to its final size now, while the
        # heap is whole, and deleting keeps it: left to grow, its last step (1168 bytes
        # in one piece on the 64-bit unix port, as a dict) came at the 38th closed
        # stream, amid the holes of many requests, and was the MemoryError that set the
        # h2c server's smallest heap (20 KiB free, none of it 1168 contiguous bytes).  A
        # set with the state in the sign (see _remember), not a dict of states: 640
        # bytes, not 1216.  A client opens its own streams, usually a few per
        # connection: its table grows as needed instead of holding them from the start.
        c = self._closed = set()
        if not client:
            for i in range(1, 2 + self.max_closed_streams):
                c.add(i)
            for i in range(1, 2 + self.max_closed_streams):
                c.discard(i)
        self._out = []
        self._inbuf = b""
        self._ev = None
        self._need_preface = not client
        self._got_settings = False
        if client:
            self._next_id = 1
            self._high_out = 0
            self._open_out = 0
        self._high_in = 0        # highest stream id the peer opened (or promised)
        self._open_in = 0        # active streams the peer initiated
        self.in_window = 65535  # connection: what the peer may still send
        self.in_unacked = 0
        # (_in_target, _in_max_frame, _in_iws and client stay the class's unless they
        # differ: a server's dict is 23 entries, 384 bytes on the 64-bit unix port, not 27)
        if connection_window is not None:
            self._in_target = connection_window
        self.out_window = 65535
        self._out_max_frame = 16384
        self._out_iws = 65535    # the peer's SETTINGS_INITIAL_WINDOW_SIZE
        # the flood counters (see _FC_*; [0]: 1 while one of them is not zero)
        self._fc = [0, 0, 0, 0, 0, 0, 0, 0]

    def __getattr__(self, name):
        # Board RAM: the rarely used methods (_RARE) live in mhttp._h2_rare, and what only
        # a client runs in mhttp._h2_client, loaded and stored on the class the first time
        # one is used (mhttp._lazy).  (The client's names as a literal, here and in the
        # settle() below: one constant, and no global, whose slot grew the module dict.)
        c = "get_next_available_stream_id can_open_stream _open_local _check_response"
        if name in c.split():
            return _lazy.bind(self, name, "mhttp._h2_client", c)
        return _lazy.bind(self, name, "mhttp._h2_rare",
                          "h2c_settings initiate_upgrade_connection update_settings "
                          "settings_ack_pending_since blocked_streams start_graceful_shutdown "
                          "push_stream send_priority_update _state_of _check_absent "
                          "open_outbound_streams open_inbound_streams stream_state "
                          "local_flow_control_window _send_data_slow end_stream reset_stream "
                          "ping _emit_block")

    # -- starting ------------------------------------------------------------------------

    def initiate_connection(self, now=None):
        # Client: the preface and our SETTINGS; server: our SETTINGS (RFC 9113 §3.4).
        ours = self._initial_settings
        if self.client:
            self._out.append(PREFACE)
        else:
            # Board RAM: a server never reads them again (h2c_settings is a client's):
            # the copy awaiting the ACK is the only one kept
            self._initial_settings = None
        self._send_settings(ours, now)
        if self._in_target > 65535:
            self._out.append(window_update_pack(0, self._in_target - 65535))
            self.in_window = self._in_target

    # -- output --------------------------------------------------------------------------

    def data_to_send(self):
        out = self._out
        if not out:
            return b""
        self._out = []
        if len(out) == 1:
            return out[0]
        return b"".join(out)

    # -- settings ------------------------------------------------------------------------

    def _send_settings(self, items, now):
        self._out.append(settings_pack(items))
        self._pending_settings.append((dict(items), 0 if now is None else now))
        a = self.advertised_settings
        if a is self.local_settings:
            a = self.advertised_settings = dict(a)
        for k in items:
            a[k] = items[k]

    def _apply_local_settings(self, items):
        out = []
        ks = sorted(items)
        for k in ks:
            v = items[k]
            old = self.local_settings.get(k)
            self.local_settings[k] = v
            out.append((k, old, v))
            if k == _SETTINGS_HEADER_TABLE_SIZE:
                self._decoder.max_table_size = v
            elif k == _SETTINGS_MAX_HEADER_LIST_SIZE:
                self._decoder.max_header_list_size = v
            elif k == _SETTINGS_MAX_FRAME_SIZE:
                self._in_max_frame = v
            elif k == _SETTINGS_INITIAL_WINDOW_SIZE:
                d = v - self._in_iws
                self._in_iws = v
                for st in self._streams.values():
                    st.in_window += d
                    if st.in_unacked and st.in_unacked >= v >> 1:
                        # credit held back under the larger window's threshold goes out
                        # now: the peer, its window shrunk too, may wait for nothing else
                        self.acknowledge_received_data(0, st.id)
        # Board RAM: once every SETTINGS we sent is acknowledged, ours acked and ours
        # sent are one dict (_send_settings copies it again before a change)
        if not self._pending_settings and self.local_settings == self.advertised_settings:
            self.local_settings = self.advertised_settings
        return out

    def _apply_remote_settings(self, items):
        changed = []
        rs = self.remote_settings
        for k, v in items:
            if k == _SETTINGS_ENABLE_PUSH:
                if v > 1:
                    # SETTINGS_ENABLE_PUSH %d: any value other than 0 or 1 MUST be PROTOCOL_ERROR
                    raise _err(0, None, (v,))
                if v == 1 and self.client:
                    # a client MUST treat SETTINGS_ENABLE_PUSH=1 as PROTOCOL_ERROR (§6.5.2)
                    raise _err(1, None)
            elif k == _SETTINGS_INITIAL_WINDOW_SIZE:
                if v > _MAX_WINDOW:
                    # SETTINGS_INITIAL_WINDOW_SIZE above 2**31-1 MUST be FLOW_CONTROL_ERROR
                    # (§6.5.2)
                    raise _err(2, None)
                d = v - self._out_iws
                self._out_iws = v
                for st in self._streams.values():
                    st.out_window += d
                    if st.out_window > _MAX_WINDOW:
                        # SETTINGS_INITIAL_WINDOW_SIZE change makes stream %d's window exceed
                        # 2**31-1
                        raise _err(3, None, (st.id,))
            elif k == _SETTINGS_MAX_FRAME_SIZE:
                if not 16384 <= v <= 16777215:
                    # SETTINGS_MAX_FRAME_SIZE %d outside 16384..16777215 MUST be PROTOCOL_ERROR
                    raise _err(4, None, (v,))
                self._out_max_frame = v
            elif k == _SETTINGS_HEADER_TABLE_SIZE:
                self._encoder.table_size = min(v, self.max_encoder_table_size)
            elif k == _SETTINGS_ENABLE_CONNECT_PROTOCOL:
                if v > 1 or (v == 0 and rs[k] == 1):
                    # SETTINGS_ENABLE_CONNECT_PROTOCOL %d (RFC 8441 §3: 0 or 1, never back to 0)
                    raise _err(5, None, (v,))
            elif k not in rs:
                continue    # §6.5.2: unknown settings MUST be ignored
            old = rs[k]
            rs[k] = v
            changed.append((k, old, v))
        return changed

    # -- receiving -----------------------------------------------------------------------

    def receive_data(self, data):
        ev = self._ev = []
        if self.state == _CONN_CLOSED:
            return ev
        # Board RAM: a memoryview of the reader's buffer (MicroPython's StreamIO) is parsed
        # in place, each payload copied out as its frame is handled, rather than the whole
        # read copied to bytes first (a temporary block of up to bufsize bytes per read).
        copy = False
        if self._inbuf:
            buf = self._inbuf + bytes(data)
        elif data.__class__ is bytes:
            buf = data
        else:
            buf = data
            copy = True
        pos = 0
        n = len(buf)
        try:
            if self._need_preface:
                if copy:
                    buf = bytes(buf)
                    copy = False
                if n < 24:
                    if PREFACE[:n] != buf:
                        # invalid connection preface
                        raise _err(6, None)
                    self._inbuf = buf
                    return ev
                if buf[:24] != PREFACE:
                    # invalid connection preface
                    raise _err(6, None)
                self._need_preface = False
                pos = 24
            handlers = _HANDLERS
            while n - pos >= 9:
                # (the 9-octet header read octet by octet: on a board, unpack_from's tuple
                # was 64 bytes of garbage per frame)
                ln = (buf[pos] << 16) | (buf[pos + 1] << 8) | buf[pos + 2]
                t = buf[pos + 3]
                fl = buf[pos + 4]
                sid = ((buf[pos + 5] & 0x7f) << 24) | (buf[pos + 6] << 16) | \
                    (buf[pos + 7] << 8) | buf[pos + 8]
                if ln > self._in_max_frame:
                    # frame length %d exceeds SETTINGS_MAX_FRAME_SIZE %d (RFC 9113 §4.2)
                    raise _err(7, None, (ln, self._in_max_frame))
                end = pos + 9 + ln
                if end > n:
                    break
                payload = buf[pos + 9:end]
                if copy:
                    payload = bytes(payload)
                pos = end
                if not self._got_settings:
                    if t != _FRAME_SETTINGS or fl & _FLAG_ACK:
                        # the first frame MUST be SETTINGS (RFC 9113 §3.4)
                        raise _err(8, None)
                    self._got_settings = True
                if self._cont is not None and t != _FRAME_CONTINUATION:
                    # frame type %d inside a header block: only CONTINUATION may follow (RFC 9113
                    # §6.10)
                    raise _err(9, None, (t,))
                try:
                    if t < 10:
                        h = handlers[t]
                        if h is None:
                            _rare().F[_RF_RECEIVERS][t](self, fl, sid, payload)
                        else:
                            h(self, fl, sid, payload)
                    elif t == _FRAME_PRIORITY_UPDATE:
                        _rare().F[_RF_PRIORITY_UPDATE](self, fl, sid, payload)
                    # §5.5: unknown frame types MUST be ignored
                except Exception as e:
                    # Board RAM: the H2Error classes (mhttp._errors_h2) are looked up
                    # here, at the first error: a clean exchange never loads them.
                    from mhttp.errors import H2StreamError
                    if not isinstance(e, H2StreamError):
                        raise
                    _rare().F[_RF_STREAM_ERROR](self, e)
                if self.state == _CONN_CLOSED:
                    # a GOAWAY with an error code closed it: the rest of this read is
                    # dropped, as a later read would be (the outcome must not depend on
                    # how the bytes arrived)
                    pos = n
                    break
        except Exception as e:
            from mhttp.errors import H2ConnectionError
            if not isinstance(e, H2ConnectionError):
                # a bug of ours must not take the driver down: end the connection cleanly
                e = H2ConnectionError(_INTERNAL_ERROR, "internal error: %r" % (e,))
            _rare().F[_RF_CONNECTION_ERROR](self, e)
            pos = n
        self._inbuf = (bytes(buf[pos:]) if copy else buf[pos:]) if pos < n else b""
        self._ev = None
        return ev

    def _progress(self):
        f = self._fc
        f[0] = f[1] = f[2] = f[3] = f[4] = f[5] = 0

    def _flood(self, n, limit, reason):
        # One more frame of flood counter n (_FC_*) without progress; reason: the frames.
        f = self._fc
        f[0] = 1
        f[n] += 1
        if f[n] > limit:
            # %s flood: %d frames without progress
            raise _err(10, None, (reason, f[n]))

    # -- stream bookkeeping --------------------------------------------------------------

    def _new_stream(self, id, state):
        st = _Stream(id, state, self._in_iws, self._out_iws)
        self._streams[id] = st
        return st

    def _remember(self, id, state):
        # state: _ST_CLOSED (id in _closed) or _ST_RESET_LOCAL (-id in _closed)
        c = self._closed
        if state == _ST_CLOSED:
            c.discard(-id)
            c.add(id)
        else:
            c.discard(id)
            c.add(-id)
        if len(c) > self.max_closed_streams:
            # Forget the older ids (those below the middle of the range held), without
            # a sorted list of them: that list (1 KiB on the 64-bit unix port) was the
            # next failing allocation of the h2c server at its smallest heap.
            lo = min(c)
            neg = lo < 0
            if neg:
                # (ids we reset are held as -id)
                lo = hi = id
                for k in c:
                    if k < 0:
                        k = -k
                    if k < lo:
                        lo = k
                    elif k > hi:
                        hi = k
            else:
                hi = max(c)
            cut = (lo + hi + 1) // 2
            if cut - lo <= 4 * len(c):
                for k in range(lo, cut):
                    c.discard(k)
                if neg:
                    for k in range(lo, cut):
                        c.discard(-k)
            else:
                # sparse ids (a peer that jumped far ahead, up to 2**31-1): the keys, not
                # every id of the range (a billion steps: the server would hang).  (A
                # loop, not a comprehension: board RAM, no code object of its own.)
                neg = []
                for k in c:
                    if -cut < k < cut:
                        neg.append(k)
                for k in neg:
                    c.discard(k)

    def _trans(self, stream, code):
        old = stream.state
        ns = _TRANSITIONS[old * 16 + code] - 48
        if ns < 0:
            raise _bad_transition(old, code, stream.id)
        if ns != old:
            stream.state = ns
            ours = (stream.id & 1) == (1 if self.client else 0)
            if ns >= _ST_CLOSED:
                del self._streams[stream.id]
                self._remember(stream.id, ns)
                if old >= _ST_OPEN:
                    if ours:
                        self._open_out -= 1
                    else:
                        self._open_in -= 1
            elif old < _ST_OPEN and ns >= _ST_OPEN:
                if ours:
                    self._open_out += 1
                else:
                    self._open_in += 1

    # -- frame handlers ------------------------------------------------------------------

    def _r_data(self, flags, id, p):
        if id == 0:
            # DATA on stream 0 MUST be PROTOCOL_ERROR (§6.1)
            raise _err(11, None)
        flen = len(p)
        if flags & _FLAG_PADDED:
            from mhttp.h2_frames import data_unpack
            p, _ = data_unpack(flags, p)
        if flen > self.in_window:
            # DATA of %d octets exceeds the connection window %d (RFC 9113 §6.9)
            raise _err(12, None, (flen, self.in_window))
        self.in_window -= flen
        es = flags & _FLAG_END_STREAM
        if p:
            if self._fc[0]:
                self._progress()
        elif not es:
            self._flood(_FC_EMPTY, self.max_empty_frames, "empty DATA")
        st = self._streams.get(id)
        if st is None:
            self._ack_conn(flen)
            _rare().F[_RF_CHECK_ABSENT](self, id, _RECV_DATA)
            return
        if _TRANSITIONS[st.state * 16 + _RECV_DATA] == 45:
            self._ack_conn(flen)
            raise _bad_transition(st.state, _RECV_DATA, id)
        if flen > st.in_window:
            self._ack_conn(flen)
            # DATA of %d octets exceeds stream %d's window %d
            raise _err(13, id, (flen, id, st.in_window))
        st.in_window -= flen
        if st.hin != 2:
            self._ack_conn(flen)
            # DATA before the HEADERS on stream %d (§8.1)
            raise _err(14, id, (id,))
        st.got += len(p)
        if st.no_body and self.client:
            # (its content-length tells the size of the content it has not)
            if p:
                self._ack_conn(flen)
                # DATA octets on stream %d, a response without content (to HEAD, a 204 or
                # 304: RFC 9113 §8.1.1)
                raise _err(65, id, (id,))
        elif st.clen >= 0 and (st.got > st.clen or (es and st.got != st.clen)):
            self._ack_conn(flen)
            # content-length %d but %d DATA octets on stream %d (RFC 9113 §8.1.1)
            raise _err(15, id, (st.clen, st.got, id))
        if es:
            self._trans(st, _RECV_END_STREAM)
        self._ev.append((_EV_DATA, id, p, flen, es == 1))
        if self.auto_ack and flen:
            self.acknowledge_received_data(flen, id)

    def _ack_conn(self, n):
        # Connection-window credit for DATA the application never sees.
        if n:
            self.in_unacked += n
            if self.in_unacked >= self._in_target >> 1:
                self._out.append(window_update_pack(0, self.in_unacked))
                self.in_window += self.in_unacked
                self.in_unacked = 0

    def _r_headers(self, flags, id, p):
        if id == 0:
            # HEADERS on stream 0 MUST be PROTOCOL_ERROR
            raise _err(16, None)
        if flags & (_FLAG_PADDED | _FLAG_PRIORITY):
            from mhttp.h2_frames import headers_unpack
            frag, prio = headers_unpack(flags, p)
        else:
            frag = p
            prio = None
        if flags & _FLAG_END_HEADERS:
            self._header_block(_FRAME_HEADERS, id, flags, frag, prio, 0)
        else:
            _rare().F[_RF_START_BLOCK](self, _FRAME_HEADERS, id, flags, frag, prio, 0)

    def _decode(self, data):
        # HPACK must see every block, even for streams we refuse (§4.3).
        try:
            return self._decoder.decode_fields(data)
        except Exception as e:
            # HeaderListTooLarge (a CompressionError of mhttp._hpack_more, loaded by its
            # raise): the block was decoded, only the list is too large; the other errors
            # end the connection
            from mhttp._hpack_more import HeaderListTooLarge
            if not isinstance(e, HeaderListTooLarge):
                raise
            return None

    def _header_block(self, type, id, flags, data, value, index):
        fields = self._decode(data)
        if self._fc[0]:
            self._progress()
        if type == _FRAME_PUSH_PROMISE:
            _rare().F[_RF_PUSH_PROMISE](self, id, index, fields)
            return
        es = flags & _FLAG_END_STREAM
        st = self._streams.get(id)
        if st is None:
            if not self.client and id > self._high_in:
                # a new stream from the client (RFC 9113 §5.1.1); not one we reset while
                # idle (a bad PRIORITY): it stays closed, its HEADERS ignored (§5.1)
                if not id & 1:
                    # client stream id %d is even (RFC 9113 §5.1.1)
                    raise _err(17, None, (id,))
                self._high_in = id
                f = self._fc
                f[_FC_RR_OPENED] += 1
                if f[_FC_RR_OPENED] > self.rapid_reset_window:
                    f[_FC_RR_OPENED] = 1
                    f[_FC_RR_RESETS] = 0
                if self.goaway_sent is not None and id > self.goaway_sent:
                    self._remember(id, _ST_RESET_LOCAL)
                    # stream %d opened after GOAWAY
                    raise _err(18, id, (id,))
                # the smaller of the limit acknowledged and the one advertised (RFC 9113
                # §5.1.2): a peer that never ACKs our SETTINGS is held to them all the same
                mcs = self.local_settings[_SETTINGS_MAX_CONCURRENT_STREAMS]
                f = self.advertised_settings[_SETTINGS_MAX_CONCURRENT_STREAMS]
                if f < mcs:
                    mcs = f
                if self._open_in >= mcs:
                    self._remember(id, _ST_RESET_LOCAL)
                    # stream %d exceeds SETTINGS_MAX_CONCURRENT_STREAMS %d (§5.1.2)
                    raise _err(19, id, (id, mcs))
                st = self._new_stream(id, _ST_IDLE)
            else:
                s = _rare().F[_RF_STATE_OF](self, id)
                if s == _ST_IDLE:
                    # HEADERS on idle stream %d (not opened by us / stream id not increasing)
                    # MUST be PROTOCOL_ERROR (RFC 9113 §5.1.1)
                    raise _err(20 if self.client else 63, None, (id,))
                if s == _ST_FORGOTTEN:
                    if not self.client:
                        # HEADERS on stream %d: stream ids MUST increase (RFC 9113 §5.1.1)
                        raise _err(21, None, (id,))
                    return      # a late response on a stream we closed long ago
                _rare().F[_RF_CHECK_ABSENT](self, id, _RECV_HEADERS)
                return
        self._trans(st, _RECV_HEADERS)
        if fields is None:
            # (es: a server answers 431 to a request head, mhttp._h2_rare.stream_error)
            # header list larger than SETTINGS_MAX_HEADER_LIST_SIZE %d on stream %d
            raise _err(22, id, (self._decoder.max_header_list_size, id, es))
        ev = self._ev
        if value is not None:
            if value[0] == id:
                # stream %d depends on itself
                raise _err(23, id, (id,))
            ev.append((_EV_PRIORITY, id, value[0], value[1], value[2]))
        if st.hin == 2:
            # trailers (RFC 9113 §8.1)
            if not es:
                # trailers without END_STREAM on stream %d (RFC 9113 §8.1)
                raise _err(24, id, (id,))
            if self.validate:
                self._check_fields(fields, 2, st)
            if st.clen >= 0 and st.got != st.clen and not (st.no_body and self.client):
                # content-length %d but %d DATA octets on stream %d (RFC 9113 §8.1.1)
                raise _err(15, id, (st.clen, st.got, id))
            self._trans(st, _RECV_END_STREAM)
            ev.append((_EV_TRAILERS, id, Headers._trusted(fields)))
            return
        if self.client:
            info = self._check_response(fields, st) if self.validate else False
            if info:
                if es:
                    # 1xx response with END_STREAM on stream %d (RFC 9113 §8.1)
                    raise _err(25, id, (id,))
                st.hin = 1
                ev.append((_EV_HEADERS, id, Headers._trusted(fields), False))
                return
        elif self.validate and self._check_request(fields, st, False) == b"CONNECT" and es:
            for f in fields:
                if f[0] == b":protocol":
                    # extended CONNECT with END_STREAM: a tunnel that could carry nothing
                    # from the client (RFC 8441 §4, RFC 9113 §8.5)
                    raise _err(68, id)
        st.hin = 2
        if es:
            if st.clen > 0 and not (st.no_body and self.client):
                # content-length %d but END_STREAM on the HEADERS of stream %d (RFC 9113 §8.1.1)
                raise _err(26, id, (st.clen, id))
            self._trans(st, _RECV_END_STREAM)
        ev.append((_EV_HEADERS, id, Headers._trusted(fields), es == 1))

    # -- header validation (RFC 9113 §8.2, §8.3) -----------------------------------------

    def _check_fields(self, headers, type, stream):
        # kind 0: request, 1: response, 2: trailers, 3: pushed request.  Checks the regular
        # fields and returns the pseudo-header fields as a dict (a `host` field is returned
        # under the key b"host").  Raises H2StreamError.
        sid = stream.id
        pseudo = {}
        regular = False
        special = _SPECIAL
        for n, v, _ in headers:
            if v and (v[0] == 32 or v[0] == 9 or v[-1] == 32 or v[-1] == 9):
                # field %r value starts or ends with whitespace (RFC 9113 §8.2.1)
                raise _err(27, sid, (n,))
            if n and n[0] == 58:     # ":" (board RAM: n[:1] made ~96 bytes per field)
                if regular:
                    # pseudo-header %r after a regular field MUST be malformed (RFC 9113 §8.3)
                    raise _err(28, sid, (n,))
                if type == 2:
                    # pseudo-header %r in trailers (§8.1)
                    raise _err(29, sid, (n,))
                if n in pseudo:
                    # duplicated pseudo-header %r (§8.3)
                    raise _err(30, sid, (n,))
                pseudo[n] = v
                continue
            regular = True
            k = special.get(n)
            if k is None:
                if not n:
                    # an empty name is no token (RFC 9113 §8.2.1, RFC 9110 §5.1)
                    raise _err(35, sid, (n,))
                continue
            if k == 1:
                # connection-specific field %r MUST be malformed (RFC 9113 §8.2.2)
                raise _err(31, sid, (n,))
            if k == 2:
                if v != b"trailers" and v.lower() != b"trailers":   # (RFC 9110 §10.1.4)
                    # te other than "trailers" MUST be malformed (RFC 9113 §8.2.2)
                    raise _err(32, sid)
            elif k == 3:
                if type != 2:
                    if not v.isdigit():
                        # invalid content-length %r
                        raise _err(33, sid, (v,))
                    cl = int(v)
                    if stream.clen >= 0 and stream.clen != cl:
                        # conflicting content-length values
                        raise _err(34, sid)
                    stream.clen = cl
            elif type == 0 or type == 3:
                if b"host" in pseudo:
                    # more than one host field (RFC 9110 §7.2; RFC 9113 §8.3.1)
                    raise _err(64, sid)
                pseudo[b"host"] = v
        n = _bad_names(headers)
        if n is True:
            # field value with NUL, CR or LF MUST be malformed (RFC 9113 §8.2.1)
            raise _err(36, sid)
        if n is not None:
            # invalid field name %r (uppercase or a character RFC 9113 §8.2.1 forbids)
            raise _err(35, sid, (n,))
        return pseudo

    def _check_request(self, headers, stream, mode):
        # mode: True for a pushed request (PUSH_PROMISE).  (Argument names throughout
        # are ones MicroPython has built in: no interned name of their own on a board.)
        sid = stream.id
        ps = self._check_fields(headers, 3 if mode else 0, stream)
        host = ps.pop(b"host", None)
        for k in ps:
            if k not in _REQ_PSEUDO:
                # pseudo-header %r not allowed in a request (RFC 9113 §8.3)
                raise _err(37, sid, (k,))
        m = ps.get(b":method")
        if not m:
            # request without :method (§8.3.1)
            raise _err(38, sid)
        # (mhttp.h1's classes, as its request line has them: _bad is mhttp._h1_cpy's on
        # CPython, this module's own on a board, see there)
        if _bad(m, _TOKEN):
            # :method %r is not a token (RFC 9113 §8.3.1, RFC 9110 §9.1)
            raise _err(66, sid, (m,))
        proto = ps.get(b":protocol")
        if proto is not None:
            # RFC 8441 §4: only on CONNECT, only when we advertised ENABLE_CONNECT_PROTOCOL
            if self.advertised_settings[_SETTINGS_ENABLE_CONNECT_PROTOCOL] != 1 or mode:
                # :protocol without SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441 §4)
                raise _err(39, sid)
            if m != b"CONNECT":
                # :protocol on a %r request (RFC 8441 §4)
                raise _err(40, sid, (m,))
        if m == b"CONNECT" and proto is None:
            # §8.5: :method and :authority only
            if b":scheme" in ps or b":path" in ps or not ps.get(b":authority"):
                # CONNECT MUST have :authority and no :scheme or :path (RFC 9113 §8.5)
                raise _err(41, sid)
        else:
            sc = ps.get(b":scheme")
            pa = ps.get(b":path")
            if not sc or not pa:
                # request without :scheme or :path MUST be malformed (RFC 9113 §8.3.1)
                raise _err(42, sid)
            if _bad(pa, _VCHAR):
                # :path %r holds a control character, space, DEL or non-ASCII octet (RFC
                # 9113 §8.3.1, RFC 3986 §3.3; mhttp.h1 refuses the same request-target)
                raise _err(67, sid, (pa,))
            if pa[0] != 47 and not (pa == b"*" and m == b"OPTIONS") and sc in (b"http", b"https"):
                # :path %r is not origin-form (§8.3.1)
                raise _err(43, sid, (pa,))
            if proto is not None and not ps.get(b":authority"):
                # extended CONNECT without :authority
                raise _err(44, sid)
        if mode:
            if m not in (b"GET", b"HEAD") or not ps.get(b":authority"):
                # pushed request must be a safe, cacheable method with :authority (RFC 9113 §8.4)
                raise _err(45, sid)
            stream.no_body = m == b"HEAD"
            stream.clen = -1
        elif m == b"HEAD":
            stream.no_body = True       # (server: our response carries no content)
        a = ps.get(b":authority")
        if a is not None and host is not None and host != a:
            # host %r differs from :authority %r (RFC 9113 §8.3.1)
            raise _err(46, sid, (host, a))
        return m

    # -- other frames --------------------------------------------------------------------

    def _r_settings(self, flags, id, p):
        if id != 0:
            # SETTINGS on stream %d MUST be PROTOCOL_ERROR
            raise _err(50, None, (id,))
        check_size(_FRAME_SETTINGS, flags, len(p), 0)
        if flags & _FLAG_ACK:
            if not self._pending_settings:
                # SETTINGS ACK without pending SETTINGS
                raise _err(51, None)
            changes = self._pending_settings.pop(0)[0]
            self._ev.append((_EV_SETTINGS_ACKED, self._apply_local_settings(changes)))
            return
        self._flood(_FC_SETTINGS, self.max_settings_flood, "SETTINGS")
        changed = self._apply_remote_settings(settings_unpack(p))
        self._out.append(settings_pack(ack=True))
        self._ev.append((_EV_SETTINGS_CHANGED, changed))

    def _r_goaway(self, flags, id, p):
        if id != 0:
            # GOAWAY on stream %d MUST be PROTOCOL_ERROR
            raise _err(52, None, (id,))
        from mhttp.h2_frames import goaway_unpack
        last, code, dbg = goaway_unpack(p)
        if self.goaway_received is not None and last > self.goaway_received:
            # GOAWAY last_stream_id went up (§6.8)
            raise _err(53, None)
        self.goaway_received = last
        if self.state == _CONN_OPEN:
            self.state = _CONN_CLOSING
        ev = self._ev
        ev.append((_EV_GOAWAY, code, last, dbg))
        # streams we opened above last_stream_id were not processed: safe to retry
        mine = 1 if self.client else 0
        for s in sorted(self._streams):
            if s > last and (s & 1) == mine:
                st = self._streams.pop(s)
                if st.state >= _ST_OPEN:
                    self._open_out -= 1
                st.state = _ST_CLOSED
                self._remember(s, _ST_CLOSED)
                ev.append((_EV_STREAM_RESET, s, _REFUSED_STREAM, True))
        if code != _NO_ERROR:
            # the peer ends the connection on an error: nothing more will complete
            for s in sorted(self._streams):
                st = self._streams.pop(s)
                self._remember(s, _ST_CLOSED)
                ev.append((_EV_STREAM_RESET, s, code, True))
            self._open_in = self._open_out = 0
            self.state = _CONN_CLOSED

    def _r_window_update(self, flags, id, p):
        check_size(_FRAME_WINDOW_UPDATE, flags, len(p), id)
        inc = window_update_unpack(p)
        self._flood(_FC_WU, self.max_window_update_flood, "WINDOW_UPDATE")
        if id == 0:
            if inc == 0:
                # WINDOW_UPDATE increment 0 MUST be PROTOCOL_ERROR (RFC 9113 §6.9)
                raise _err(54, None)
            w = self.out_window + inc
            if w > _MAX_WINDOW:
                # connection window above 2**31-1 MUST be FLOW_CONTROL_ERROR (RFC 9113 §6.9.1)
                raise _err(55, None)
            self.out_window = w
            self._ev.append((_EV_WINDOW_UPDATED, 0, inc))
            return
        st = self._streams.get(id)
        if st is None:
            _rare().F[_RF_CHECK_ABSENT](self, id, _RECV_WINDOW_UPDATE)
            return
        self._trans(st, _RECV_WINDOW_UPDATE)
        if inc == 0:
            # WINDOW_UPDATE increment 0 MUST be PROTOCOL_ERROR (RFC 9113 §6.9)
            raise _err(54, id)
        w = st.out_window + inc
        if w > _MAX_WINDOW:
            # stream %d window above 2**31-1 (§6.9.1)
            raise _err(56, id, (id,))
        st.out_window = w
        self._ev.append((_EV_WINDOW_UPDATED, id, inc))

    # -- sending -------------------------------------------------------------------------

    def _check(self):
        if self.state == _CONN_CLOSED:
            from mhttp.errors import ProtocolError
            raise ProtocolError("HTTP/2 connection is closed")

    def send_headers(self, stream_id, headers, end_stream=False):
        # A request (client, opens the stream), a response or 1xx (server), or trailers
        # (end_stream=True after DATA).  headers: Headers or a list of (name, value[,
        # never_index]) with bytes names, pseudo-headers first.
        self._check()
        st = self._streams.get(stream_id)
        if st is None:
            if stream_id in self._closed or -stream_id in self._closed:
                raise _bad_transition(_rare().F[_RF_STATE_OF](self, stream_id),
                                      _SEND_HEADERS, stream_id)
            st = self._open_local(stream_id)
        self._trans(st, _SEND_HEADERS)
        l = headers._l if isinstance(headers, Headers) else headers
        n = None
        if not self.client:
            # our own fields (the application's error, raised before anything is queued:
            # RFC 9113 §8.2.1, a peer would reset the stream as malformed): no NUL, CR or
            # LF in a value; the content-length kept to check the DATA sent against.
            # (min() first: C speed on both runtimes, where CPython's `bytes in bytes`
            # took ~270 ns each, 3 us per response)
            # (CPython: mhttp._h2_cpy.own_fields, C-speed scans; False sends it here too,
            # to name the field)
            b = False if _own is None else _own(l)
            if b is False:
                for f in l:
                    b = f[1]
                    if b and min(b) < 14 and (b"\r" in b or b"\n" in b or b"\x00" in b):
                        # invalid characters (NUL, CR, LF) in the value of %r
                        raise _rare().F[_RF_MISUSE](0, (f[0],))
                    if f[0] == b"content-length":
                        if not b.isdigit():
                            # invalid content-length %r
                            raise _rare().F[_RF_MISUSE](1, (b,))
                        n = int(b)
            elif b is not None:
                if not b.isdigit():
                    # invalid content-length %r
                    raise _rare().F[_RF_MISUSE](1, (b,))
                n = int(b)
        if st.hout == 2:
            if not end_stream:
                # trailers must end the stream
                raise _err(62, stream_id)
            if st.oleft > 0:
                # body ended %d bytes short of the content-length
                raise _rare().F[_RF_MISUSE](2, (st.oleft,))
        elif self.client:
            st.hout = 2
            for f in l:
                if f[0] == b":method":
                    st.no_body = f[1] == b"HEAD"
                    break
        else:
            f = l[0] if l else None
            if f and f[0] == b":status" and f[1] and f[1][0] == 49:     # "1"
                st.hout = 1
            else:
                if f and (f[1] == b"204" or f[1] == b"304"):
                    st.no_body = True
                if n is not None and not st.no_body:
                    if end_stream and n:
                        # body ended %d bytes short of the content-length
                        raise _rare().F[_RF_MISUSE](2, (n,))
                    st.oleft = n
                st.hout = 2
        # The block is encoded after 9 octets kept for the frame header, filled in here
        # when it fits one frame (board RAM: one copy per response, not four, ~130 bytes
        # less each).
        b = self._encoder.encode(l, bytearray(9))
        n = len(b) - 9
        if n <= self._out_max_frame:
            b[0] = n >> 16
            b[1] = (n >> 8) & 255
            b[2] = n & 255
            b[3] = _FRAME_HEADERS
            b[4] = (_FLAG_END_STREAM | _FLAG_END_HEADERS) if end_stream else _FLAG_END_HEADERS
            b[5] = stream_id >> 24
            b[6] = (stream_id >> 16) & 255
            b[7] = (stream_id >> 8) & 255
            b[8] = stream_id & 255
            self._out.append(bytes(b))
        else:
            # (a block over one frame: HEADERS and CONTINUATION, mhttp._h2_rare)
            self._emit_block(_FRAME_HEADERS, stream_id, bytes(b[9:]),
                             _FLAG_END_STREAM if end_stream else 0)
        if self._fc[0]:
            self._progress()
        if end_stream:
            self._trans(st, _SEND_END_STREAM)

    def send_data(self, stream_id, data, end_stream=False, now=None, pad=0):
        # Queues DATA frames (split at the peer's SETTINGS_MAX_FRAME_SIZE) for as much of
        # data as both windows allow and returns that count.  end_stream is only sent when
        # all of data was accepted; otherwise call again with the rest after
        # EV_WINDOW_UPDATED.  A short send marks the stream blocked since `now` (see
        # blocked_streams()).  pad: padding octets per frame (counted in the windows).
        st = self._streams.get(stream_id)
        if st is None:
            self._check()
            raise _bad_transition(_rare().F[_RF_STATE_OF](self, stream_id), _SEND_DATA,
                                  stream_id)
        if _TRANSITIONS[st.state * 16 + _SEND_DATA] == 45:
            raise _bad_transition(st.state, _SEND_DATA, stream_id)
        n = len(data)
        w = st.out_window
        if self.out_window < w:
            w = self.out_window
        if n <= w and n <= self._out_max_frame and not pad and not st.no_body:
            w = st.oleft
            if w >= 0:
                # (a server's content-length: what it announced, no more, no less)
                if n > w or (end_stream and n != w):
                    raise _rare().F[_RF_MISUSE](3 if n > w else 2, (n, w) if n > w else (w - n,))
                st.oleft = w - n
            if data.__class__ is not bytes:
                data = bytes(data)
            self._out.append(header_pack(n, _FRAME_DATA, 1 if end_stream else 0, stream_id) + data)
            st.out_window -= n
            self.out_window -= n
            if st.blocked_since is not None:
                st.blocked_since = None
            if n and self._fc[0]:
                self._progress()
            if end_stream:
                self._trans(st, _SEND_END_STREAM)
            return n
        return _rare().F[_RF_SEND_DATA_SLOW](self, st, data, end_stream, now, pad, w)

    def acknowledge_received_data(self, n, stream_id):
        # The application has consumed n flow-controlled octets (_EV_DATA's
        # flow_controlled_length) of stream_id.  A WINDOW_UPDATE goes out once half of a
        # window has been consumed (auto_ack=True does this on receipt).
        if n < 0:
            return
        self._ack_conn(n)
        st = self._streams.get(stream_id)
        if st is not None and (st.state == _ST_OPEN or st.state == _ST_HALF_CLOSED_LOCAL):
            st.in_unacked += n
            if st.in_unacked >= self._in_iws >> 1:
                self._out.append(window_update_pack(stream_id, st.in_unacked))
                st.in_window += st.in_unacked
                st.in_unacked = 0

    def close_connection(self, code=_NO_ERROR, last_stream_id=None, debug=b""):
        # GOAWAY.  NO_ERROR: graceful, streams up to last_stream_id (default: the highest
        # the peer opened) finish, newer ones are refused.  Any other code: the connection
        # is closed for good.
        if self.state == _CONN_CLOSED:
            return
        if last_stream_id is None:
            last_stream_id = self._high_in
        from mhttp.h2_frames import goaway_pack
        self._out.append(goaway_pack(last_stream_id, code, debug))
        self.goaway_sent = last_stream_id
        self.state = _CONN_CLOSED if code != _NO_ERROR else _CONN_CLOSING

# Frame handlers by type (0..9), called as handler(protocol, flags, stream_id, payload):
# one tuple for all connections instead of ten bound methods per connection.  None: the
# receiver is in mhttp._h2_rare (RECEIVERS: PRIORITY, RST_STREAM, PUSH_PROMISE, PING,
# CONTINUATION).
_HANDLERS = (H2Protocol._r_data, H2Protocol._r_headers, None, None, H2Protocol._r_settings,
             None, None, H2Protocol._r_goaway, H2Protocol._r_window_update, None)


# CPython: bound now, no __getattr__
_lazy.settle(H2Protocol, "mhttp._h2_rare",
             "h2c_settings initiate_upgrade_connection update_settings settings_ack_pending_since "
             "blocked_streams start_graceful_shutdown push_stream send_priority_update _state_of "
             "_check_absent open_outbound_streams open_inbound_streams stream_state "
             "local_flow_control_window _send_data_slow end_stream reset_stream "
             "ping _emit_block")
_lazy.settle(H2Protocol, "mhttp._h2_client",
             "get_next_available_stream_id can_open_stream _open_local _check_response")
