# mhttp._lazy: rare methods bound on first use (portable: pytest and tools/mptest.py).
import sys

from mhttp._lazy import bind
from _t import raises

_RARE = ("rare", "other")


class A:
    def __init__(self, v):
        self.v = v

    def __getattr__(self, name):
        return bind(self, name, "_lazy_more", _RARE)


def test_unknown_name_is_attribute_error_and_imports_nothing():
    sys.modules.pop("_lazy_more", None)
    a = A(5)
    assert not hasattr(a, "missing")
    raises(AttributeError, getattr, a, "rarely")      # a prefix of a rare name is not one
    assert "_lazy_more" not in sys.modules


def test_rare_method_bound_then_stored_on_the_class():
    a = A(5)
    assert a.rare(2) == 7
    assert "rare" in A.__dict__                       # later calls skip __getattr__
    assert A(1).rare(1) == 2
    assert a.other() == -5
    f = a.rare
    assert f(10) == 15                                # a bound method, usable later


def test_instance_attributes_still_win():
    a = A(3)
    a.rare = lambda x: "own"
    assert a.rare(1) == "own"


class B:
    def __init__(self, v):
        self.v = v

    def __getattr__(self, name):
        return bind(self, name, "_lazy_more", "rare other")


def test_rare_names_as_one_str():
    b = B(4)
    raises(AttributeError, getattr, b, "rar")         # a piece of a name is not a name
    raises(AttributeError, getattr, b, "rare other")
    assert b.rare(1) == 5 and b.other() == -4


def test_settle_binds_everything_on_cpython_only():
    from mhttp._lazy import settle

    class C:
        def __init__(self):
            self.v = 2

        def __getattr__(self, name):
            return bind(self, name, "_lazy_more", _RARE)

    settle(C, "_lazy_more", _RARE)
    if sys.implementation.name == "cpython":
        assert "rare" in C.__dict__ and "other" in C.__dict__
        assert "__getattr__" not in C.__dict__        # attribute specialisation kept
        raises(AttributeError, getattr, C(), "missing")
    else:
        assert "rare" not in C.__dict__ and "__getattr__" in C.__dict__
    assert C().rare(3) == 5 and C().other() == -2


def test_settle_after_a_fallen_back_settle_keeps_getattr():
    # Two settle() calls for one class (two rare modules): when the first meets an import
    # cycle (here: a module that cannot be imported) the second must not drop __getattr__.
    from mhttp._lazy import settle

    class D:
        def __init__(self):
            self.v = 1

        def __getattr__(self, name):
            return bind(self, name, "_lazy_more", _RARE)

    settle(D, "_lazy_no_such_module", "x")
    settle(D, "_lazy_more", _RARE)
    assert "__getattr__" in D.__dict__
    assert D().rare(1) == 2


# Modules with a module __getattr__ (PEP 562).  MicroPython 1.29 asks it for "__all__" on
# `from M import *` and lets its AttributeError escape (the star import failed); each
# answers through mhttp._star with the public globals, the set CPython and MicroPython
# 1.27 fall back to.  (mhttp.ws and mhttp.websocket add their lazily served names:
# test_ws_lazy.)
_STAR = ("_errors_h2 errors h1 h2 h2_connection h2_frames hpack request server "
         "stream_common util _io client h1_connection")
# the public names each serves lazily that its star import gives too (they were globals)
_EV = "CLIENT SERVER EV_HEADERS EV_DATA EV_TRAILERS EV_CLOSED"
_MORE = {"h1": _EV + " H1Error", "h1_connection": _EV + " SERVER_NAME ConnectionClosed Error",
         "hpack": "HeaderListTooLarge CompressionError STATIC SNAMES SNAME_IDX HUFF_CODE "
                  "HUFF_LEN HUFF_TREE",
         "h2": "H2ConnectionError H2StreamError CompressionError ProtocolError Encoder Decoder",
         "h2_connection": "ProtocolError StreamCommon Error Timeout ConnectionClosed",
         "h2_frames": "H2ConnectionError H2StreamError FRAME_SIZE_ERROR",
         "client": "connect_async", "errors": "TLSError",
         "server": "Error H1Error Timeout ConnectionClosed",
         "util": "parse_uri to_authority scheme_to_port", "request": "Headers"}


def test_star_import_gives_the_public_globals():
    # (MicroPython 1.27 reads only a real __all__, else the public globals: the served
    # names are imported by name there; the probe module tells which runtime this is)
    g = {}
    exec("from _star_probe import *", g)
    lazy_all = "served" in g
    import gc
    for m in _STAR.split():
        # (every public module ends up loaded in one heap: on the virtual ESP32, from .mpy
        # files, the garbage of each star import's exec() is collected first, or the
        # next module's code finds no room between its pieces)
        gc.collect()
        mod = __import__("mhttp." + m, None, None, ("x",))
        want = [n for n in mod.__dict__ if n[0] != "_"]
        if lazy_all:
            want += [n for n in _MORE.get(m, "").split() if n not in want]
        want = sorted(want)
        g = {}
        exec("from mhttp.%s import *" % m, g)
        got = sorted(n for n in g if n != "__builtins__")
        assert got == want, (m, got, want)
        assert want, m
        for n in want:
            assert g[n] is getattr(mod, n), (m, n)
        g = mod = want = got = None


def test_module_getattr_refuses_odd_names_with_attribute_error():
    # A module __getattr__ (PEP 562) that serves lazy names answers every other name
    # with AttributeError, the empty name too (getattr(mod, "") raised IndexError in
    # mhttp.h1, h1_connection and request when they tested name[0])
    import mhttp.h1
    import mhttp.h1_connection
    import mhttp.request
    import mhttp.ws
    import mhttp.errors
    for mod in (mhttp.h1, mhttp.h1_connection, mhttp.request, mhttp.ws, mhttp.errors):
        for name in ("", "_", "_no_such_name", "no_such_name"):
            raises(AttributeError, getattr, mod, name)
