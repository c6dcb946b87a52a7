# Device tests for the board glue: run ON the board (tests_device/run.py copies them as
# .mpy next to _board_profile.py, which run.py writes from tools/vboard.py's profile of
# the board: the module lists below are what the real firmware has, so on a real board
# these tests check the virtual board's profile too).
import sys
import gc
import time

import _board_profile as P


def test_platform_and_port_glue():
    import _mhttp_port
    assert sys.platform == P.PLATFORM, sys.platform
    assert _mhttp_port.NAME == "micropython-" + P.PLATFORM, _mhttp_port.NAME
    # no ALPN on a board (HAS_ALPN is optional in the port contract, read with getattr:
    # the unix glue leaves it out, one interned name less)
    assert getattr(_mhttp_port, "HAS_ALPN", False) is False
    for name in ("client_tls_context", "server_tls_context", "open_connection",
                 "open_connection_blocking", "start_server", "wifi_connect"):
        assert callable(getattr(_mhttp_port, name)), name


def test_clock_advances_and_wraps():
    from _mhttp_port import ticks_ms, ticks_diff, ticks_add
    t0 = ticks_ms()
    time.sleep_ms(30)
    d = ticks_diff(ticks_ms(), t0)
    assert 25 <= d < 1000, d
    assert ticks_diff(ticks_add(t0, 10), t0) == 10
    assert ticks_diff(t0, ticks_add(t0, 10)) == -10
    # Across the wrap-around point the difference stays right.
    near = ticks_add(0, -5)
    assert ticks_diff(ticks_add(near, 20), near) == 20


def test_urandom():
    from _mhttp_port import urandom
    a = urandom(16)
    b = urandom(16)
    assert isinstance(a, bytes) and len(a) == 16
    assert a != b
    assert len(urandom(0)) == 0


def test_modules_the_firmware_has_import():
    missing = []
    for name in P.PRESENT:
        try:
            __import__(name)
        except ImportError:
            missing.append(name)
    assert not missing, missing


def test_modules_the_firmware_lacks_do_not_import():
    imported = []
    for name in P.ABSENT:
        try:
            __import__(name)
            imported.append(name)
        except ImportError as e:
            assert str(e) == "no module named '%s'" % name, e
    assert not imported, imported


def test_hashlib_digests():
    import hashlib
    import binascii
    have = [n for n in ("md5", "sha1", "sha256") if hasattr(hashlib, n)]
    assert have == P.HASHLIB, have
    assert binascii.hexlify(hashlib.sha256(b"abc").digest()) == \
        b"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    if "sha1" in have:
        assert binascii.hexlify(hashlib.sha1(b"abc").digest()) == \
            b"a9993e364706816aba3e25717850c26c9cd0d89d"


def test_deflate_decompresses_but_cannot_compress():
    import deflate
    import io
    d = deflate.DeflateIO(io.BytesIO(b'\xcbH\xcd\xc9\xc9W\xc8@"\x93\xf2\x13\x8bR\x00'),
                          deflate.RAW)
    assert d.read() == b"hello hello hello board"
    w = deflate.DeflateIO(io.BytesIO(), deflate.RAW)
    assert not hasattr(w, "write")
    # Corrupt input is an error, not garbage.
    bad = deflate.DeflateIO(io.BytesIO(b"\xff\xff\xff\xff"), deflate.RAW)
    try:
        bad.read()
        raise AssertionError("corrupt deflate stream accepted")
    except OSError:
        pass


def test_heap_is_the_boards():
    gc.collect()
    total = gc.mem_free() + gc.mem_alloc()
    print("heap total %d free %d" % (total, gc.mem_free()))
    # A virtual board has exactly the profile's heap (less the GC table); a real ESP32
    # reports more (gc.mem_free counts the heap it can still grow into).
    assert total >= P.HEAP_MIN, (total, P.HEAP_MIN)
    if P.VIRTUAL:
        assert total <= P.HEAP, (total, P.HEAP)
