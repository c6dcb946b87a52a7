# mhttp.errors: the HTTP/2 and WebSocket parts load on first use, each on its own
# (portable: pytest and tools/mptest.py).
import sys

from mhttp import errors
from _t import raises


_PARTS = ("_errors_h2", "_errors_more")


def _forget():
    # Hides the loaded parts (sys.modules and the package attribute) so that the test sees
    # what a fresh interpreter would import; _restore puts the very same modules back (other
    # code holds their classes: `except H2StreamError` must keep matching).
    import mhttp
    saved = {}
    for n in _PARTS:
        m = sys.modules.pop("mhttp." + n, None)
        if m is not None:
            saved[n] = m
        if n in mhttp.__dict__:
            delattr(mhttp, n)
    return saved


def _restore(saved):
    import mhttp
    for n in _PARTS:
        if n in saved:
            sys.modules["mhttp." + n] = saved[n]
            setattr(mhttp, n, saved[n])
        else:
            sys.modules.pop("mhttp." + n, None)
            if n in mhttp.__dict__:
                delattr(mhttp, n)


def test_h1_names_load_nothing_more():
    saved = _forget()
    try:
        from mhttp.errors import Error, Timeout, ConnectionClosed, ProtocolError, H1Error
        e = H1Error("x", 431)
        assert isinstance(e, ProtocolError) and isinstance(e, Error) and e.status_hint == 431
        assert Timeout and ConnectionClosed
        raises(AttributeError, getattr, errors, "__path__")
        assert "mhttp._errors_h2" not in sys.modules and "mhttp._errors_more" not in sys.modules
    finally:
        _restore(saved)


def test_h2_names_load_the_h2_part_only():
    saved = _forget()
    try:
        from mhttp.errors import H2StreamError, H2ConnectionError, CompressionError, CANCEL
        assert "mhttp._errors_h2" in sys.modules and "mhttp._errors_more" not in sys.modules
        e = H2StreamError(CANCEL, None, 3)
        assert e.stream_error and e.name == "CANCEL" and e.stream_id == 3
        assert isinstance(CompressionError("bad"), H2ConnectionError)
        assert isinstance(e, errors.ProtocolError)
        assert errors.H2_ERRORS[8] == ("CANCEL", "Stream cancelled")
        assert errors.h2_error_name(0x20) == "UNKNOWN_ERROR_0x20"
        assert errors.H2StreamError is H2StreamError
        raises(AttributeError, getattr, errors, "NOPE")
    finally:
        _restore(saved)


def test_ws_names_load_the_ws_part_only():
    saved = _forget()
    try:
        from mhttp.errors import WSError, CLOSE_PROTOCOL_ERROR
        assert "mhttp._errors_more" in sys.modules and "mhttp._errors_h2" not in sys.modules
        e = WSError("bad frame")
        assert e.close_code == CLOSE_PROTOCOL_ERROR == 1002
        assert isinstance(e, errors.ProtocolError) and errors.CLOSE_MESSAGE_TOO_BIG == 1009
    finally:
        _restore(saved)


def test_tls_error_loads_the_more_part_only():
    # On MicroPython TLSError lives in mhttp._errors_more (no plain connection raises it;
    # CPython keeps it in mhttp.errors: its port imports it with every connection): the
    # same class whichever way it is reached, an Error and not a ProtocolError.
    saved = _forget()
    try:
        from mhttp.errors import TLSError
        assert "mhttp._errors_h2" not in sys.modules
        assert ("mhttp._errors_more" in sys.modules) == (sys.implementation.name != "cpython")
        import mhttp._errors_more as more
        assert TLSError is errors.TLSError is more.TLSError
        e = TLSError("no CA file")
        assert isinstance(e, errors.Error) and not isinstance(e, errors.ProtocolError)
        assert str(e) == "no CA file"
        try:
            raise TLSError("x")
        except errors.Error as x:
            assert x.__class__ is TLSError
    finally:
        _restore(saved)
