# mhttp.hpack memory discipline (portable): lazily built structures stay unbuilt until
# used, and on MicroPython the import and first-use costs stay within the figures stated
# in the module comment (with some slack).
import gc
import sys

from _t import MICROPYTHON


def _fresh_import():
    for m in ("mhttp.hpack", "mhttp._hpack_tables"):
        if m in sys.modules:
            del sys.modules[m]
    import mhttp.errors
    import mhttp
    if "hpack" in mhttp.__dict__:
        del mhttp.__dict__["hpack"]      # else MicroPython's import returns the attribute
    gc.collect()
    a = gc.mem_alloc() if MICROPYTHON else 0
    from mhttp import hpack as H
    gc.collect()
    b = gc.mem_alloc() if MICROPYTHON else 0
    return H, b - a


def test_import_is_lazy_and_bounded():
    # Measured on a second copy of the module; the first one is put back afterwards so
    # other tests keep seeing the same classes.
    saved = {}
    for m in ("mhttp.hpack", "mhttp._hpack_tables"):
        if m in sys.modules:
            saved[m] = sys.modules[m]
    try:
        _check()
    finally:
        for m in saved:
            sys.modules[m] = saved[m]
        import mhttp
        if "mhttp.hpack" in saved:
            mhttp.hpack = saved["mhttp.hpack"]


def _check():
    H, cost = _fresh_import()
    assert H._static is None and H._s_name is None
    assert len(H.HUFF_TREE) == 256 * 2 * 2 and len(H.HUFF_CODE) == 257 * 4
    if MICROPYTHON:
        assert cost < 28 * 1024, cost
        gc.collect()
        a = gc.mem_alloc()
        e = H.Encoder()
        d = H.Decoder()
        hs = [(b":method", b"GET"), (b"user-agent", b"mhttp"), (b"accept", b"*/*")]
        assert d.decode(e.encode(hs)) == hs
        H._enc_cache.clear()
        H._dec_cache.clear()
        gc.collect()
        first = gc.mem_alloc() - a
        assert first < 6 * 1024, first
        # A second pair costs only the objects themselves.
        gc.collect()
        a = gc.mem_alloc()
        e2 = H.Encoder()
        d2 = H.Decoder()
        gc.collect()
        assert gc.mem_alloc() - a < 1024
        assert e2.size == d2.size == 0
    assert H._static is not None or not MICROPYTHON
