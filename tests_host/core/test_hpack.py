# mhttp.hpack: RFC 7541 Appendix C by name, malformed blocks, never_index, size updates,
# HPACK-bomb guard, lua-resty-http2 names (portable: pytest and tools/mptest.py).
import binascii

from mhttp import hpack
from mhttp.hpack import Encoder, Decoder, HeaderListTooLarge
from mhttp.errors import CompressionError, H2ConnectionError, COMPRESSION_ERROR
from mhttp.headers import Headers
from _t import raises
import _hpack_rfc7541 as R


def unhex(s):
    return binascii.unhexlify(s)


def hexs(b):
    return binascii.hexlify(b).decode()


def bad(data, dec=None, msg=None):
    # data must be refused with CompressionError (and the right H2 code).
    d = dec or Decoder()
    e = raises(CompressionError, d.decode, data)
    assert e.code == COMPRESSION_ERROR
    assert isinstance(e, H2ConnectionError)
    if msg is not None:
        assert msg in str(e), str(e)
    return e


# -- C.1 integers -----------------------------------------------------------------------

def _int_bytes(v, bits):
    out = bytearray()
    hpack._put_int(out, v, bits, 0)
    return bytes(out)


def test_rfc7541_c_1_1():
    assert _int_bytes(10, 5) == b"\x0a"
    d = Decoder()
    assert d.decode(b"\x2a") == []              # size update: 10 on a 5-bit prefix
    assert d.table_size == 10


def test_rfc7541_c_1_2():
    assert _int_bytes(1337, 5) == b"\x1f\x9a\x0a"
    assert hpack._get_int(b"\x1f\x9a\x0a", 0, 0x1f) == (1337, 3)
    d = Decoder()
    d.decode(b"\x3f\x9a\x0a")          # size update to 1337
    assert d.table_size == 1337


def test_rfc7541_c_1_3():
    assert _int_bytes(42, 8) == b"\x2a"
    out = bytearray()
    hpack._put_int(out, 42, 7, 0x80)
    assert out == b"\xaa"


# -- C.2 single representations -----------------------------------------------------------

def test_rfc7541_c_2_1():
    w = "400a637573746f6d2d6b65790d637573746f6d2d686561646572"
    d = Decoder()
    assert d.decode(unhex(w)) == [(b"custom-key", b"custom-header")]
    assert d.dynamic_table() == [(b"custom-key", b"custom-header")] and d.size == 55
    e = Encoder(huffman=False)
    assert hexs(e.encode([("custom-key", "custom-header")])) == w
    assert e.dynamic_table() == d.dynamic_table() and e.size == 55


def test_rfc7541_c_2_2():
    d = Decoder()
    assert d.decode(unhex("040c2f73616d706c652f70617468")) == [(b":path", b"/sample/path")]
    assert d.dynamic_table() == [] and d.size == 0


def test_rfc7541_c_2_3():
    w = "100870617373776f726406736563726574"
    d = Decoder()
    assert d.decode_fields(unhex(w)) == [(b"password", b"secret", True)]
    assert d.dynamic_table() == [] and d.size == 0
    e = Encoder(huffman=False)
    assert hexs(e.encode([(b"password", b"secret", True)])) == w
    assert e.dynamic_table() == [] and e.size == 0


def test_rfc7541_c_2_4():
    d = Decoder()
    assert d.decode(b"\x82") == [(b":method", b"GET")]
    assert d.size == 0
    assert Encoder().encode([(":method", "GET")]) == b"\x82"


# -- C.3 .. C.6: sequences sharing one context ----------------------------------------------

def _run(group, n, table_size, huffman):
    # Decodes group[0..n] with one decoder and encodes with one encoder; checks wire,
    # headers and the dynamic table (contents and size) after each one.
    d = Decoder(table_size)
    e = Encoder(table_size, huffman=huffman)
    for k in range(n + 1):
        name, w, headers, table, size = group[k]
        assert d.decode(unhex(w)) == headers, name
        assert d.dynamic_table() == table, name
        assert d.size == size, name
        assert hexs(e.encode(headers)) == w, name
        assert e.dynamic_table() == table, name
        assert e.size == size, name


def test_rfc7541_c_3_1():
    _run(R.C_3, 0, 4096, False)


def test_rfc7541_c_3_2():
    _run(R.C_3, 1, 4096, False)


def test_rfc7541_c_3_3():
    _run(R.C_3, 2, 4096, False)


def test_rfc7541_c_4_1():
    _run(R.C_4, 0, 4096, True)


def test_rfc7541_c_4_2():
    _run(R.C_4, 1, 4096, True)


def test_rfc7541_c_4_3():
    _run(R.C_4, 2, 4096, True)


def test_rfc7541_c_5_1():
    _run(R.C_5, 0, 256, False)


def test_rfc7541_c_5_2():
    _run(R.C_5, 1, 256, False)


def test_rfc7541_c_5_3():
    _run(R.C_5, 2, 256, False)


def test_rfc7541_c_6_1():
    _run(R.C_6, 0, 256, True)


def test_rfc7541_c_6_2():
    _run(R.C_6, 1, 256, True)


def test_rfc7541_c_6_3():
    _run(R.C_6, 2, 256, True)


def test_truncations_of_rfc_blocks():
    # Every prefix of a block either fails with CompressionError or decodes to a prefix of
    # the header list (when cut between representations); never anything else.
    for group in (R.C_3, R.C_4, R.C_5, R.C_6):
        w = unhex(group[0][1])
        full = group[0][2]
        cut_ok = 0
        for n in range(len(w)):
            try:
                r = Decoder(256).decode(w[:n])
            except CompressionError:
                continue
            assert r == full[:len(r)]
            cut_ok += 1
        assert 1 <= cut_ok < len(w)


# -- Huffman --------------------------------------------------------------------------------

def test_huffman_every_byte_round_trip():
    s = bytes(range(256))
    h = hpack.huffman_encode(s)
    assert hpack.huffman_decode(h) == s
    for k in range(256):
        one = bytes((k,))
        assert hpack.huffman_decode(hpack.huffman_encode(one)) == one
    assert hpack.huffman_encode(b"www.example.com") == unhex("f1e3c2e5f23a6ba0ab90f4ff")
    assert hpack.huffman_decode(b"") == b""


def test_huffman_both_paths_agree():
    # CPython uses the bit-string / octet-row coders; boards the byte-flush encoder and
    # the nibble automaton.  Both must give the same octets and the same refusals.
    samples = [b"", b"a", b"www.example.com", bytes(range(256)), b"\xff\x00" * 40,
               b"Mon, 21 Oct 2013 20:13:21 GMT", b"~|{}^`\\" * 7]
    for s in samples:
        h = hpack._huffman_encode_small(s)
        assert hpack.huffman_encode(s) == h
        assert hpack._huffman_decode_small(h) == s
        assert hpack.huffman_decode(h) == s
    for h in (b"\x1e", b"\x00\x3f\xff", b"\xff", b"\xff\xff\xff\xff", b"\x1f\xff\xff\xff\xff",
              b"\xfe", b"\x00\x00"):
        e1 = raises(CompressionError, hpack._huffman_decode_small, h)
        e2 = raises(CompressionError, hpack.huffman_decode, h)
        assert str(e1) == str(e2)


def test_huffman_padding_and_eos_refused():
    # "a" is 00011 (5 bits): 00011 111 is valid; 00011 110 has a zero in the padding.
    assert hpack.huffman_decode(b"\x1f") == b"a"
    e = raises(CompressionError, hpack.huffman_decode, b"\x1e")
    assert "padding" in str(e)
    # Padding of 8+ bits: a whole 0xff octet after a byte-aligned code.
    # "0" is 00000 and "1" 00001 ... "00" + pad: 00000 00000 111111 (=2 octets, 6 bits pad)
    assert hpack.huffman_decode(b"\x00\x3f") == b"00"
    raises(CompressionError, hpack.huffman_decode, b"\x00\x3f\xff")
    raises(CompressionError, hpack.huffman_decode, b"\xff")
    # EOS: 30 ones.
    e = raises(CompressionError, hpack.huffman_decode, b"\xff\xff\xff\xff")
    assert "EOS" in str(e)
    e = raises(CompressionError, hpack.huffman_decode, b"\x1f\xff\xff\xff\xff")
    assert "EOS" in str(e)
    # The same inside a block: literal without indexing, Huffman value.
    bad(b"\x01\x81\x1e", msg="padding")
    bad(b"\x01\x81\xff", msg="padding")
    bad(b"\x01\x84\xff\xff\xff\xff", msg="EOS")
    assert Decoder().decode(b"\x01\x81\x1f") == [(b":authority", b"a")]


# -- malformed blocks -----------------------------------------------------------------------

def test_bad_indexes():
    bad(b"\x80", msg="index 0")
    bad(b"\xbe", msg="past the dynamic table")             # 62 with an empty table
    bad(b"\xff\x80\x01")                                    # 127 + 128
    bad(b"\x7e\x01a", msg="past the tables")                # name index 62, empty table
    bad(b"\x0f\x30\x01a")                                   # name index 63 (4-bit prefix)
    bad(b"\x1f\x30\x01a")                                   # never indexed, same
    d = Decoder()
    d.decode(b"\x40\x01a\x01b")
    assert d.decode(b"\xbe") == [(b"a", b"b")]
    bad(b"\xbf", d)


def test_integer_overflow():
    bad(b"\xff\xff\xff\xff\xff\x0f", msg="integer")         # 5 continuation octets
    bad(b"\xff\x80\x80\x80\x80\x00", msg="integer")         # padded with zero groups
    bad(b"\x3f\xff\xff\xff\xff\x7f", msg="integer")         # size update 2**35
    bad(b"\x00\x7f\xff\xff\xff\xff\x0f", msg="integer")     # string length
    # 4 continuation octets are accepted (but this length runs past the data).
    bad(b"\x00\x7f\xff\xff\xff\x7f", msg="past the end")


def test_string_past_the_data():
    bad(b"\x40\x05ab", msg="past the end")
    bad(b"\x40\x01a\x05bc", msg="past the end")
    bad(b"\x04\x8a\xff", msg="past the end")


def test_truncated():
    for b in (b"\x40", b"\x41", b"\x10", b"\x40\x01a", b"\xff", b"\xff\x80", b"\x3f",
              b"\x01", b"\x0f\x2f", b"\x40\x7f", b"\x82\x84\x41"):
        bad(b)


def test_size_update_rules():
    d = Decoder(4096)
    assert d.decode(b"\x3f\xe1\x1f\x82") == [(b":method", b"GET")]   # update to 4096
    bad(b"\x3f\xe2\x1f", Decoder(4096), msg="above the limit")        # 4097
    bad(b"\x3f\xe1\x0f", Decoder(100), msg="above the limit")        # 2048 > 100
    # RFC 7541 §4.2: only at the beginning of a block.
    bad(b"\x82\x20", msg="after a header field")
    bad(b"\x82\x3f\x11", msg="after a header field")
    # Several updates at the start are fine (smaller then larger).
    d = Decoder(4096)
    d.decode(b"\x40\x01a\x01b")
    assert d.decode(b"\x20\x3f\xe1\x1f\x82") == [(b":method", b"GET")]
    assert d.dynamic_table() == [] and d.table_size == 4096
    # A lowered max_table_size makes the update compulsory.
    d = Decoder(4096)
    d.decode(b"\x40\x01a\x01b")
    d.max_table_size = 100
    bad(b"\x82", d, msg="missing dynamic table size update")
    d = Decoder(4096)
    d.decode(b"\x40\x01a\x01b")
    d.max_table_size = 100
    assert d.decode(b"\x3f\x45\xbe") == [(b"a", b"b")]                # update to 100
    assert d.table_size == 100
    assert d.decode(b"\x82") == [(b":method", b"GET")]
    # resize() (lua-resty-http2 h:resize) refuses sizes above the limit.
    assert d.resize(101) is False
    assert d.resize(50) is True and d.table_size == 50


def test_encoder_size_updates():
    e = Encoder()
    e.encode([("x-a", "1")])
    e.table_size = 0
    e.table_size = 200
    w = e.encode([("x-a", "1")])
    assert w[:3] == b"\x20\x3f\xa9" and w[3] == 0x01             # 0, then 200 (31 + 169)
    d = Decoder()
    d.decode(Encoder().encode([("x-a", "1")]))
    assert d.decode(w) == [(b"x-a", b"1")]
    assert d.table_size == 200
    assert d.dynamic_table() == e.dynamic_table() == [(b"x-a", b"1")]
    # Only larger then smaller: only the final (smallest) one.
    e.table_size = 300
    e.table_size = 100
    w = e.encode([])
    assert w == b"\x3f\x45"
    assert e.encode([]) == b""
    # A table of size 0 never indexes.
    e = Encoder(0)
    d = Decoder(0)
    for _ in range(2):
        w = e.encode([("x-b", "2")])
        assert w[0] == 0x00 and d.decode(w) == [(b"x-b", b"2")]
    assert e.size == d.size == 0


def test_entry_larger_than_table():
    d = Decoder(100)
    d.decode(b"\x40\x01a\x01b")
    big = b"v" * 80
    d.decode(b"\x40\x01c\x50" + big)                 # 1 + 80 + 32 > 100: table emptied
    assert d.dynamic_table() == [] and d.size == 0
    e = Encoder(100, huffman=False)
    w = e.encode([("c", big)])
    assert w[0] == 0x00                               # sent without indexing
    assert e.size == 0


# -- never_index ----------------------------------------------------------------------------

def test_never_index_round_trip():
    h = Headers()
    h.append(":method", "GET")
    h.append("cookie", "session=123")                 # never_index by default
    h.append("authorization", "Bearer x")
    h.append("x-custom", "v", True)
    h.append("accept", "*/*")
    e = Encoder()
    d = Decoder()
    for _ in range(3):
        w = e.encode(h)
        got = d.decode_fields(w)
        assert got == list(h)
        assert [f[2] for f in got] == [False, True, True, True, False]
    assert e.dynamic_table() == [(b"accept", b"*/*")] or e.dynamic_table() == []
    for n, v in e.dynamic_table() + d.dynamic_table():
        assert n not in (b"cookie", b"authorization", b"x-custom")
    assert e.dynamic_table() == d.dynamic_table()
    # The raw representation of the cookie: 0001xxxx with the static name index 32.
    w = Encoder(huffman=False).encode([(b"cookie", b"s=1", True)])
    assert w == b"\x1f\x11\x03s=1"
    # decode() drops the flag.
    assert Decoder().decode(w) == [(b"cookie", b"s=1")]
    # A never-indexed field whose pair is in the table is still sent as a literal.
    e = Encoder(huffman=False)
    e.encode([(b"x-k", b"v")])
    w = e.encode([(b"x-k", b"v", True)])
    assert w == b"\x1f\x2f\x01v"                      # name index 62 (4-bit prefix: 15 + 47)


# -- HPACK bomb / header list size -----------------------------------------------------------

def test_header_list_too_large_and_bomb():
    d = Decoder(4096, max_header_list_size=10000)
    big = b"x" * 4000
    out = bytearray()
    hpack._put_int(out, 4000, 7, 0)
    w = b"\x40\x01b" + bytes(out) + big
    assert d.decode(w) == [(b"b", big)]
    # 1000 references to the 4 KB entry: 4 MB of headers from 1000 octets.
    e = raises(HeaderListTooLarge, d.decode, b"\xbe" * 1000)
    assert isinstance(e, CompressionError)
    assert e.limit == 10000 and e.size == 1000 * (4000 + 1 + 32)
    # The block was processed to the end: the table is intact and the decoder usable.
    assert d.dynamic_table() == [(b"b", big)]
    assert d.decode(b"\xbe\x82") == [(b"b", big), (b":method", b"GET")]
    # A literal with incremental indexing after the limit still enters the table.
    d.max_header_list_size = 100
    raises(HeaderListTooLarge, d.decode, b"\xbe\x40\x01c\x01d")
    assert d.dynamic_table()[0] == (b"c", b"d")
    # Exactly at the limit is fine: :method GET counts 7 + 3 + 32 = 42.
    assert Decoder(4096, 84).decode(b"\x82\x82") == [(b":method", b"GET")] * 2
    raises(HeaderListTooLarge, Decoder(4096, 83).decode, b"\x82\x82")


def test_header_list_too_large_is_the_rare_module_class():
    # HeaderListTooLarge lives in mhttp._hpack_more (board RAM) and is the same class as
    # mhttp.hpack.HeaderListTooLarge, a CompressionError, what the decoder raises.
    from mhttp import _hpack_more
    assert hpack.HeaderListTooLarge is HeaderListTooLarge is _hpack_more.HeaderListTooLarge
    assert issubclass(HeaderListTooLarge, CompressionError)
    e = raises(HeaderListTooLarge, Decoder(4096, 83).decode_fields, b"\x82\x82")
    assert e.__class__ is HeaderListTooLarge and (e.size, e.limit) == (84, 83)
    assert "HeaderListTooLarge" not in hpack.__dict__


# -- lua-resty-http2 names -----------------------------------------------------------------

def test_lua_resty_http2_names():
    assert hpack.indexed(2) == b"\x82"
    assert hpack.indexed(200) == b"\xff\x49"
    assert hpack.incr_indexed(1) == b"\x41"
    assert hpack.incr_indexed(100) == b"\x7f\x25"
    assert hpack.encode("www.example.com") == unhex("8cf1e3c2e5f23a6ba0ab90f4ff")
    assert hpack.encode("ABC", None, True) == hpack.encode("abc")
    dst = bytearray(b"\x41")
    assert hpack.encode("x", dst) is dst and dst == b"\x41\x81\xf3"   # x: 1111001 + 1
    assert hpack.encode("\x00") == b"\x01\x00"        # 13-bit code: raw is shorter
    lst = []
    hpack.encode(b"no-cache", lst)
    assert lst == [unhex("86a8eb10649cbf")]
    h = hpack.new(256)
    assert isinstance(h, Decoder) and h.table_size == 256
    assert h.insert_entry("a", "b") is True
    assert h.get_indexed_header(62) == (b"a", b"b")
    assert h.get_indexed_header(1) == (b":authority", b"")
    assert h.get_indexed_header(61) == (b"www-authenticate", b"")
    assert h.get_indexed_header(63) is None and h.get_indexed_header(0) is None
    assert h.insert_entry("c", b"d" * 300) is False and h.size == 0
    assert h.resize(4096) is False and h.resize(64) is True
    assert h.decode(hpack.incr_indexed(1) + hpack.encode("x")) == [(b":authority", b"x")]
    assert h.get_indexed_header(62) == (b":authority", b"x")


def test_str_and_bytes_inputs_and_large_index():
    e = Encoder()
    d = Decoder()
    hs = [("x-%d" % k, "value-%d" % k) for k in range(80)]
    d.decode(e.encode(hs))
    w = e.encode(hs)                                  # all indexed, some indexes >= 127
    assert len(w) < 2 * len(hs) + 10
    assert d.decode(w) == [(n.encode(), v.encode()) for n, v in hs]
    assert d.decode(memoryview(e.encode(hs))) == d.decode(w)


# -- hpack-test-case stories (portable excerpt) ---------------------------------------------

def _story(cases):
    d = Decoder()
    e = Encoder()
    d2 = Decoder()
    for size, w, headers in cases:
        if size is not None:
            d.max_table_size = size
        assert d.decode(unhex(w)) == headers
        assert d2.decode(e.encode(headers)) == headers
    assert d2.dynamic_table() == e.dynamic_table()


def test_stories_excerpt():
    import _hpack_stories as S
    _story(S.NGHTTP2_29)
    _story(S.NGHTTP2_CTS_05)
    # And through the board code path (nibble automaton, byte-flush encoder) on CPython.
    big = hpack._BIG
    hpack._BIG = False
    hpack._enc_cache.clear()
    hpack._dec_cache.clear()
    try:
        _story(S.NGHTTP2_29)
        _story(S.NGHTTP2_CTS_05)
    finally:
        hpack._BIG = big


def test_decode_fields_hands_out_the_table_entries():
    # Board RAM: an indexed field is the table's own (name, value, False) tuple.
    e = Encoder()
    d = Decoder()
    hs = [(b":method", b"GET"), (b"x-a", b"1")]
    f1 = d.decode_fields(e.encode(hs))
    f2 = d.decode_fields(e.encode(hs))
    assert f1 == f2 == [(b":method", b"GET", False), (b"x-a", b"1", False)]
    assert f2[0] is f1[0] and f2[1] is f1[1]
    assert d.decode(e.encode(hs)) == hs
    assert d.get_indexed_header(62) == (b"x-a", b"1") and d.dynamic_table() == [(b"x-a", b"1")]
    assert d.get_indexed_header(2) == (b":method", b"GET") and d.get_indexed_header(63) is None



def test_public_constants():
    # served by the module __getattr__ (private const()s inside: no interned names)
    from mhttp import hpack
    from mhttp.hpack import DEFAULT_TABLE_SIZE
    assert DEFAULT_TABLE_SIZE == 4096 and hpack.STATIC_COUNT == 61
    assert hpack.DEFAULT_MAX_HEADER_LIST_SIZE == 65536
    assert hpack.Decoder().max_header_list_size == 65536
    assert hpack.Encoder().table_size == 4096


def test_encode_into_a_buffer():
    # encode(headers, buf) appends the same block to buf (mhttp.h2 keeps a frame header
    # in front of it) and returns buf; the encoder state advances the same way.
    from mhttp.hpack import Encoder
    hs = [(b":status", b"200"), (b"content-type", b"text/plain"), (b"x-a", b"1", True)]
    e1, e2 = Encoder(), Encoder()
    for i in range(3):
        b = bytearray(b"123456789")
        r = e2.encode(hs, b)
        assert r is b and bytes(b[:9]) == b"123456789"
        assert bytes(b[9:]) == e1.encode(hs)
    e1.table_size = 100
    e2.table_size = 100
    assert bytes(e2.encode(hs, bytearray())) == e1.encode(hs)
    # (the module's string caches now hold these values, made among this test's garbage:
    # cleared, so that they do not pin the middle of a board's heap for the next tests,
    # as a board-sized run found: test_str_and_bytes_inputs_and_large_index then had 25 KB
    # free and no 1168 B block for the decode cache's table)
    hpack._enc_cache.clear()
    hpack._dec_cache.clear()
