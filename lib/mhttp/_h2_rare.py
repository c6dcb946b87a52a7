# mhttp._h2_rare: the rarely used parts of mhttp.h2's H2Protocol, loaded on first use so
# a board does not keep their bytecode in RAM for connections that never need them:
# starting from HTTP/1.1 `Upgrade: h2c` (h2c_settings, initiate_upgrade_connection),
# update_settings after the start, graceful shutdown, server push (push_stream, the
# PUSH_PROMISE receiver), PRIORITY / PRIORITY_UPDATE (RFC 9218), PING, RST_STREAM (both
# ways), end_stream, DATA that does not fit one frame or the windows
# (_send_data_slow, local_flow_control_window), the states of streams without a _Stream
# (stream_state, _state_of, _check_absent) and the error for a (state, input) pair
# missing from the transition table; and what only a misbehaving or unusual peer
# triggers: our answers to stream and connection errors (RST_STREAM, GOAWAY, the
# rapid-reset count), header blocks split over CONTINUATION frames, blocked_streams.
# Each function takes the H2Protocol as `self`.  The names in mhttp.h2._RARE are H2Protocol's
# methods and properties: H2Protocol.__getattr__ finds them here (mhttp._lazy.bind) the
# first time they are used and stores them on the class, so the API (and what
# tests_host/core/test_h2_*.py check) is unchanged.
import binascii

from mhttp.errors import (ProtocolError, H2ConnectionError, H2StreamError, NO_ERROR,
                          PROTOCOL_ERROR, FLOW_CONTROL_ERROR, FRAME_SIZE_ERROR, STREAM_CLOSED,
                          REFUSED_STREAM, CANCEL, ENHANCE_YOUR_CALM)
from mhttp.headers import Headers
from mhttp.h2 import _TRANSITIONS, _bad_transition
from mhttp.h2_frames import (FRAME_DATA, FRAME_PRIORITY, FRAME_PUSH_PROMISE, FRAME_PING,
                             FRAME_CONTINUATION,
                             FLAG_ACK, FLAG_END_STREAM, FLAG_END_HEADERS, FLAG_PADDED,
                             SETTINGS_ENABLE_PUSH, SETTINGS_INITIAL_WINDOW_SIZE,
                             SETTINGS_MAX_FRAME_SIZE, SETTINGS_ENABLE_CONNECT_PROTOCOL,
                             SETTINGS_MAX_HEADER_LIST_SIZE,
                             MAX_WINDOW, MAX_STREAM_ID, header_pack, settings_unpack,
                             push_promise_unpack, ping_pack, goaway_pack,
                             priority_unpack, priority_update_unpack, priority_update_pack,
                             rst_stream_pack, rst_stream_unpack, check_size)
import struct

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

_pack = struct.pack

# mhttp.h2's flood counters (indexes into H2Protocol._fc, see mhttp.h2 _FC_*)
_FC_PING = const(2)
_FC_EMPTY = const(3)
_FC_PRIO = const(4)
_FC_WU = const(5)
_FC_RR_RESETS = const(7)

# mhttp.h2's public event, connection-state and stream-state numbers (mhttp.h2 uses
# private const() copies; mhttp.h2.X finds these through its __getattr__).
# -- events ------------------------------------------------------------------------------
EV_HEADERS = 1
EV_DATA = 2
EV_TRAILERS = 3
EV_STREAM_RESET = 4
EV_WINDOW_UPDATED = 5
EV_SETTINGS_CHANGED = 6
EV_SETTINGS_ACKED = 7
EV_PING_RECEIVED = 8
EV_PING_ACKED = 9
EV_GOAWAY = 10
EV_PUSH_PROMISE = 11
EV_PRIORITY = 12
EV_PRIORITY_UPDATE = 13
EV_CONNECTION_TERMINATED = 14

# -- connection states -------------------------------------------------------------------
CONN_OPEN = 0       # normal operation
CONN_CLOSING = 1    # GOAWAY sent or received: no new streams, old ones finish
CONN_CLOSED = 2     # connection error (either side): input is ignored

# -- stream states (RFC 9113 §5.1) and inputs ---------------------------------------------
ST_IDLE = 0
ST_RESERVED_LOCAL = 1
ST_RESERVED_REMOTE = 2
ST_OPEN = 3
ST_HALF_CLOSED_LOCAL = 4
ST_HALF_CLOSED_REMOTE = 5
ST_CLOSED = 6
ST_RESET_LOCAL = 7
ST_FORGOTTEN = 8

# mhttp.h2's public names kept out of its RAM (mhttp.h2.X finds them here through its
# module __getattr__): the stream-state machine's inputs (mhttp.h2 uses private const()
# copies) and the names tables for messages.
SEND_HEADERS = 0
SEND_DATA = 1
SEND_END_STREAM = 2
SEND_RST_STREAM = 3
SEND_PUSH_PROMISE = 4    # on the parent stream
SEND_PROMISED = 5        # on the promised stream
RECV_HEADERS = 6
RECV_DATA = 7
RECV_END_STREAM = 8
RECV_RST_STREAM = 9
RECV_PUSH_PROMISE = 10   # on the parent stream
RECV_PROMISED = 11       # on the promised stream
RECV_WINDOW_UPDATE = 12
RECV_PRIORITY = 13
EV_NAMES = ("", "EV_HEADERS", "EV_DATA", "EV_TRAILERS", "EV_STREAM_RESET",
            "EV_WINDOW_UPDATED", "EV_SETTINGS_CHANGED", "EV_SETTINGS_ACKED",
            "EV_PING_RECEIVED", "EV_PING_ACKED", "EV_GOAWAY", "EV_PUSH_PROMISE", "EV_PRIORITY",
            "EV_PRIORITY_UPDATE", "EV_CONNECTION_TERMINATED")
ST_NAMES = ("idle", "reserved (local)", "reserved (remote)", "open", "half-closed (local)",
            "half-closed (remote)", "closed", "closed (reset by us)", "closed (forgotten)")
IN_NAMES = ("SEND_HEADERS", "SEND_DATA", "SEND_END_STREAM", "SEND_RST_STREAM",
            "SEND_PUSH_PROMISE", "SEND_PROMISED", "RECV_HEADERS", "RECV_DATA",
            "RECV_END_STREAM", "RECV_RST_STREAM", "RECV_PUSH_PROMISE", "RECV_PROMISED",
            "RECV_WINDOW_UPDATE", "RECV_PRIORITY")


def bad_transition(state, inp, sid):
    # The error for a (state, input) pair missing from _TRANSITIONS.
    msg = "%s on stream %d in state %s" % (IN_NAMES[inp], sid, ST_NAMES[state])
    if inp < RECV_HEADERS:
        # the caller's own mistake: nothing goes on the wire
        return H2StreamError(STREAM_CLOSED if state >= ST_HALF_CLOSED_LOCAL else PROTOCOL_ERROR,
                             "cannot send: " + msg, sid)
    if state == ST_HALF_CLOSED_REMOTE:
        return H2StreamError(STREAM_CLOSED, msg + ": MUST be a stream error of type "
                             "STREAM_CLOSED (RFC 9113 §5.1)", sid)
    if state == ST_CLOSED:
        return H2ConnectionError(STREAM_CLOSED, msg + ": frames after END_STREAM MUST be "
                                 "treated as a connection error of type STREAM_CLOSED (§5.1)")
    return H2ConnectionError(PROTOCOL_ERROR, msg + " MUST be treated as a connection error "
                             "of type PROTOCOL_ERROR (RFC 9113 §5.1)")


def _b64url(data):
    s = binascii.b2a_base64(data).strip()
    return s.replace(b"+", b"-").replace(b"/", b"_").replace(b"=", b"")


def _unb64url(s):
    if isinstance(s, str):
        s = s.encode()
    s = s.strip().replace(b"-", b"+").replace(b"_", b"/")
    s = s + b"=" * (-len(s) % 4)
    try:
        return binascii.a2b_base64(s)
    except Exception:
        raise H2ConnectionError(PROTOCOL_ERROR, "HTTP2-Settings is not base64url")


def h2c_settings(self):
    # Client: the HTTP2-Settings header value for an `Upgrade: h2c` request
    # (RFC 7540 §3.2.1): our SETTINGS payload, base64url without padding.
    ks = sorted(self._initial_settings)
    return _b64url(b"".join([_pack(">HL", k, self._initial_settings[k]) for k in ks]))


def initiate_upgrade_connection(self, settings_header=None, now=None, method=b"GET"):
    # After `101 Switching Protocols` to h2c (RFC 7540 §3.2).  Stream 1 carries the
    # HTTP/1.1 request: half-closed (local) on the client, half-closed (remote) on
    # the server.  The server passes the client's HTTP2-Settings value, applied as
    # the peer's settings without an ACK (the 101 acknowledges them).
    if self.client:
        self.initiate_connection(now)
        st = self._new_stream(1, ST_IDLE)
        st.no_body = method == b"HEAD"
        self._trans(st, SEND_HEADERS)
        st.hout = 2
        self._trans(st, SEND_END_STREAM)
        self._high_out = 1
        self._next_id = 3
    else:
        if settings_header is None:
            raise ValueError("server upgrade needs the HTTP2-Settings header value")
        payload = _unb64url(settings_header)
        self._apply_remote_settings(settings_unpack(payload))
        self.initiate_connection(now)
        st = self._new_stream(1, ST_IDLE)
        self._trans(st, RECV_HEADERS)
        st.hin = 2
        self._trans(st, RECV_END_STREAM)
        self._high_in = 1


def update_settings(self, changes, now=None):
    # Sends SETTINGS with these {id: value} changes; they take effect when the peer
    # ACKs (EV_SETTINGS_ACKED).  settings_ack_pending_since tells the driver since when
    # it waits (RFC 9113 §6.5.3: SETTINGS_TIMEOUT is its call).
    for k in changes:
        v = changes[k]
        if v < 0 or v > 0xffffffff:
            raise ValueError("setting 0x%x value %r out of range" % (k, v))
        if k == SETTINGS_INITIAL_WINDOW_SIZE and v > MAX_WINDOW:
            raise ValueError("SETTINGS_INITIAL_WINDOW_SIZE above 2**31-1")
        if k == SETTINGS_MAX_FRAME_SIZE and not 16384 <= v <= 16777215:
            raise ValueError("SETTINGS_MAX_FRAME_SIZE out of 16384..16777215")
        if k in (SETTINGS_ENABLE_PUSH, SETTINGS_ENABLE_CONNECT_PROTOCOL) and v > 1:
            raise ValueError("setting 0x%x must be 0 or 1" % k)
    self._send_settings(changes, now)


def start_graceful_shutdown(self):
    # Two-phase shutdown (RFC 9113 §6.8): GOAWAY(2**31-1, NO_ERROR) and a PING; the
    # final GOAWAY with the real last stream id goes out when the PING ACK arrives.
    self._check()
    self._out.append(goaway_pack(MAX_STREAM_ID, NO_ERROR))
    self.goaway_sent = MAX_STREAM_ID
    self.state = CONN_CLOSING
    self._gs_ping = b"mhttp-gs"
    self._out.append(ping_pack(self._gs_ping))


def push_stream(self, stream_id, request_headers):
    # Server push (RFC 9113 §8.4): PUSH_PROMISE on stream_id; returns the promised
    # (even) stream id, reserved (local); answer it with send_headers/send_data.
    self._check()
    if self.client:
        raise ProtocolError("only a server can push")
    if self.remote_settings[SETTINGS_ENABLE_PUSH] == 0:
        raise ProtocolError("the client disabled push (SETTINGS_ENABLE_PUSH=0)")
    if self.goaway_received is not None:
        raise ProtocolError("no push after GOAWAY")
    parent = self._streams.get(stream_id)
    if parent is None:
        raise _bad_transition(self._state_of(stream_id), SEND_PUSH_PROMISE, stream_id)
    self._trans(parent, SEND_PUSH_PROMISE)
    pid = self.get_next_available_stream_id()
    l = request_headers._l if isinstance(request_headers, Headers) else request_headers
    st = self._new_stream(pid, ST_IDLE)
    self._trans(st, SEND_PROMISED)
    st.hin = 2
    self._high_out = pid
    self._next_id = pid + 2
    self._emit_block(FRAME_PUSH_PROMISE, stream_id, self._encoder.encode(l), 0,
                     _pack(">L", pid))
    return pid


def send_priority_update(self, stream_id, field_value):
    # Client: RFC 9218 PRIORITY_UPDATE, e.g. field_value=b"u=1, i".
    from mhttp.h2_frames import priority_update_pack
    self._out.append(priority_update_pack(stream_id, field_value))


def r_push_promise(self, fl, sid, p):
    if not self.client:
        raise H2ConnectionError(PROTOCOL_ERROR, "a server MUST treat PUSH_PROMISE as "
                                "PROTOCOL_ERROR (RFC 9113 §8.4)")
    if self.local_settings[SETTINGS_ENABLE_PUSH] == 0 or _push_never_enabled(self):
        raise H2ConnectionError(PROTOCOL_ERROR, "PUSH_PROMISE with SETTINGS_ENABLE_PUSH=0 "
                                "MUST be PROTOCOL_ERROR (RFC 9113 §6.6)")
    if sid == 0:
        raise H2ConnectionError(PROTOCOL_ERROR, "PUSH_PROMISE on stream 0")
    promised, frag = push_promise_unpack(fl, p)
    if fl & FLAG_END_HEADERS:
        self._header_block(FRAME_PUSH_PROMISE, sid, fl, frag, None, promised)
    else:
        start_block(self, FRAME_PUSH_PROMISE, sid, fl, frag, None, promised)


def _push_never_enabled(self):
    # True when no SETTINGS ACK came yet and our first SETTINGS (sent before any stream
    # of ours) said SETTINGS_ENABLE_PUSH=0, and none since said 1: the peer read that
    # before the request it would push on, so a PUSH_PROMISE is its error without the
    # ACK (a peer that never acknowledges would otherwise push unbounded).
    from mhttp.h2 import _DEFAULTS
    if self.local_settings != _DEFAULTS or self.advertised_settings[SETTINGS_ENABLE_PUSH]:
        return False
    if (self._initial_settings or {}).get(SETTINGS_ENABLE_PUSH, 1):
        return False
    for c in self._pending_settings:
        if c[0].get(SETTINGS_ENABLE_PUSH):
            return False
    return True


def recv_push_promise(self, sid, promised, fields):
    if promised & 1 or promised <= self._high_in:
        raise H2ConnectionError(PROTOCOL_ERROR, "promised stream id %d must be even and new "
                                "(RFC 9113 §6.6)" % promised)
    parent = self._streams.get(sid)
    if parent is None:
        self._check_absent(sid, RECV_PUSH_PROMISE)
    else:
        self._trans(parent, RECV_PUSH_PROMISE)
    self._high_in = promised
    st = self._new_stream(promised, ST_IDLE)
    self._trans(st, RECV_PROMISED)
    if parent is None:
        # the parent was reset by us: refuse the promise
        raise H2StreamError(CANCEL, "push on reset stream %d" % sid, promised)
    if fields is None:
        raise H2StreamError(ENHANCE_YOUR_CALM, "pushed request header list too large",
                            promised)
    if self.validate:
        self._check_request(fields, st, True)
    if self.advertised_settings[SETTINGS_ENABLE_PUSH] == 0:
        # push turned off by a SETTINGS not acknowledged yet: refused, not kept
        raise H2StreamError(REFUSED_STREAM, "push disabled (SETTINGS_ENABLE_PUSH=0)", promised)
    self._ev.append((EV_PUSH_PROMISE, sid, promised, Headers._trusted(fields)))


def r_priority(self, fl, sid, p):
    if sid == 0:
        raise H2ConnectionError(PROTOCOL_ERROR, "PRIORITY on stream 0 MUST be PROTOCOL_ERROR")
    check_size(FRAME_PRIORITY, fl, len(p), sid)
    self._flood(_FC_PRIO, self.max_priority_flood, "PRIORITY")
    dep, w, ex = priority_unpack(p)
    if dep == sid:
        raise H2StreamError(PROTOCOL_ERROR, "stream %d depends on itself" % sid, sid)
    self._ev.append((EV_PRIORITY, sid, dep, w, ex))


def r_priority_update(self, fl, sid, p):
    # RFC 9218 §7.1
    if sid != 0 or self.client:
        raise H2ConnectionError(PROTOCOL_ERROR, "PRIORITY_UPDATE must be sent by a client on "
                                "stream 0 (RFC 9218 §7.1)")
    psid, value = priority_update_unpack(p)
    if psid == 0:
        raise H2ConnectionError(PROTOCOL_ERROR, "PRIORITY_UPDATE for stream 0")
    self._flood(_FC_PRIO, self.max_priority_flood, "PRIORITY_UPDATE")
    self._ev.append((EV_PRIORITY_UPDATE, psid, value))


def stream_error(self, e):
    # Our answer to a stream error: RST_STREAM, and the stream is closed (reset by us).
    sid = e.stream_id
    st = self._streams.get(sid)
    if st is not None and not self.client and st.hin == 0 and \
            getattr(e, "h431", None) is not None:
        # A request head over our SETTINGS_MAX_HEADER_LIST_SIZE, its block decoded all
        # the same (the HPACK state stays in step; the decoder kept no field past the
        # limit, so an HPACK bomb costs nothing): RFC 9113 §10.5.1, "a server that
        # receives a larger header section than it is willing to handle can send an
        # HTTP 431 (Request Header Fields Too Large) status code".  The answer ends our
        # side; a request still open is then asked to stop without error (RST_STREAM
        # NO_ERROR, §8.1).  The application never sees the stream; the connection goes
        # on.  It counts as a reset (the rapid-reset limit): each one made us decode a
        # whole block for nothing.
        self.send_headers(sid, [(b":status", b"431"), (b"content-length", b"0")], True)
        if e.h431:
            self._trans(st, RECV_END_STREAM)
        else:
            self._trans(st, SEND_RST_STREAM)
            self._out.append(rst_stream_pack(sid, NO_ERROR))
        count_reset(self)
        return
    if st is not None:
        self._trans(st, SEND_RST_STREAM)
    elif sid not in self._closed and -sid not in self._closed:
        if self._state_of(sid) == ST_IDLE:
            # a bad PRIORITY on an idle stream: RST_STREAM MUST NOT be sent for an idle
            # stream (RFC 9113 §6.4); a connection error instead (§5.4.1), as nghttp2 does
            raise H2ConnectionError(e.code, e.message)
        self._remember(sid, ST_RESET_LOCAL)
    self._out.append(rst_stream_pack(sid, e.code))
    self._ev.append((EV_STREAM_RESET, sid, e.code, False))
    if not self.client:
        count_reset(self)


def count_reset(self):
    # CVE-2023-44487 (rapid reset) and its variant where the peer makes us reset.
    f = self._fc
    f[_FC_RR_RESETS] += 1
    if f[_FC_RR_RESETS] > self.max_rapid_resets:
        raise H2ConnectionError(ENHANCE_YOUR_CALM, "%d streams reset within %d streams: "
                                "rapid reset" % (f[_FC_RR_RESETS], self.rapid_reset_window))


def connection_error(self, e):
    last = self._high_in
    dbg = e.message
    if isinstance(dbg, str):
        dbg = dbg.encode()
    dbg = dbg[:256]
    self._out.append(goaway_pack(last, e.code, dbg))
    self.goaway_sent = last
    self.state = CONN_CLOSED
    self._cont = None
    self._ev.append((EV_CONNECTION_TERMINATED, e.code, last, dbg))


def _block_cap(self):
    # Octets of one header block buffered at most before END_HEADERS (the CONTINUATION
    # flood limit).  A client also stops at its advertised SETTINGS_MAX_HEADER_LIST_SIZE:
    # a block that large decodes to a larger list anyway (each field costs 32 octets more
    # than its name and value), so a response head over it is refused as it comes, not
    # buffered whole first (a board's heap: MemoryError).  A connection error: HPACK
    # state cannot go on without the block (RFC 9113 §4.3).
    n = self.max_header_block_bytes
    if self.client:
        m = self.advertised_settings[SETTINGS_MAX_HEADER_LIST_SIZE]
        if m < n:
            n = m
    return n


def start_block(self, kind, sid, fl, frag, prio, promised):
    n = _block_cap(self)
    if len(frag) > n:
        raise H2ConnectionError(ENHANCE_YOUR_CALM, "header block over %d octets" % n)
    self._cont = [kind, sid, fl, [frag], len(frag), 0, prio, promised]


def r_continuation(self, fl, sid, p):
    c = self._cont
    if c is None:
        raise H2ConnectionError(PROTOCOL_ERROR, "CONTINUATION without a preceding HEADERS or "
                                "PUSH_PROMISE MUST be PROTOCOL_ERROR (§6.10)")
    if sid != c[1]:
        raise H2ConnectionError(PROTOCOL_ERROR, "CONTINUATION on stream %d inside the header "
                                "block of stream %d (§6.10)" % (sid, c[1]))
    c[5] += 1
    c[4] += len(p)
    if c[5] > self.max_continuations:
        raise H2ConnectionError(ENHANCE_YOUR_CALM, "more than %d CONTINUATION frames in one "
                                "header block" % self.max_continuations)
    n = _block_cap(self)
    if c[4] > n:
        raise H2ConnectionError(ENHANCE_YOUR_CALM, "header block over %d octets" % n)
    if not fl & FLAG_END_HEADERS:
        if not p:
            self._flood(_FC_EMPTY, self.max_empty_frames, "empty CONTINUATION")
        c[3].append(p)
        return
    c[3].append(p)
    self._cont = None
    self._header_block(c[0], sid, c[2], b"".join(c[3]), c[6], c[7])


def blocked_streams(self):
    # [(stream_id, since)] for streams whose last send_data was cut short by a window
    # that is still exhausted; `since` is the `now` given to that send_data (0 if none).
    # The driver resets the ones stalled for too long.
    r = []
    cw = self.out_window
    for sid in self._streams:
        st = self._streams[sid]
        if st.blocked_since is not None and (st.out_window <= 0 or cw <= 0):
            r.append((sid, st.blocked_since))
    r.sort()
    return r


# -- H2Protocol methods and frame receivers moved out of mhttp.h2 ---------------------

def _ack_pending_since(self):
    # The `now` given when the oldest unacknowledged SETTINGS was sent (0 if no `now`
    # was given), or None when every SETTINGS we sent has been acknowledged.
    if self._pending_settings:
        return self._pending_settings[0][1]
    return None


def _state_of(self, sid):
    # State of a stream with no _Stream object: closed (remembered), idle, forgotten.
    # (_closed: id for a stream closed, -id for one we reset: see H2Protocol._remember)
    if sid in self._closed:
        return ST_CLOSED
    if -sid in self._closed:
        return ST_RESET_LOCAL
    if (sid & 1) == (1 if self.client else 0):
        return ST_IDLE if sid > self._high_out else ST_FORGOTTEN
    return ST_IDLE if sid > self._high_in else ST_FORGOTTEN


def _check_absent(self, sid, inp):
    # Validates inp on a stream without a _Stream object; raises, or returns (the
    # frame is tolerated and otherwise ignored).
    s = self._state_of(sid)
    if _TRANSITIONS[s * 16 + inp] == 45:    # "-"
        raise _bad_transition(s, inp, sid)


def r_rst_stream(self, fl, sid, p):
    if sid == 0:
        raise H2ConnectionError(PROTOCOL_ERROR, "RST_STREAM on stream 0 MUST be PROTOCOL_ERROR")
    code = rst_stream_unpack(p)
    st = self._streams.get(sid)
    if st is None:
        self._check_absent(sid, RECV_RST_STREAM)
        self._flood(_FC_WU, self.max_window_update_flood, "RST_STREAM on closed streams")
        return
    early = not self.client and st.hout == 0 and not (sid & 1 == 0)
    self._trans(st, RECV_RST_STREAM)
    self._ev.append((EV_STREAM_RESET, sid, code, True))
    if early:
        count_reset(self)


def r_ping(self, fl, sid, p):
    if sid != 0:
        raise H2ConnectionError(PROTOCOL_ERROR, "PING on stream %d MUST be PROTOCOL_ERROR" % sid)
    check_size(FRAME_PING, fl, len(p), 0)
    if fl & FLAG_ACK:
        self._ev.append((EV_PING_ACKED, p))
        if self._gs_ping is not None and p == self._gs_ping:
            self._gs_ping = None
            self.close_connection(NO_ERROR)
        return
    self._flood(_FC_PING, self.max_ping_flood, "PING")
    self._out.append(ping_pack(p, True))
    self._ev.append((EV_PING_RECEIVED, p))


def _open_outbound(self):
    return self._open_out


def _open_inbound(self):
    return self._open_in


def stream_state(self, stream_id):
    st = self._streams.get(stream_id)
    if st is not None:
        return st.state
    return self._state_of(stream_id)


def local_flow_control_window(self, stream_id):
    # How many DATA octets send_data would accept right now on this stream.
    st = self._streams.get(stream_id)
    if st is None:
        raise _bad_transition(self._state_of(stream_id), SEND_DATA, stream_id)
    w = st.out_window
    return w if w < self.out_window else self.out_window


def _send_data_slow(self, st, data, end_stream, now, pad, w):
    n = len(data)
    if st.no_body and not self.client:
        # a server's response without content (to HEAD, a 204 or 304: RFC 9110 §9.3.2,
        # §15.4.5; RFC 9113 §8.1.1): the bytes are dropped, as mhttp.h1 does, and
        # END_STREAM still goes out (an empty DATA frame)
        if end_stream:
            self._out.append(header_pack(0, FRAME_DATA, FLAG_END_STREAM, st.id))
            self._trans(st, SEND_END_STREAM)
        return n
    o = st.oleft
    if o >= 0 and (n > o or (end_stream and n != o)):
        raise misuse(3 if n > o else 2, (n, o) if n > o else (o - n,))
    mx = self._out_max_frame
    sid = st.id
    per = mx - (pad + 1 if pad else 0)
    sent = 0
    out = self._out
    while sent < n:
        room = w - (pad + 1 if pad else 0)
        if room <= 0:
            break
        take = n - sent
        if take > per:
            take = per
        if take > room:
            take = room
        chunk = bytes(data[sent:sent + take])
        sent += take
        last = end_stream and sent == n
        fl = FLAG_END_STREAM if last else 0
        if pad:
            out.append(header_pack(take + pad + 1, FRAME_DATA, fl | FLAG_PADDED, sid)
                       + bytes((pad,)) + chunk + bytes(pad))
            cost = take + pad + 1
        else:
            out.append(header_pack(take, FRAME_DATA, fl, sid) + chunk)
            cost = take
        st.out_window -= cost
        self.out_window -= cost
        w -= cost
    if sent < n:
        if st.blocked_since is None:
            st.blocked_since = 0 if now is None else now
    else:
        st.blocked_since = None
        if end_stream:
            if n == 0:
                if pad:
                    out.append(header_pack(pad + 1, FRAME_DATA, FLAG_END_STREAM | FLAG_PADDED,
                                           sid) + bytes((pad,)) + bytes(pad))
                else:
                    out.append(header_pack(0, FRAME_DATA, FLAG_END_STREAM, sid))
            self._trans(st, SEND_END_STREAM)
    if o >= 0:
        st.oleft = o - sent
    if sent and self._fc[0]:
        self._progress()
    return sent


def _emit_block(self, ftype, id, data, flags, src=b""):
    # A header block over one frame: HEADERS (or PUSH_PROMISE) and CONTINUATION frames.
    mx = self._out_max_frame
    out = self._out
    if len(data) + len(src) <= mx:
        out.append(header_pack(len(data) + len(src), ftype, flags | FLAG_END_HEADERS, id)
                   + src + data)
        return
    first = mx - len(src)
    out.append(header_pack(mx, ftype, flags, id) + src + data[:first])
    i = first
    n = len(data)
    while i < n:
        chunk = data[i:i + mx]
        i += mx
        out.append(header_pack(len(chunk), FRAME_CONTINUATION,
                               FLAG_END_HEADERS if i >= n else 0, id) + chunk)


def end_stream(self, stream_id):
    # An empty DATA frame with END_STREAM.
    self.send_data(stream_id, b"", True)


def reset_stream(self, stream_id, code=CANCEL):
    # RST_STREAM(code); the stream is closed at once.  A no-op on a closed stream.
    self._check()
    st = self._streams.get(stream_id)
    if st is None:
        s = self._state_of(stream_id)
        if _TRANSITIONS[s * 16 + SEND_RST_STREAM] == 45:
            raise _bad_transition(s, SEND_RST_STREAM, stream_id)
        return
    self._trans(st, SEND_RST_STREAM)
    self._out.append(rst_stream_pack(stream_id, code))


def ping(self, data=b"\0" * 8):
    self._check()
    self._out.append(ping_pack(data))


settings_ack_pending_since = property(_ack_pending_since)
open_outbound_streams = property(_open_outbound)
open_inbound_streams = property(_open_inbound)

# Receivers of the frame types mhttp.h2's _HANDLERS leaves to this module.
RECEIVERS = {2: r_priority, 3: r_rst_stream, 5: r_push_promise, 6: r_ping, 9: r_continuation}


# -- mhttp.h2's error messages ------------------------------------------------------------
# mhttp.h2 raises _err(n, sid, args): message n of this table (error code, text), so the
# texts cost no RAM until the first error.  Each call site in mhttp.h2 quotes its text.
ERRORS = (
    (PROTOCOL_ERROR, 'SETTINGS_ENABLE_PUSH %d: any value other than 0 or 1 MUST be '
                     'PROTOCOL_ERROR'),  # 0
    (PROTOCOL_ERROR, 'a client MUST treat SETTINGS_ENABLE_PUSH=1 as PROTOCOL_ERROR (§6.5.2)'),  # 1
    (FLOW_CONTROL_ERROR, 'SETTINGS_INITIAL_WINDOW_SIZE above 2**31-1 MUST be '
                         'FLOW_CONTROL_ERROR (§6.5.2)'),  # 2
    (FLOW_CONTROL_ERROR, "SETTINGS_INITIAL_WINDOW_SIZE change makes stream %d's window "
                         "exceed 2**31-1"),  # 3
    (PROTOCOL_ERROR, 'SETTINGS_MAX_FRAME_SIZE %d outside 16384..16777215 MUST be '
                     'PROTOCOL_ERROR'),  # 4
    (PROTOCOL_ERROR, 'SETTINGS_ENABLE_CONNECT_PROTOCOL %d (RFC 8441 §3: 0 or 1, never back'
                     ' to 0)'),  # 5
    (PROTOCOL_ERROR, 'invalid connection preface'),  # 6
    (FRAME_SIZE_ERROR, 'frame length %d exceeds SETTINGS_MAX_FRAME_SIZE %d (RFC 9113 §4.2)'),  # 7
    (PROTOCOL_ERROR, 'the first frame MUST be SETTINGS (RFC 9113 §3.4)'),  # 8
    (PROTOCOL_ERROR, 'frame type %d inside a header block: only CONTINUATION may follow '
                     '(RFC 9113 §6.10)'),  # 9
    (ENHANCE_YOUR_CALM, '%s flood: %d frames without progress'),  # 10
    (PROTOCOL_ERROR, 'DATA on stream 0 MUST be PROTOCOL_ERROR (§6.1)'),  # 11
    (FLOW_CONTROL_ERROR, 'DATA of %d octets exceeds the connection window %d (RFC 9113 '
                         '§6.9)'),  # 12
    (FLOW_CONTROL_ERROR, "DATA of %d octets exceeds stream %d's window %d"),  # 13
    (PROTOCOL_ERROR, 'DATA before the HEADERS on stream %d (§8.1)'),  # 14
    (PROTOCOL_ERROR, 'content-length %d but %d DATA octets on stream %d (RFC 9113 §8.1.1)'),  # 15
    (PROTOCOL_ERROR, 'HEADERS on stream 0 MUST be PROTOCOL_ERROR'),  # 16
    (PROTOCOL_ERROR, 'client stream id %d is even (RFC 9113 §5.1.1)'),  # 17
    (REFUSED_STREAM, 'stream %d opened after GOAWAY'),  # 18
    (REFUSED_STREAM, 'stream %d exceeds SETTINGS_MAX_CONCURRENT_STREAMS %d (§5.1.2)'),  # 19
    (PROTOCOL_ERROR, 'HEADERS on idle stream %d (not opened by us) MUST be PROTOCOL_ERROR '
                     '(RFC 9113 §5.1.1)'),  # 20
    (PROTOCOL_ERROR, 'HEADERS on stream %d: stream ids MUST increase (RFC 9113 §5.1.1)'),  # 21
    (ENHANCE_YOUR_CALM, 'header list larger than SETTINGS_MAX_HEADER_LIST_SIZE %d on '
                        'stream %d'),  # 22
    (PROTOCOL_ERROR, 'stream %d depends on itself'),  # 23
    (PROTOCOL_ERROR, 'trailers without END_STREAM on stream %d (RFC 9113 §8.1)'),  # 24
    (PROTOCOL_ERROR, '1xx response with END_STREAM on stream %d (RFC 9113 §8.1)'),  # 25
    (PROTOCOL_ERROR, 'content-length %d but END_STREAM on the HEADERS of stream %d (RFC '
                     '9113 §8.1.1)'),  # 26
    (PROTOCOL_ERROR, 'field %r value starts or ends with whitespace (RFC 9113 §8.2.1)'),  # 27
    (PROTOCOL_ERROR, 'pseudo-header %r after a regular field MUST be malformed (RFC 9113 '
                     '§8.3)'),  # 28
    (PROTOCOL_ERROR, 'pseudo-header %r in trailers (§8.1)'),  # 29
    (PROTOCOL_ERROR, 'duplicated pseudo-header %r (§8.3)'),  # 30
    (PROTOCOL_ERROR, 'connection-specific field %r MUST be malformed (RFC 9113 §8.2.2)'),  # 31
    (PROTOCOL_ERROR, 'te other than "trailers" MUST be malformed (RFC 9113 §8.2.2)'),  # 32
    (PROTOCOL_ERROR, 'invalid content-length %r'),  # 33
    (PROTOCOL_ERROR, 'conflicting content-length values'),  # 34
    (PROTOCOL_ERROR, 'invalid field name %r (uppercase or a character RFC 9113 §8.2.1 '
                     'forbids)'),  # 35
    (PROTOCOL_ERROR, 'field value with NUL, CR or LF MUST be malformed (RFC 9113 §8.2.1)'),  # 36
    (PROTOCOL_ERROR, 'pseudo-header %r not allowed in a request (RFC 9113 §8.3)'),  # 37
    (PROTOCOL_ERROR, 'request without :method (§8.3.1)'),  # 38
    (PROTOCOL_ERROR, ':protocol without SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441 §4)'),  # 39
    (PROTOCOL_ERROR, ':protocol on a %r request (RFC 8441 §4)'),  # 40
    (PROTOCOL_ERROR, 'CONNECT MUST have :authority and no :scheme or :path (RFC 9113 §8.5)'),  # 41
    (PROTOCOL_ERROR, 'request without :scheme or :path MUST be malformed (RFC 9113 §8.3.1)'),  # 42
    (PROTOCOL_ERROR, ':path %r is not origin-form (§8.3.1)'),  # 43
    (PROTOCOL_ERROR, 'extended CONNECT without :authority'),  # 44
    (PROTOCOL_ERROR, 'pushed request must be a safe, cacheable method with :authority (RFC'
                     ' 9113 §8.4)'),  # 45
    (PROTOCOL_ERROR, 'host %r differs from :authority %r (RFC 9113 §8.3.1)'),  # 46
    (PROTOCOL_ERROR, 'a response needs exactly one pseudo-header, :status (RFC 9113 '
                     '§8.3.2)'),  # 47
    (PROTOCOL_ERROR, 'invalid :status %r'),  # 48
    (PROTOCOL_ERROR, '101 is not allowed in HTTP/2 (§8.6)'),  # 49
    (PROTOCOL_ERROR, 'SETTINGS on stream %d MUST be PROTOCOL_ERROR'),  # 50
    (PROTOCOL_ERROR, 'SETTINGS ACK without pending SETTINGS'),  # 51
    (PROTOCOL_ERROR, 'GOAWAY on stream %d MUST be PROTOCOL_ERROR'),  # 52
    (PROTOCOL_ERROR, 'GOAWAY last_stream_id went up (§6.8)'),  # 53
    (PROTOCOL_ERROR, 'WINDOW_UPDATE increment 0 MUST be PROTOCOL_ERROR (RFC 9113 §6.9)'),  # 54
    (FLOW_CONTROL_ERROR, 'connection window above 2**31-1 MUST be FLOW_CONTROL_ERROR (RFC '
                         '9113 §6.9.1)'),  # 55
    (FLOW_CONTROL_ERROR, 'stream %d window above 2**31-1 (§6.9.1)'),  # 56
    (PROTOCOL_ERROR, 'stream ids exhausted (RFC 9113 §5.1.1): open a new connection'),  # 57
    (PROTOCOL_ERROR, 'a server opens streams with push_stream'),  # 58
    (PROTOCOL_ERROR, 'stream id %d is not a new odd id above %d'),  # 59
    (REFUSED_STREAM, 'no new streams after GOAWAY (RFC 9113 §6.8)'),  # 60
    (REFUSED_STREAM, "peer's SETTINGS_MAX_CONCURRENT_STREAMS %d reached"),  # 61
    (PROTOCOL_ERROR, 'trailers must end the stream'),  # 62
    (PROTOCOL_ERROR, 'HEADERS on idle stream %d (stream id not increasing) MUST be '
                     'PROTOCOL_ERROR (RFC 9113 §5.1.1)'),  # 63
    (PROTOCOL_ERROR, 'more than one host field (RFC 9110 §7.2; RFC 9113 §8.3.1)'),  # 64
    (PROTOCOL_ERROR, 'DATA octets on stream %d, a response without content (to HEAD, a 204 '
                     'or 304: RFC 9113 §8.1.1)'),  # 65
    (PROTOCOL_ERROR, ':method %r is not a token (RFC 9113 §8.3.1, RFC 9110 §9.1)'),  # 66
    (PROTOCOL_ERROR, ':path %r holds a control character, space, DEL or non-ASCII octet '
                     '(RFC 9113 §8.3.1, RFC 3986 §3.3; mhttp.h1 refuses the same '
                     'request-target)'),  # 67
    (PROTOCOL_ERROR, 'extended CONNECT with END_STREAM: a tunnel that could carry nothing '
                     'from the client (RFC 8441 §4, RFC 9113 §8.5)'),  # 68
)


def err(n, sid, args):
    # mhttp.h2._err: the exception for message n of ERRORS.
    code, msg = ERRORS[n]
    h431 = None
    if n == 22:
        # the header list over our SETTINGS_MAX_HEADER_LIST_SIZE: its block's END_STREAM
        # flag comes third, for stream_error's 431 (a server's answer)
        h431 = args[2]
        args = args[:2]
    if args is not None:
        msg = msg % args
    if sid is None:
        return H2ConnectionError(code, msg)
    e = H2StreamError(code, msg, sid)
    if h431 is not None:
        e.h431 = h431
    return e


# The application's errors in what a server sends (mhttp.h2 send_headers / send_data):
# ProtocolError, raised before anything is queued; mhttp.h2_connection's handler then
# gets a 500, or the stream RST_STREAM(INTERNAL_ERROR) once its head went out.  The
# texts are mhttp.h1's for the same errors.
MISUSE = (
    "invalid characters (NUL, CR, LF) in the value of %r",  # 0
    "invalid content-length %r",  # 1
    "body ended %d bytes short of the content-length",  # 2
    "%d body bytes exceed the content-length (%d left)",  # 3
)


def misuse(n, args):
    # mhttp.h2's ProtocolError for message n of MISUSE.
    return ProtocolError(MISUSE[n] % args)


# mhttp.h2 reaches these through F[_RF_*] (its const() indexes, same order): one interned
# name on a board's plain path instead of one per function.
F = (err, bad_transition, RECEIVERS, r_priority_update, stream_error, connection_error,
     start_block, recv_push_promise, _state_of, _check_absent, _send_data_slow, misuse)
