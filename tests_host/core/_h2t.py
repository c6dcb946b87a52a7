# Helpers for the portable HTTP/2 core tests: raw-frame peers around one H2Protocol.
from mhttp.h2 import H2Protocol, EV_HEADERS, EV_DATA, EV_STREAM_RESET, EV_CONNECTION_TERMINATED
from mhttp.h2_frames import (PREFACE, parse_frame, settings_pack, headers_pack, data_pack,
                             FRAME_HEADERS, FRAME_DATA, FRAME_GOAWAY, FRAME_RST_STREAM,
                             goaway_unpack, rst_stream_unpack, headers_unpack)
from mhttp.hpack import Encoder, Decoder

REQ = [(b":method", b"GET"), (b":scheme", b"http"), (b":path", b"/"),
       (b":authority", b"example.com"), (b"user-agent", b"t")]
RESP = [(b":status", b"200"), (b"content-type", b"text/plain")]


def no_oom(evs):
    # The core ends a connection with GOAWAY(INTERNAL_ERROR, "internal error: MemoryError(..)")
    # when it runs out of heap inside receive_data (an exhausted heap must not take the
    # driver down).  A test meeting that outcome reports it as the MemoryError it is (a
    # board's heap: tests_device/test_on_boards.py HOST_SIZED), not as a protocol verdict.
    for e in evs:
        if e[0] == EV_CONNECTION_TERMINATED and e[1] == 2 and b"MemoryError" in e[3]:
            raise MemoryError(bytes(e[3]).decode())
    return evs


def frames(data):
    # Every frame in data as (type, flags, stream_id, payload); asserts nothing is left.
    out = []
    pos = 0
    while pos < len(data):
        r = parse_frame(data, pos, 1 << 24)
        assert r is not None, "truncated frame at %d" % pos
        out.append(r[:4])
        pos = r[4]
    return out


def F_headers_block(f):
    # The field block of a complete HEADERS frame (END_HEADERS set).
    assert f[1] & 0x4, "HEADERS without END_HEADERS in a test peer"
    return headers_unpack(f[1], f[3])[0]


def kinds(fs):
    return [f[0] for f in fs]


def goaway_of(fs):
    # (last_stream_id, code) of the GOAWAY in fs, or None.
    for f in fs:
        if f[0] == FRAME_GOAWAY:
            return goaway_unpack(f[3])[:2]
    return None


def rst_of(fs):
    # [(stream_id, code)] of the RST_STREAM frames in fs.
    return [(f[2], rst_stream_unpack(f[3])) for f in fs if f[0] == FRAME_RST_STREAM]


def evtypes(evs):
    return [e[0] for e in evs]


class RawClient:
    # Drives an H2Protocol server with hand-made frames.
    def __init__(self, settings=None, **kw):
        self.s = H2Protocol(client=False, settings=settings, **kw)
        self.s.initiate_connection()
        self.enc = Encoder()
        self.dec = Decoder()
        self.s.receive_data(PREFACE + settings_pack([]))
        self.s.receive_data(settings_pack(ack=True))
        self.drain()

    def send(self, *fs):
        return no_oom(self.s.receive_data(b"".join(fs)))

    def drain(self):
        # Frames the server sent; HEADERS blocks are decoded (self.decoded) to keep our
        # HPACK decoder in step.
        fs = frames(self.s.data_to_send())
        self.decoded = [(f[2], self.dec.decode_fields(F_headers_block(f))) for f in fs
                        if f[0] == FRAME_HEADERS]
        return fs

    def headers(self, sid, hdrs=REQ, end_stream=True, **kw):
        return headers_pack(sid, self.enc.encode(hdrs), end_stream, **kw)

    def block(self, hdrs=REQ):
        return self.enc.encode(hdrs)

    def roundtrip(self, sid, body=b""):
        # A complete request on sid that the server answers: proves the connection works.
        evs = self.send(self.headers(sid, REQ, not body) + (data_pack(sid, body, True) if body else b""))
        assert evs and evs[0][0] == EV_HEADERS and evs[0][1] == sid, evs
        self.s.send_headers(sid, RESP)
        self.s.send_data(sid, b"ok", True)
        fs = self.drain()
        hs = [f for f in fs if f[0] == FRAME_HEADERS and f[2] == sid]
        ds = [f for f in fs if f[0] == FRAME_DATA and f[2] == sid]
        assert hs and ds and ds[-1][3] == b"ok", fs
        resp = [d[1] for d in self.decoded if d[0] == sid][0]
        assert resp[0][:2] == (b":status", b"200")
        return evs


class RawServer:
    # Drives an H2Protocol client with hand-made frames.
    def __init__(self, settings=None, **kw):
        self.c = H2Protocol(client=True, settings=settings, **kw)
        self.c.initiate_connection()
        self.enc = Encoder()
        self.dec = Decoder()
        sent = self.c.data_to_send()
        assert sent[:24] == PREFACE
        self.c.receive_data(settings_pack([]) + settings_pack(ack=True))
        self.drain()

    def send(self, *fs):
        return no_oom(self.c.receive_data(b"".join(fs)))

    def drain(self):
        fs = frames(self.c.data_to_send())
        self.decoded = [(f[2], self.dec.decode_fields(F_headers_block(f))) for f in fs
                        if f[0] == FRAME_HEADERS]
        return fs

    def headers(self, sid, hdrs=RESP, end_stream=True, **kw):
        return headers_pack(sid, self.enc.encode(hdrs), end_stream, **kw)

    def request(self, hdrs=REQ, end_stream=True):
        sid = self.c.get_next_available_stream_id()
        self.c.send_headers(sid, hdrs, end_stream)
        fs = self.drain()
        assert [f[2] for f in fs if f[0] == FRAME_HEADERS] == [sid], fs
        return sid

    def roundtrip(self):
        sid = self.request()
        evs = self.send(self.headers(sid, RESP, False), data_pack(sid, b"ok", True))
        assert [e[0] for e in evs] == [EV_HEADERS, EV_DATA], evs
        assert evs[1][2] == b"ok" and evs[1][4] is True
        return sid


def pair(client_settings=None, server_settings=None, **kw):
    # A client and a server joined in memory, SETTINGS exchanged and acknowledged.
    c = H2Protocol(client=True, settings=client_settings, **kw)
    s = H2Protocol(client=False, settings=server_settings, **kw)
    c.initiate_connection()
    s.initiate_connection()
    s.receive_data(c.data_to_send())
    c.receive_data(s.data_to_send())
    s.receive_data(c.data_to_send())
    assert c.settings_ack_pending_since is None and s.settings_ack_pending_since is None
    return c, s


def pump(a, b):
    # Moves bytes a -> b and returns b's events.
    return no_oom(b.receive_data(a.data_to_send()))
