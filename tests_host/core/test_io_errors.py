# mhttp._io._oserror (portable: pytest on CPython and
# `tools/micropython tools/mptest.py tests_host/core/test_io_errors.py`): an OSError from
# a socket read or write becomes mhttp.errors.Timeout or ConnectionClosed by errno; the
# tables and texts live in mhttp._io_rare, loaded by the first error (a plain GET does not
# load it: test_request_lazy).
from mhttp._io import _oserror
from mhttp.errors import Timeout, ConnectionClosed
from _t import MICROPYTHON


def _is(e, cls, text):
    assert type(e) is cls, (e, cls)
    assert str(e) == text, str(e)


def test_errno_mapping():
    for n in (110, 60, 116, 11, 35):
        _is(_oserror(OSError(n), "read"), Timeout, "read timed out")
    for n in (32, 53, 54, 57, 103, 104, 107, 108, 9):
        _is(_oserror(OSError(n), "write"), ConnectionClosed,
            "connection closed by peer during write (errno %d)" % n)
    e = OSError(22)
    _is(_oserror(e, "read"), ConnectionClosed, "read failed: %r" % (e,))
    e = OSError("no errno")
    _is(_oserror(e, "write"), ConnectionClosed, "write failed: %r" % (e,))


def test_timeout_type_without_errno():
    # CPython's socket.timeout / TimeoutError: an OSError with no errno
    class timeout(OSError):
        pass
    _is(_oserror(timeout(), "read"), Timeout, "read timed out")


def test_clock_fallback():
    # the bare-checkout clock (CPython without _mhttp_port): milliseconds, plain arithmetic
    import mhttp._io_rare as r
    a = 1000 if MICROPYTHON else r.ticks_ms()   # (a board has its glue's clock)
    assert isinstance(a, int) and r.ticks_diff(r.ticks_add(a, 5), a) == 5
