# Board RAM: the module dicts every h1 client program holds stay at or under a table
# size step (MicroPython: 12 entries fit a table of 224 B, 13 take 320; 8 fit 128 B, 9
# take 160; 4 fit 64 B, 5 take 96).  mhttp._lazy imports sys where it is used;
# mhttp.headers and mhttp.h1_connection read bind and settle from mhttp._lazy.  (The
# package and the port glue keep __file__: dropping it saved 96 B each on the h1 client's
# path only, and a program may read it.)  Portable: CPython and MicroPython.
import sys

import mhttp
import mhttp.headers
import mhttp._lazy

MP = sys.implementation.name == "micropython"


def test_package_keeps_version_and_file():
    assert mhttp.__version__ == "0.1.0"
    assert mhttp.__name__ == "mhttp"
    assert "__init__" in getattr(mhttp, "__file__", "__init__")    # (frozen: none)


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


def test_submodules_still_import():
    import mhttp.request
    import mhttp.h1_connection
    assert mhttp.request.__name__ == "mhttp.request"
    assert mhttp.h1_connection.H1Connection is not None
