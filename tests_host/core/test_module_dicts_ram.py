# Board RAM: the module dicts every h1 client program holds stay at or under a table
# size step (MicroPython: 12 entries fit a table of 224 B, 13 take 320; 8 fit 128 B, 9
# take 160; 4 fit 64 B, 5 take 96).  The package and the unix port glue drop __file__
# on MicroPython (CPython keeps it); mhttp._lazy imports sys where it is used;
# mhttp.headers reads bind and settle from mhttp._lazy.  Portable: CPython and
# MicroPython.
import sys

import mhttp
import mhttp.headers
import mhttp._lazy

MP = sys.implementation.name == "micropython"


def test_package_keeps_version_and_drops_file_on_micropython():
    assert mhttp.__version__ == "0.1.0"
    assert mhttp.__name__ == "mhttp"
    if MP:
        assert "__file__" not in mhttp.__dict__
    else:
        assert mhttp.__file__.endswith("__init__.py")


def test_port_glue_has_no_file_on_micropython():
    try:
        import _mhttp_port
    except ImportError:
        return
    assert _mhttp_port.DEFAULT_BUFSIZE > 0
    assert callable(_mhttp_port.ticks_ms) and callable(_mhttp_port.urandom)
    if _mhttp_port.NAME == "micropython-unix":
        # (the unix glue; a board's _mhttp_port star-imports it as _mhttp_mp)
        assert "__file__" not in _mhttp_port.__dict__


def test_lazy_headers_and_h1_dicts_small():
    import mhttp._h1_client
    import mhttp.h1_connection
    assert "sys" not in mhttp._lazy.__dict__
    for m in (mhttp.headers, mhttp.h1_connection):
        d = m.__dict__
        assert "bind" not in d and "settle" not in d
    assert "rare_attr" not in mhttp.h1_connection.__dict__
    assert "const" not in mhttp._h1_client.__dict__
    assert mhttp.headers.new is mhttp.headers.Headers
    h = mhttp.headers.Headers()
    h.append("a", "1")
    assert h.clone().get(b"a") == b"1"       # a rare method, bound through mhttp._lazy
    assert h.len() == 1


def test_submodules_still_import_after_file_dropped():
    import mhttp.request
    import mhttp.h1_connection
    assert mhttp.request.__name__ == "mhttp.request"
    assert mhttp.h1_connection.H1Connection is not None
