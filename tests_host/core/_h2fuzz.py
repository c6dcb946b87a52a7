# A coverage-less mutation fuzzer for HPACK (mhttp.hpack) and the HTTP/2 core (mhttp.h2),
# portable: the same engine runs under pytest on CPython (tests_host/test_hpack_fuzz.py and
# tests_host/test_h2_fuzz.py: ~25 s, longer with MHTTP_FUZZ_SECONDS) and on MicroPython
# (tests_host/core/test_h2_fuzz_small.py: a small iteration count).  Same shape as the h1
# fuzzer (_h1fuzz.py).
#
# HPACK: blocks (the hpack-test-case story excerpts, our encoder's output) mutated (bit
# flips, truncation, splices, random integers, random Huffman strings, size updates in odd
# places, overlong integers) or random bytes, decoded by a fresh Decoder at several
# max_table_size values, and by one Decoder through a mutated sequence of blocks.  Checks:
#   - the outcome is a header list or mhttp.errors.CompressionError (HeaderListTooLarge
#     included), nothing else (MemoryError is re-raised: a board's heap, not an escape);
#   - the list is bytes pairs within max_header_list_size (RFC 7541 §4.1 sizes);
#   - the dynamic table stays within its maximum and its limit, its size the sum of its
#     entries;
#   - where both Huffman coders are available (CPython), the board's bit-wise path and the
#     CPython fast path give the same outcome.
# Round trip: random header lists (any octets in values, never_index, table size changes
# between blocks) through Encoder then Decoder come back identical.
#
# HTTP/2: valid client sessions (preface, SETTINGS, HEADERS / CONTINUATION / DATA /
# trailers / PING / WINDOW_UPDATE / RST_STREAM / PRIORITY / GOAWAY) and server sessions
# mutated at frame level (lengths, types, flags, stream ids, padding, SETTINGS values,
# window increments, order, floods) and byte level, fed to an H2Protocol (server, or client
# with three requests sent) whole and split, at times after our own SETTINGS changed
# (update_settings, in effect at a second ACK).  Checks:
#   - receive_data never raises; a connection error is never INTERNAL_ERROR (the core's
#     wrapper for an exception of its own: a bug), it queues a GOAWAY with the event's
#     code, and the protocol then ignores input;
#   - a stream error queues RST_STREAM(stream, code) and the connection goes on;
#   - what the core holds stays bounded: unparsed input (one frame), streams (SETTINGS_
#     MAX_CONCURRENT_STREAMS), remembered closed ids, a pending header block;
#   - the stream table agrees with the open-stream counters and the closed ids (no stream
#     both open and closed); windows stay within 2**31-1 while the connection is open;
#   - what comes out (events and bytes) does not depend on how the input was split;
#   - every frame the core queues parses back (our own output is well formed);
#   - once more with the application answering: if the session left the connection open,
#     a fresh request (server) or a new stream (client) is still served.
from mhttp import hpack
from mhttp.hpack import Encoder, Decoder
from mhttp.errors import CompressionError
from mhttp.h2 import H2Protocol
from mhttp.h2_frames import (PREFACE, parse_frame, settings_pack, headers_pack, data_pack,
                             continuation_pack, ping_pack, window_update_pack,
                             rst_stream_pack, priority_pack, goaway_pack,
                             push_promise_pack, goaway_unpack, rst_stream_unpack)

# event numbers (mhttp.h2.EV_*), as literals: one import less on a board
EV_HEADERS = 1
EV_DATA = 2
EV_STREAM_RESET = 4
EV_CONNECTION_TERMINATED = 14
INTERNAL_ERROR = 2


from _rng import Rng  # noqa: E402,F401 (F.Rng for the tests)


def put_int(v, n, flags):
    # RFC 7541 §5.1 integer of prefix n bits.
    out = bytearray()
    m = (1 << n) - 1
    if v < m:
        out.append(flags | v)
        return bytes(out)
    out.append(flags | m)
    v -= m
    while v >= 128:
        out.append((v & 127) | 128)
        v >>= 7
    out.append(v)
    return bytes(out)


# -- HPACK -------------------------------------------------------------------------------

HEADER_LISTS = [
    [(b":method", b"GET"), (b":scheme", b"https"), (b":path", b"/"),
     (b":authority", b"example.com"), (b"user-agent", b"mhttp-fuzz/1")],
    [(b":status", b"200"), (b"content-type", b"text/html; charset=utf-8"),
     (b"content-length", b"1234"), (b"cache-control", b"max-age=0"),
     (b"set-cookie", b"a=b; Path=/; HttpOnly", True)],
    [(b":method", b"POST"), (b":scheme", b"http"), (b":path", b"/upload?x=1&y=%20"),
     (b":authority", b"127.0.0.1:8080"), (b"content-type", b"application/json"),
     (b"authorization", b"Bearer abcdef0123456789", True), (b"x-custom", b"\x00\x7f\xff\xfe")],
    [(b"x-long", b"v" * 300), (b"cookie", b"a=1"), (b"cookie", b"b=2"), (b"", b""),
     (b"etag", b'"abc"')],
]

_SIZES = (0, 1, 31, 32, 100, 255, 4095, 4096, 4097, 16384, 65536, 1 << 28, (1 << 28) + 1,
          (1 << 31) - 1)
_INDEXES = (0, 1, 2, 7, 15, 16, 61, 62, 63, 64, 70, 126, 127, 128, 1000, 1 << 20, 1 << 28)


def hpack_seeds(with_stories=True):
    # A list of sequences of blocks (each sequence: one decoder's story).
    seqs = []
    if with_stories:
        import _hpack_stories as S
        for story in (S.NGHTTP2_29, S.NGHTTP2_CTS_05):
            seqs.append([_unhex(c[1]) for c in story[:4]])
    for ts in (0, 256, 4096):
        e = Encoder()
        if ts != 4096:
            e.table_size = ts
        seqs.append([e.encode(h) for h in HEADER_LISTS])
    e = Encoder(huffman=False)
    seqs.append([e.encode(h) for h in HEADER_LISTS[:3]])
    return seqs


def _unhex(s):
    return bytes([int(s[i:i + 2], 16) for i in range(0, len(s), 2)])


def mutate_block(rng, data, others):
    # One to three random mutations of an HPACK block; others: blocks to splice with.
    for _ in range(1 + rng.below(3)):
        n = len(data)
        k = rng.below(14)
        pos = rng.below(n + 1)
        if k == 0 and n:
            data = rng.flip_bit(data)
        elif k == 1 and n:
            data = rng.replace_byte(data)
        elif k == 2:                           # truncate
            data = data[:pos]
        elif k == 3 and n:                     # delete a range
            data = data[:pos] + data[pos + 1 + rng.below(8):]
        elif k == 4:                           # splice with another block
            o = rng.pick(others)
            data = data[:pos] + o[rng.below(len(o) + 1):]
        elif k == 5:                           # an indexed field, any index
            data = data[:pos] + put_int(rng.pick(_INDEXES), 7, 0x80) + data[pos:]
        elif k == 6:                           # a literal: name index, string lengths
            kind = rng.pick((0x40, 0x00, 0x10))
            bits = 6 if kind == 0x40 else 4
            lit = put_int(rng.pick(_INDEXES) if rng.below(2) else 0, bits, kind)
            if lit[-1] == kind:                # new name
                lit += _string(rng)
            data = data[:pos] + lit + _string(rng) + data[pos:]
        elif k == 7:                           # a size update in an odd place
            data = data[:pos] + put_int(rng.pick(_SIZES), 5, 0x20) + data[pos:]
        elif k == 8:                           # an overlong integer (continuation octets)
            c = 1 + rng.below(8)
            data = data[:pos] + bytes([rng.pick((0xff, 0x7f, 0x3f, 0x1f, 0x0f))]) \
                + b"\x80" * c + bytes([rng.below(128)]) + data[pos:]
        elif k == 9:                           # repeat a piece (bombs, limits)
            piece = data[pos:pos + 1 + rng.below(6)] or b"\xbe"
            data = data[:pos] + piece * (1 + rng.below(200)) + data[pos:]
        elif k == 10:                          # a random Huffman-flagged string
            data = data[:pos] + b"\x00" + _string(rng, True) + _string(rng, True) + data[pos:]
        elif k == 11:                          # the block twice
            data = data + data
        elif k == 12:                          # random bytes
            data = data[:pos] + rng.bytes(1 + rng.below(16)) + data[pos:]
        else:                                  # the length of a string literal changed
            i = rng.below(n) if n else 0
            data = data[:i] + bytes((rng.pick((0x00, 0x7f, 0x80, 0xff, 0x81, 0x01)),)) + data[i:]
    return data


def _string(rng, huff=None):
    # A string literal: random length (at times past the data), plain or Huffman-flagged,
    # random octets, all-ones (EOS-like) or a valid Huffman string.
    k = rng.below(6)
    if huff is None:
        huff = rng.below(2) == 1
    if k == 0:
        body = b"\xff" * (1 + rng.below(6))              # EOS / padding runs
    elif k == 1:
        body = hpack.huffman_encode(rng.bytes(rng.below(12)))
        if not huff:
            huff = True
    elif k == 2:
        return put_int(rng.pick((50, 127, 128, 1000, 1 << 21)), 7, 0x80 if huff else 0) \
            + rng.bytes(rng.below(8))
    else:
        body = rng.bytes(rng.below(20))
    return put_int(len(body), 7, 0x80 if huff else 0) + body


def table_ok(d):
    # The decoder's table within its bounds and in step with its size (above a lowered
    # limit only until the compulsory size update).
    s = 0
    for e in d._ents:
        s += len(e[0]) + len(e[1]) + 32
    if s != d.size or d.size > d._max or (d._max > d._limit and not d._need_update):
        raise AssertionError("table size %d (entries %d) max %d limit %d"
                             % (d.size, s, d._max, d._limit))


def decode_one(d, data):
    # ("L", [(name, value, never_index)]) or ("E", exception class name).
    try:
        r = d.decode_fields(data)
    except CompressionError as e:
        table_ok(d)
        return ("E", e.__class__.__name__)
    except MemoryError:
        raise
    except Exception as e:
        raise AssertionError("%r (not CompressionError) from block %r table %d/%d"
                             % (e, data[:300], d._max, d._limit))
    table_ok(d)
    total = 0
    for f in r:
        if f[0].__class__ is not bytes or f[1].__class__ is not bytes:
            raise AssertionError("field %r is not bytes, block %r" % (f, data[:300]))
        total += len(f[0]) + len(f[1]) + 32
    if total > d.max_header_list_size:
        raise AssertionError("decoded list of %d octets over max_header_list_size %d, "
                             "block %r" % (total, d.max_header_list_size, data[:300]))
    return ("L", [(f[0], f[1], f[2]) for f in r])


TABLE_SIZES = (0, 64, 256, 4096)
LIST_LIMIT = 2048


def decode_seq(blocks, ts, limit=LIST_LIMIT):
    # One decoder (table limit ts) through blocks, stopping at the first connection-level
    # error (HeaderListTooLarge leaves the decoder usable, as in HTTP/2).
    d = Decoder(ts, limit)
    out = []
    for b in blocks:
        if b.__class__ is int:
            # SETTINGS_HEADER_TABLE_SIZE acknowledged between blocks: a lower one makes a
            # size update compulsory at the start of the next block (RFC 7541 §4.2)
            d.max_table_size = b
            out.append(("S", b))
            continue
        o = decode_one(d, b)
        out.append(o)
        if o[0] == "E" and o[1] != "HeaderListTooLarge":
            break
    return out


def _both_paths(blocks, ts):
    # The outcome on this runtime's Huffman path; on CPython also the board's bit-wise
    # path, which must agree.
    a = decode_seq(blocks, ts)
    if not BOTH_PATHS:
        return a
    big = hpack._BIG
    hpack._BIG = False
    hpack._dec_cache.clear()
    try:
        b = decode_seq(blocks, ts)
    finally:
        hpack._BIG = big
        hpack._dec_cache.clear()
    if a != b:
        raise AssertionError("Huffman paths disagree on %r table %d:\nfast %r\nboard %r"
                             % (blocks, ts, a, b))
    return a


BOTH_PATHS = hpack._BIG


def check_hpack(rng, blocks):
    # blocks: one decoder's sequence.  Each table size, fresh decoders, then the last
    # block alone.  Returns the outcome at table size 4096.
    ref = None
    for ts in TABLE_SIZES:
        o = _both_paths(blocks, ts)
        if ts == 4096:
            ref = o
    _both_paths(blocks[-1:], rng.pick(TABLE_SIZES))
    return ref


def fuzz_hpack(seed, iterations, seqs=None):
    # Mutated sequences (one block of a sequence mutated, or several) and random bytes.
    # Returns the number of sequences checked.
    rng = Rng(seed)
    seqs = seqs or hpack_seeds()
    others = [b for s in seqs for b in s]
    n = 0
    for _ in range(iterations):
        k = rng.below(10)
        if k == 0:
            blocks = [rng.bytes(rng.below(40))]
        else:
            s = list(rng.pick(seqs))
            for _ in range(1 + rng.below(2)):
                i = rng.below(len(s))
                s[i] = mutate_block(rng, s[i], others)
            if rng.below(4) == 0:       # the decoder's limit changes between blocks
                j = rng.below(len(s)) + 1
                s.insert(j, rng.pick((0, 32, 100, 4096)))
                if j + 1 < len(s) and rng.below(2):    # the next block updates its size
                    s[j + 1] = put_int(rng.pick((0, 32, 100)), 5, 0x20) + s[j + 1]
            blocks = s[:1 + rng.below(len(s))]
        check_hpack(rng, blocks)
        n += 1
    return n


_NAMES = (b":path", b"content-type", b"cookie", b"x-a", b"set-cookie", b"accept",
          b"authorization", b"x-very-long-header-name-for-fuzzing", b"etag")


def random_headers(rng):
    out = []
    for _ in range(rng.below(8)):
        k = rng.below(4)
        if k == 0:
            name = rng.bytes(rng.below(10))
        elif k == 1:
            name = bytes([97 + rng.below(26) for _ in range(1 + rng.below(12))])
        else:
            name = rng.pick(_NAMES)
        k = rng.below(5)
        if k == 0:
            value = rng.bytes(rng.below(40))
        elif k == 1:
            value = bytes([rng.below(256)]) * rng.below(300)
        elif k == 2:
            value = b"%d" % rng.below(100000)
        else:
            value = bytes([32 + rng.below(95) for _ in range(rng.below(30))])
        if rng.below(5) == 0:
            out.append((name, value, True))
        else:
            out.append((name, value))
    if out and rng.below(3) == 0:
        out.append(rng.pick(out))        # a repeat: indexed from the dynamic table
    return out


def roundtrip(seed, iterations, peer=None):
    # Encoder -> our Decoder (and peer(block, limit) -> list of (name, value), the CPython
    # test's hpack package) for random lists, with table size changes between blocks
    # (the decoder's limit lowered and raised as SETTINGS would).  Returns blocks checked.
    rng = Rng(seed)
    n = 0
    for _ in range(iterations // 8 + 1):
        limit = rng.pick((0, 64, 256, 4096, 8192))
        enc = Encoder(limit, huffman=rng.below(4) != 0)
        dec = Decoder(limit, 1 << 20)
        pstate = peer(None, limit) if peer else None
        for _ in range(8):
            k = rng.below(6)
            if k == 0:                  # the encoder uses less than allowed
                enc.table_size = rng.below(limit + 1)
            elif k == 1:                # the decoder's limit changes (SETTINGS acked)
                limit = rng.pick((0, 32, 100, 4096, 8192))
                dec.max_table_size = limit
                if enc.table_size > limit:
                    enc.table_size = limit
                if pstate:
                    pstate(None, limit)
            hs = random_headers(rng)
            blk = enc.encode(hs)
            want = [(h[0], h[1], len(h) > 2 and h[2]) for h in hs]
            try:
                got = [(f[0], f[1], f[2]) for f in dec.decode_fields(blk)]
            except MemoryError:
                raise
            except Exception as e:
                raise AssertionError("round trip: %r decoding %r of %r" % (e, blk, hs))
            if got != want:
                raise AssertionError("round trip: %r -> %r -> %r" % (hs, blk, got))
            table_ok(dec)
            if pstate:
                p = pstate(blk, None)
                if p != [(h[0], h[1]) for h in hs]:
                    raise AssertionError("peer decodes %r of %r as %r" % (blk, hs, p))
            n += 1
    return n


# -- HTTP/2 ------------------------------------------------------------------------------

REQ = [(b":method", b"GET"), (b":scheme", b"http"), (b":path", b"/"),
       (b":authority", b"example.com")]
POST = [(b":method", b"POST"), (b":scheme", b"http"), (b":path", b"/up"),
        (b":authority", b"example.com"), (b"content-length", b"5")]
RESP = [(b":status", b"200"), (b"content-type", b"text/plain")]

# The server under test: small limits, so that floods and bounds are reached.
SERVER_LIMITS = {"max_closed_streams": 16, "max_continuations": 8,
                 "max_header_block_bytes": 4096, "max_settings_flood": 8,
                 "max_ping_flood": 12, "max_empty_frames": 6, "max_priority_flood": 12,
                 "max_window_update_flood": 12, "rapid_reset_window": 10,
                 "max_rapid_resets": 5}
SERVER_SETTINGS = {3: 8, 6: 2048}      # MAX_CONCURRENT_STREAMS 8, MAX_HEADER_LIST_SIZE 2048


def _hdr(ln, t, fl, sid):
    # A raw 9-octet frame header: any length, and the reserved bit when sid has it.
    return bytes([(ln >> 16) & 255, (ln >> 8) & 255, ln & 255, t, fl, (sid >> 24) & 255,
                  (sid >> 16) & 255, (sid >> 8) & 255, sid & 255])


def _frame(t, fl, sid, payload):
    return _hdr(len(payload), t, fl, sid) + payload


def client_session(rng):
    # A valid client session as a list of frames (the preface first).  Half the sessions
    # use no dynamic table (blocks independent of one another: a dropped frame does not
    # desynchronise HPACK, so the mutants reach deeper).
    enc = Encoder()
    if rng.below(2):
        enc.table_size = 0
    fs = [PREFACE, settings_pack({4: 65535 + rng.below(3) * 1000, 5: 16384}),
          settings_pack(ack=True)]
    sid = 1
    for _ in range(1 + rng.below(4)):
        k = rng.below(7)
        if k == 0:
            fs.append(headers_pack(sid, enc.encode(REQ), True))
        elif k == 1:                    # body, content-length
            fs.append(headers_pack(sid, enc.encode(POST), False))
            fs.append(data_pack(sid, b"he"))
            fs.append(data_pack(sid, b"llo", True))
        elif k == 2:                    # body and trailers
            fs.append(headers_pack(sid, enc.encode(REQ), False))
            fs.append(data_pack(sid, b"abc", False, rng.below(3)))
            fs.append(headers_pack(sid, enc.encode([(b"x-t", b"1")]), True))
        elif k == 3:                    # split header block
            b = enc.encode(REQ + [(b"x-pad", b"p" * 40)])
            a = 1 + rng.below(len(b) - 1)
            fs.append(headers_pack(sid, b[:a], True, False))
            fs.append(continuation_pack(sid, b[a:a + 5], False))
            fs.append(continuation_pack(sid, b[a + 5:], True))
        elif k == 4:                    # priority and padding
            fs.append(headers_pack(sid, enc.encode(REQ), True, True, (0, 15, False), 3))
            fs.append(priority_pack(sid, 0, 200))
        elif k == 5:                    # reset by the client
            fs.append(headers_pack(sid, enc.encode(POST), False))
            fs.append(rst_stream_pack(sid, 8))
        else:                           # flow control
            fs.append(headers_pack(sid, enc.encode(POST), False))
            fs.append(window_update_pack(sid, 1000))
            fs.append(data_pack(sid, b"hello", True))
        sid += 2
        j = rng.below(5)
        if j == 0:
            fs.append(ping_pack(b"12345678"))
        elif j == 1:
            fs.append(window_update_pack(0, 1 + rng.below(100000)))
        elif j == 2:
            fs.append(settings_pack({1: 4096}))
    if rng.below(4) == 0:
        fs.append(goaway_pack(sid - 2, 0, b"bye"))
    return fs


def server_session(rng):
    # A valid server session answering the client of run_client (streams 1, 3, 5; 5
    # carries a request body the server does not need).
    enc = Encoder()
    if rng.below(2):
        enc.table_size = 0
    fs = [settings_pack({3: 100, 4: 65535}), settings_pack(ack=True)]
    for sid in (1, 3, 5):
        k = rng.below(5)
        if k == 0:
            fs.append(headers_pack(sid, enc.encode(RESP), False))
            fs.append(data_pack(sid, b"ok", True))
        elif k == 1:                    # 1xx, then the response and trailers
            fs.append(headers_pack(sid, enc.encode([(b":status", b"103"), (b"link", b"</a>")]),
                                   False))
            fs.append(headers_pack(sid, enc.encode(RESP + [(b"content-length", b"4")]), False))
            fs.append(data_pack(sid, b"ab", False, 2))
            fs.append(data_pack(sid, b"cd"))
            fs.append(headers_pack(sid, enc.encode([(b"x-t", b"1")]), True))
        elif k == 2:                    # split block
            b = enc.encode(RESP + [(b"x-pad", b"q" * 30)])
            fs.append(headers_pack(sid, b[:3], False, False))
            fs.append(continuation_pack(sid, b[3:], True))
            fs.append(data_pack(sid, b"", True))
        elif k == 3:
            fs.append(rst_stream_pack(sid, 7))
        else:
            fs.append(headers_pack(sid, enc.encode(RESP), True))
        j = rng.below(5)
        if j == 0:
            fs.append(ping_pack(b"abcdefgh"))
        elif j == 1:
            fs.append(window_update_pack(0, 1 + rng.below(100000)))
        elif j == 2:
            fs.append(ping_pack(b"\0" * 8, True))
    if rng.below(4) == 0:
        fs.append(goaway_pack(0, 0, b""))
    return fs


_SETTING_VALUES = (0, 1, 2, 100, 16383, 16384, 16385, 65535, 65536, (1 << 24) - 1, 1 << 24,
                   (1 << 31) - 1, 1 << 31, 0xffffffff)
_SIDS = (0, 1, 2, 3, 5, 7, 9, 0x7fffffff, 0x80000001, 0xffffffff, 101)
_INCREMENTS = (0, 1, 65535, (1 << 31) - 1, 1 << 31, 0xffffffff, 0x7fff0000)


def _settings_payload(rng):
    p = b""
    for _ in range(rng.below(4)):
        sid = rng.pick((1, 2, 3, 4, 5, 6, 8, 9, 0, 0xffff))
        v = rng.pick(_SETTING_VALUES)
        p += bytes([sid >> 8, sid & 255, v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255])
    return p


def random_frame(rng):
    t = rng.pick((0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16, 0x7f))
    sid = rng.pick(_SIDS)
    fl = rng.pick((0, 1, 4, 5, 8, 0x20, 0x2d, 0xff))
    k = rng.below(4)
    if t == 4 and k:
        p = _settings_payload(rng)
    elif t == 8 and k:
        v = rng.pick(_INCREMENTS)
        p = bytes([v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255])
    else:
        p = rng.bytes(rng.pick((0, 1, 4, 5, 8, 9, 13, 20)))
    return _frame(t, fl, sid, p)


_ODD_FIELDS = ((b"connection", b"keep-alive"), (b"te", b"gzip"), (b"te", b"trailers"),
               (b"Upper", b"x"), (b":path", b"/again"), (b":status", b"200"),
               (b"content-length", b"5"), (b"content-length", b"x"), (b"x-ws", b" v"),
               (b"x-nul", b"a\x00b"), (b"host", b"other.example"), (b":protocol", b"ws"),
               (b"transfer-encoding", b"chunked"), (b"", b"empty"), (b"x-a", b""),
               (b":method", b"CONNECT"), (b":authority", b""), (b"x y", b"1"),
               (b":status", b"101"), (b":status", b"1000"), (b":status", b"103"))


def odd_block(rng, base):
    # A header list near base with a field added, dropped, repeated or moved, encoded
    # without the dynamic table (a size-0 encoder: the block stands alone).
    hs = list(base)
    for _ in range(1 + rng.below(2)):
        k = rng.below(4)
        if k == 0 or not hs:
            hs.insert(rng.below(len(hs) + 1), rng.pick(_ODD_FIELDS))
        elif k == 1:
            del hs[rng.below(len(hs))]
        elif k == 2:
            hs.insert(rng.below(len(hs) + 1), rng.pick(hs))
        else:
            hs.append(hs.pop(rng.below(len(hs))))
    return Encoder(0, huffman=rng.below(2) == 1).encode(hs)


def _set(f, i, v):
    return f[:i] + bytes((v & 255,)) + f[i + 1:]


def mutate_frames(rng, fs, others):
    # One to three frame-level mutations of a session (a list of frames; the preface, if
    # first, is left alone by most).
    fs = list(fs)
    lo = 1 if fs and fs[0] == PREFACE else 0
    for _ in range(1 + rng.below(3)):
        n = len(fs)
        if n <= lo:
            fs.append(random_frame(rng))
            continue
        i = lo + rng.below(n - lo)
        f = fs[i]
        k = rng.below(17)
        if k == 0:                              # drop a frame
            del fs[i]
        elif k == 1:                            # duplicate a frame
            fs.insert(i, f)
        elif k == 2:                            # swap two frames
            j = lo + rng.below(n - lo)
            fs[i], fs[j] = fs[j], fs[i]
        elif k == 3 and len(f) >= 9:            # the length field
            ln = rng.pick((0, 1, 4, 5, 7, 8, 9, len(f) - 8, len(f) - 10, 16384, 16385,
                           0xffffff))
            ln = max(0, ln)
            fs[i] = bytes([ln >> 16, (ln >> 8) & 255, ln & 255]) + f[3:]
        elif k == 4 and len(f) >= 9:            # the flags
            fs[i] = _set(f, 4, (f[4] ^ (1 << rng.below(8))) if rng.below(2) else rng.below(256))
        elif k == 5 and len(f) >= 9:            # the stream id
            s = rng.pick(_SIDS)
            fs[i] = f[:5] + bytes([s >> 24, (s >> 16) & 255, (s >> 8) & 255, s & 255]) + f[9:]
        elif k == 6 and len(f) >= 9:            # the type
            fs[i] = _set(f, 3, rng.pick((0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 0x21)))
        elif k == 7 and len(f) >= 9:            # padding added (flag and pad length)
            p = f[9:]
            pl = rng.pick((0, 1, 3, len(p), len(p) + 1, 255))
            body = bytes([pl & 255]) + p + b"\0" * min(pl, 300)
            fs[i] = _hdr(len(body), f[3], f[4] | 8, _sid(f)) + body
        elif k == 8:                            # a SETTINGS frame with odd values
            fs.insert(i, _frame(4, 0, 0, _settings_payload(rng)))
        elif k == 9:                            # a window update, maybe overflowing
            v = rng.pick(_INCREMENTS)
            fs.insert(i, _frame(8, 0, rng.pick((0, 1, 3, 5)), bytes(
                [v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255])))
        elif k == 10:                           # a random frame
            fs.insert(i, random_frame(rng))
        elif k == 11:                           # a flood of one frame
            fs[i:i] = [f] * (2 + rng.below(20))
        elif k == 12 and len(f) > 9:            # a payload byte
            j = 9 + rng.below(len(f) - 9)
            fs[i] = _set(f, j, (f[j] ^ (1 << rng.below(8))) if rng.below(2) else rng.below(256))
        elif k == 13 and len(f) > 9:            # a payload cut (length kept consistent)
            p = f[9:9 + rng.below(len(f) - 9)]
            fs[i] = _hdr(len(p), f[3], f[4], _sid(f)) + p
        elif k == 14:                           # a frame of another session
            fs.insert(i, rng.pick(others))
        elif k == 15 and len(f) >= 9 and f[3] == 1 and f[4] & 4 and not f[4] & 0x28:
            # a header list made odd (RFC 9113 §8.2-8.3 validation), the frame's flags kept
            blk = odd_block(rng, rng.pick((REQ, POST, RESP, [(b"x-t", b"1")])))
            fs[i] = _hdr(len(blk), 1, f[4], _sid(f)) + blk
        else:                                   # a header block split in CONTINUATIONs
            if len(f) > 10 and f[3] == 1 and f[4] & 4 and not f[4] & 0x28:
                p = f[9:]
                a = rng.below(len(p) + 1)
                fs[i:i + 1] = [_hdr(a, 1, f[4] & ~4, _sid(f)) + p[:a],
                               continuation_pack(_sid(f), p[a:], True)]
            else:
                fs.append(ping_pack(b"\x01" * 8))
    return fs


def _sid(f):
    return ((f[5] & 0x7f) << 24) | (f[6] << 16) | (f[7] << 8) | f[8]


def mutate_bytes(rng, data, others):
    # A byte-level mutation of the joined session.
    n = len(data)
    k = rng.below(5)
    pos = rng.below(n + 1)
    if k == 0 and n:
        i = rng.below(n)
        return data[:i] + bytes((data[i] ^ (1 << rng.below(8)),)) + data[i + 1:]
    if k == 1:
        return data[:pos]
    if k == 2 and n:
        return data[:pos] + data[pos + 1 + rng.below(12):]
    if k == 3:
        o = rng.pick(others)
        return data[:pos] + o[rng.below(len(o) + 1):]
    return data[:pos] + rng.bytes(1 + rng.below(12)) + data[pos:]


def mutate_session(rng, fs, others):
    # fs: list of frames -> bytes.
    if rng.below(4):
        return b"".join(mutate_frames(rng, fs, others))
    d = b"".join(fs)
    if rng.below(3) == 0:
        d = b"".join(mutate_frames(rng, fs, others))
    return mutate_bytes(rng, d, others)


def _out_frames(data, where):
    # The frames our core queued; each must parse.
    out = []
    pos = 0
    while pos < len(data):
        r = parse_frame(data, pos, 1 << 24)
        if r is None:
            raise AssertionError("the core queued a truncated frame at %d (%s): %r"
                                 % (pos, where, data[pos:pos + 40]))
        out.append(r[:4])
        pos = r[4]
    return out


def _norm(e):
    # An event with bytes for memoryviews and plain lists for Headers.
    out = [e[0]]
    for x in e[1:]:
        if isinstance(x, memoryview) or isinstance(x, bytearray):
            x = bytes(x)
        elif hasattr(x, "_l"):
            x = tuple([(f[0], f[1]) for f in x._l])
        out.append(x)
    return tuple(out)


def _check_step(p, evs, out, piece_len, where):
    # The invariants after one receive_data.
    fs = _out_frames(out, where)
    for e in evs:
        if e[0] == EV_CONNECTION_TERMINATED:
            if e[1] == INTERNAL_ERROR and b"internal error" in bytes(e[3]):
                if b"MemoryError" in bytes(e[3]):
                    raise MemoryError(bytes(e[3]).decode())
                raise AssertionError("escape: %s (%s)" % (bytes(e[3]).decode(), where))
            g = [goaway_unpack(f[3]) for f in fs if f[0] == 7]
            if not g or g[-1][1] != e[1]:
                raise AssertionError("connection error %r without GOAWAY(%d) (%s): %r"
                                     % (e, e[1], where, fs))
            if p.state != 2:
                raise AssertionError("connection error but state %r (%s)" % (p.state, where))
        elif e[0] == EV_STREAM_RESET and not e[3]:
            if (e[1], e[2]) not in [(f[2], rst_stream_unpack(f[3])) for f in fs if f[0] == 3]:
                raise AssertionError("stream error %r without RST_STREAM (%s): %r"
                                     % (e, where, fs))
    if len(p._inbuf) > 9 + p._in_max_frame:
        raise AssertionError("core holds %d unparsed bytes (%s)" % (len(p._inbuf), where))
    mcs = p.local_settings[3] if not p.client else 100
    if len(p._streams) > mcs + 3:
        raise AssertionError("%d streams open, limit %d (%s)" % (len(p._streams), mcs, where))
    if len(p._closed) > p.max_closed_streams + 1:
        raise AssertionError("%d closed ids remembered (%s)" % (len(p._closed), where))
    # the stream table in step with its counters, the windows within the RFC's range
    # (while the connection is open: the SETTINGS that overflowed a window closed it)
    oi = oo = 0
    mine = 1 if p.client else 0
    for sid in p._streams:
        st = p._streams[sid]
        if sid in p._closed or -sid in p._closed or st.id != sid or st.state >= 6:
            raise AssertionError("stream %d state %d both open and closed (%s)"
                                 % (sid, st.state, where))
        if 3 <= st.state <= 5:
            if sid & 1 == mine:
                oo += 1
            else:
                oi += 1
        # (a stream window may go negative: a lowered SETTINGS_INITIAL_WINDOW_SIZE, §6.9.2)
        if p.state != 2 and st.out_window > 0x7fffffff:
            raise AssertionError("stream %d windows in %d out %d (%s)"
                                 % (sid, st.in_window, st.out_window, where))
    if p.state != 2 and (oi != p._open_in or oo != p._open_out):
        raise AssertionError("open streams in %d out %d, counted %d %d (%s)"
                             % (oi, oo, p._open_in, p._open_out, where))
    if p.state != 2 and (p.out_window > 0x7fffffff or p.in_window < 0):
        raise AssertionError("connection windows in %d out %d (%s)"
                             % (p.in_window, p.out_window, where))
    c = p._cont
    if c is not None and c[4] > p.max_header_block_bytes:
        raise AssertionError("header block of %d octets pending (%s)" % (c[4], where))
    return fs


def _answer(p, evs):
    # A server that answers every request whose body is complete.
    for e in evs:
        if (e[0] == EV_HEADERS and e[3]) or (e[0] == EV_DATA and e[4]) or e[0] == 3:
            sid = e[1]
            st = p._streams.get(sid)
            if st is not None and st.hout == 0 and p.state != 2:
                p.send_headers(sid, RESP)
                p.send_data(sid, b"ok", True)


# Our SETTINGS changed after the first ones (update_settings), in effect at the peer's
# second SETTINGS ACK: a smaller HPACK table (the peer's next block must start with a
# size update), a smaller receive window, a larger frame size, fewer streams.
UPDATES = (None, {1: 0}, {1: 100, 4: 10}, {4: 0, 5: 20000}, {3: 1, 6: 100}, {4: 0x7fffffff})


def run(role, pieces, active=False, upd=None):
    # Feeds pieces to a fresh H2Protocol (role "server" or "client"); returns the
    # normalised events and the bytes the core sent in reply to the input.  upd: one of
    # UPDATES, sent after our first SETTINGS.
    client = role == "client"
    lim = {} if client else SERVER_LIMITS
    p = H2Protocol(client=client, settings=None if client else SERVER_SETTINGS,
                   auto_ack=not active, **lim)
    p.initiate_connection()
    if upd:
        p.update_settings(upd)
    if client:
        p.send_headers(1, REQ, True)
        p.send_headers(3, REQ, True)
        p.send_headers(5, POST, False)
        p.send_data(5, b"hello", True)
    p.data_to_send()
    evs = []
    outs = []
    for piece in pieces:
        try:
            ev = p.receive_data(piece)
        except MemoryError:
            raise
        except Exception as e:
            raise AssertionError("receive_data raised %r" % (e,))
        out = p.data_to_send()
        _check_step(p, ev, out, len(piece), role)
        if active and not client:
            _answer(p, ev)
            _out_frames(p.data_to_send(), "answer")
        if ev:          # (byte by byte, most reads give nothing: no list slot each, a
            evs += [_norm(e) for e in ev]      # board's heap)
        if out:
            outs.append(out)
        if p.state == 2:
            if p.receive_data(headers_pack(0x7ffffff1, b"\x82")) != [] or p.data_to_send():
                raise AssertionError("a closed connection went on reading")
            break
    if active:
        _client_goes_on(p) if client else _goes_on(p)
    return evs, b"".join(outs)


def _client_goes_on(p):
    # The client's counterpart: if it may still open a stream, a new request gets its
    # response (a fresh encoder's block: adds to our table, refers to nothing in it).
    if not p.can_open_stream() or p._cont is not None or p._inbuf or not p._got_settings \
            or p._decoder.max_header_list_size < 1000:
        return      # (a tiny SETTINGS_MAX_HEADER_LIST_SIZE of ours refuses any response)
    sid = p.get_next_available_stream_id()
    p.send_headers(sid, REQ, True)
    fs = _out_frames(p.data_to_send(), "fresh request")
    if [f[2] for f in fs if f[0] == 1] != [sid]:
        raise AssertionError("fresh request not sent on %d: %r" % (sid, fs))
    if p._streams[sid].in_window < 2 or p.in_window < 2:
        return      # our lowered SETTINGS_INITIAL_WINDOW_SIZE (or the session) left no window
    evs = p.receive_data(headers_pack(sid, _fresh(p).encode(RESP + [(b"x-fresh", b"1")]))
                         + _frame(0, 1, sid, b"ok"))
    _check_step(p, evs, p.data_to_send(), 0, "fresh response")
    got = [e[:2] for e in evs]
    if got != [(EV_HEADERS, sid), (EV_DATA, sid)]:
        raise AssertionError("a fresh response on stream %d after the session: %r" % (sid, evs))


def _fresh(p):
    # An encoder whose first block starts with a size update to our decoder's limit (a
    # lowered SETTINGS_HEADER_TABLE_SIZE makes one compulsory, RFC 7541 §4.2).
    e = Encoder()
    e.table_size = min(4096, p._decoder.max_table_size)
    return e


def _goes_on(p):
    # After whatever stream errors the session met, a connection still open serves a new
    # request: HEADERS on a fresh stream (a block that adds to the peer's table but refers
    # to nothing in it) comes out as EV_HEADERS, or is refused as a stream (REFUSED_STREAM,
    # when the session left SETTINGS_MAX_CONCURRENT_STREAMS streams open), and is answered.
    if p.state != 0 or p._cont is not None or p._inbuf or p._high_in > 0x7ffffff0 or \
            p._need_preface or not p._got_settings or p._decoder.max_header_list_size < 1000 or \
            p.goaway_received is not None:
        return
    sid = p._high_in + 2 if p._high_in else 1
    while sid in p._closed or -sid in p._closed:     # reset by us while idle (a bad PRIORITY): stays closed
        sid += 2
    if sid > 0x7fffffff:
        return
    evs = p.receive_data(headers_pack(sid, _fresh(p).encode(REQ + [(b"x-fresh", b"1")]), True))
    _check_step(p, evs, p.data_to_send(), 0, "fresh request")
    if evs and evs[-1][0] == EV_STREAM_RESET and evs[-1][1] == sid and \
            evs[-1][2] in (7, 11) and \
            p._open_in >= min(p.local_settings[3], p.advertised_settings[3]) - 1:
        # refused: too many streams open (the limit in force: the smaller of the one
        # acknowledged and the one advertised), or the rapid-reset budget spent
        return
    if [e[0] for e in evs] != [EV_HEADERS] or evs[0][1] != sid:
        raise AssertionError("a fresh request on stream %d after the session: %r" % (sid, evs))
    p.send_headers(sid, RESP)
    sent = p.send_data(sid, b"ok", True)   # 0 when the session left no window to send in
    fs = _out_frames(p.data_to_send(), "fresh answer")
    if [f[0] for f in fs if f[2] == sid] != ([1, 0] if sent else [1]):
        raise AssertionError("fresh request not answered: %r" % (fs,))


def cut(data, cuts):
    a = 0
    for c in cuts:
        if c > a:
            yield data[a:c]
            a = c
    if a < len(data):
        yield data[a:]


def check_session(rng, role, data, bytewise=False, upd=None):
    # Runs data whole, split at random points (and byte by byte): the same outcome each
    # time; then once with a server that answers.  Returns the events.
    n = len(data)
    ways = [("whole", ())]
    for _ in range(2):
        a = rng.below(n + 1)
        b = rng.below(n + 1)
        ways.append(("at %d,%d" % (min(a, b), max(a, b)), (min(a, b), max(a, b))))
    if bytewise:
        ways.append(("bytewise", range(1, n)))
    ref = None
    for name, cuts in ways:
        try:
            got = run(role, cut(data, cuts), False, upd)
        except AssertionError as e:
            raise AssertionError("%s: %s input %r split %s" % (e, role, data[:600], name))
        if ref is None:
            ref = got
        elif got != ref:
            raise AssertionError("outcome depends on the split: %s input %r\nwhole: %r\n"
                                 "split %s: %r" % (role, data[:600], ref, name, got))
    try:
        run(role, [data], True, upd)
    except AssertionError as e:
        raise AssertionError("%s: active %s, input %r" % (e, role, data[:600]))
    return ref[0]


def sessions(role, rng, k):
    make = server_session if role == "client" else client_session
    return [make(rng) for _ in range(k)]


def fuzz_h2(seed, iterations, role, every_seed=True, nseeds=12):
    # Returns the number of inputs checked.
    rng = Rng(seed)
    seeds = sessions(role, rng, nseeds)
    others = [f for s in seeds for f in s if f != PREFACE]
    # a push promise (push is disabled by our client: an error) and an h2c upgrade-ish
    # HTTP/1 line, to splice in
    others.append(push_promise_pack(1, 2, Encoder().encode(REQ)))
    others.append(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    n = 0
    if every_seed:
        for s in seeds:
            evs = check_session(rng, role, b"".join(s), True)
            for e in evs:
                if e[0] in (EV_STREAM_RESET, EV_CONNECTION_TERMINATED) and not \
                        (e[0] == EV_STREAM_RESET and e[3]):
                    raise AssertionError("valid %s session refused: %r %r" % (role, e, s))
            n += 1
    for i in range(iterations):
        data = mutate_session(rng, rng.pick(seeds), others)
        upd = rng.pick(UPDATES) if rng.below(3) == 0 else None
        if upd and rng.below(2):
            data += settings_pack(ack=True)     # the ACK of the update, at the end
        check_session(rng, role, data, i % 8 == 0, upd)
        n += 1
    return n
