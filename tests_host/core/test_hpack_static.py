# mhttp.hpack's static table on the boards' path (portable): a (name, value) pair is
# looked up in the packed STATIC octets, making no table entry (board RAM), and finds the
# same index as the table built whole on CPython.
from mhttp import hpack


def _pairs():
    # RFC 7541 Appendix A as (index, name, value), read from the packed table.
    d = hpack._hpack_tables.STATIC
    out = []
    i = 0
    while i < len(d):
        n = d[i]
        name = bytes(d[i + 1:i + 1 + n])
        i += 1 + n
        n = d[i]
        out.append((len(out) + 1, name, bytes(d[i + 1:i + 1 + n])))
        i += 1 + n
    return out


def test_board_static_pair_makes_no_entry_and_agrees():
    saved = (hpack._BIG, hpack._static, hpack._s_name)
    try:
        hpack._BIG = False
        hpack._static = hpack._s_name = None
        hpack._load_static()
        assert hpack._s_name is None
        pairs = _pairs()
        assert len(pairs) == 61
        for k, name, value in pairs:
            first = k
            while first > 1 and pairs[first - 2][1:] == (name, value):
                first -= 1
            assert hpack._static_pair(name, value) == first, (k, name, value)
            # misses: another value of a known name, a prefix, a longer value
            assert hpack._static_pair(name, value + b"x") is None
            if value:
                assert hpack._static_pair(name, value[:-1]) in (None, k - 1)
        for name, value in ((b":status", b"201"), (b"content-type", b"text/plain"),
                            (b"x-unknown", b""), (b":statu", b"200"), (b"", b"")):
            assert hpack._static_pair(name, value) is None
        assert hpack._static == [None] * 61      # nothing made
        # the encoder's output is the one of the full table (CPython's)
        hs = [(b":status", b"200"), (b":status", b"404"), (b"content-type", b"text/plain"),
              (b"content-length", b"13"), (b"accept-encoding", b"gzip, deflate"),
              (b":path", b"/index.html"), (b"www-authenticate", b"x")]
        board = hpack.Encoder(4096, False).encode(hs)
        hpack._BIG = saved[0]
        hpack._static = hpack._s_name = None
        hpack._load_static()
        assert hpack.Encoder(4096, False).encode(hs) == board
    finally:
        hpack._BIG, hpack._static, hpack._s_name = saved


def test_board_encoder_has_no_dicts_and_agrees():
    # Boards look the dynamic table through (Encoder._dyn); CPython uses two dicts.  The
    # blocks must be the same octets, through evictions, duplicates and never-indexed
    # fields.
    saved = hpack._BIG
    blocks = []
    try:
        for big in (True, False):
            hpack._BIG = big
            e = hpack.Encoder(200, False)
            assert (e._pairs is None) is (not big)
            e.insert_entry(b"x-a", b"1")
            e.insert_entry(b"x-a", b"1")        # a duplicate: the newest one is used
            out = []
            for r in range(6):
                hs = [(b":status", b"200"), (b"x-a", b"1"), (b"x-a", b"%d" % r),
                      (b"x-b" * (r + 1), b"v"), (b"x-a", b"secret", True),
                      (b"x-b", b"z", True), (b"content-type", b"text/plain")]
                out.append(e.encode(hs))
                if r == 3:
                    e.table_size = 90
            blocks.append(out)
    finally:
        hpack._BIG = saved
    assert blocks[0] == blocks[1]
    d = hpack.Decoder(200)
    d.insert_entry(b"x-a", b"1")
    d.insert_entry(b"x-a", b"1")
    for r in range(6):
        assert d.decode(blocks[1][r])[1:3] == [(b"x-a", b"1"), (b"x-a", b"%d" % r)]


def _both_paths(check):
    # check(big) with the board path (False) and the CPython path (True), from empty
    # caches, the runtime's own path and empty caches restored after.
    saved = hpack._BIG
    try:
        for big in (False, True):
            hpack._BIG = big
            hpack._enc_cache.clear()
            hpack._dec_cache.clear()
            check(big)
    finally:
        hpack._BIG = saved
        hpack._enc_cache.clear()
        hpack._dec_cache.clear()


def test_board_caches_keep_no_string_of_the_table():
    # Boards: a string that enters the dynamic table is not cached (the connection refers
    # to it by index); one sent without indexing still is.  CPython caches both.
    def check(big):
        e = hpack.Encoder(60)
        d = hpack.Decoder(60)
        hs = [(b"x-indexed", b"abcdef"), (b"x-too-large-for-the-table", b"0123456789" * 3)]
        w = e.encode(hs)
        assert w[0] & 0xc0 == 0x40 and d.decode(w) == hs     # (the first is indexed)
        assert (b"abcdef" in hpack._enc_cache) is big
        assert (b"x-indexed" in hpack._enc_cache) is big
        assert b"0123456789" * 3 in hpack._enc_cache
        assert b"x-too-large-for-the-table" in hpack._enc_cache
        assert (b"abcdef" in hpack._dec_cache.values()) is big
        assert b"0123456789" * 3 in hpack._dec_cache.values()
        assert d.decode(e.encode(hs)) == hs and d.decode(w[:0]) == []
    _both_paths(check)


def test_never_indexed_values_enter_no_cache():
    # RFC 7541 §7.1.3: a never-indexed value (a credential) is kept out of the shared
    # module-level caches on both sides, on every runtime (its name may be cached).
    def check(big):
        secret = b"Bearer secret-token-123"
        w = hpack.Encoder().encode([(b"authorization", secret, True)])
        assert w[0] & 0xf0 == 0x10
        assert hpack.Decoder().decode(w) == [(b"authorization", secret)]
        assert secret not in hpack._enc_cache
        assert secret not in hpack._dec_cache.values()
    _both_paths(check)
