# mhttp.headers: lua-http's http.headers behaviour (portable).
import sys

from mhttp.headers import Headers
from _t import raises, MICROPYTHON


def test_append_get_and_order():
    h = Headers()
    h.append(":status", "200")
    h.append("Set-Cookie", b"a=1")
    h.append("set-cookie", "b=2")
    h.append("X-Thing", "v")
    assert len(h) == 4
    assert h.get(":status") == b"200"
    assert h.get_as_sequence("set-cookie") == [b"a=1", b"b=2"]
    assert h.get_comma_separated("set-cookie") == b"a=1, b=2"
    assert [f[0] for f in h] == [b":status", b"set-cookie", b"set-cookie", b"x-thing"]
    assert h.geti(1) == (b"set-cookie", b"a=1", True)
    assert h.geti(3)[2] is False
    assert h.get("missing") is None
    assert h.get_comma_separated("missing") is None


def test_never_index_defaults():
    h = Headers()
    for n in ("authorization", "Proxy-Authorization", "cookie", "set-cookie", "accept"):
        h.append(n, "x")
    assert [f[2] for f in h] == [True, True, True, True, False]
    h.append("authorization", "y", False)
    assert h.geti(5)[2] is False


def test_modifyi_and_upsert_never_index_none_is_the_names_default():
    # lua-http's headers:modifyi / upsert (entry:modify): a never_index left out (nil)
    # takes the name's default, as append's, not the field's old flag
    h = Headers()
    h.append("x-token", "1", True)
    h.append("authorization", "a", False)
    h.append("cookie", "c", False)
    h.modifyi(0, "2")
    h.upsert("authorization", "b")
    h.modifyi(2, "d", False)
    assert list(h) == [(b"x-token", b"2", False), (b"authorization", b"b", True),
                       (b"cookie", b"d", False)]
    h.upsert("x-token", "3", True)
    h.modifyi(2, "e", True)
    assert h.geti(0) == (b"x-token", b"3", True) and h.geti(2) == (b"cookie", b"e", True)


def test_has_delete_modify_upsert_clone():
    h = Headers([("a", "1"), ("b", "2"), ("a", "3")])
    assert h.has("A") and "b" in h and not h.has("c")
    c = h.clone()
    assert h.delete("a") is True
    assert h.delete("a") is False
    assert len(h) == 1 and len(c) == 3
    c.modifyi(1, "two")
    assert c.get("b") == b"two"
    c.upsert("b", "deux")
    c.upsert("new", "n")
    assert c.get("b") == b"deux" and c.get("new") == b"n"
    e = raises(ValueError, c.upsert, "a", "x")
    assert str(e) == "upsert: more than one b'a' field", str(e)    # (its text: _headers_more)
    e = raises(TypeError, Headers, [(1.5, "x")])
    assert str(e) == "header name or value must be bytes or str", str(e)


def test_sort_as_lua_http():
    # lua-http headers:sort(): by name, those starting with ':' first; equal names by
    # value, then never_index (a never-index field first)
    h = Headers([("b", "1"), (":path", "/"), ("a", "2"), (":method", "GET"), ("b", "0"),
                 (":authority", "h")])
    h.sort()
    assert [(f[0], f[1]) for f in h] == [
        (b":authority", b"h"), (b":method", b"GET"), (b":path", b"/"), (b"a", b"2"),
        (b"b", b"0"), (b"b", b"1")]
    h = Headers([("x", "1", False), ("x", "1", True), ("x", "0", False)])
    h.sort()
    assert list(h) == [(b"x", b"0", False), (b"x", b"1", True), (b"x", b"1", False)]
    for _ in range(3):      # one order whatever the start (MicroPython's sort is unstable)
        h = Headers([("c", "1"), ("a", "2"), ("c", "0"), ("a", "1"), (":s", "x")] * 3)
        h.sort()
        assert [f[:2] for f in h] == [(b":s", b"x")] * 3 + [(b"a", b"1")] * 3 + \
            [(b"a", b"2")] * 3 + [(b"c", b"0")] * 3 + [(b"c", b"1")] * 3


def test_dump():
    import io
    h = Headers([("a", "1")])
    f = io.StringIO()
    assert h.dump(f, "> ") == "> a: 1\n" and f.getvalue() == "> a: 1\n"
    # obs-text (RFC 9110 §5.5) is shown escaped, not a UnicodeDecodeError
    f = io.StringIO()
    Headers([("x-name", b"caf\xe9"), ("y", "\u00e9")]).dump(f)
    assert f.getvalue() == "x-name: caf\\xe9\ny: \u00e9\n", f.getvalue()


def test_dump_without_a_file_writes_to_stderr():
    # lua-http: "If file is not given, then print to stderr" (the text is returned too)
    # (MicroPython's sys.stderr cannot be replaced: there the lines go to the real stderr
    # and only the returned text is checked)
    import io
    h = Headers([("a", "1"), ("b", b"\xff")])
    if MICROPYTHON:
        assert h.dump(None, "< ") == "< a: 1\n< b: \\xff\n"
        return
    err = sys.stderr
    sys.stderr = f = io.StringIO()
    try:
        r = h.dump(None, "< ")
    finally:
        sys.stderr = err
    assert f.getvalue() == r == "< a: 1\n< b: \\xff\n", r


# the rare methods, as mhttp.headers lists them (in its __getattr__ and settle call)
_RARE = "clone len each delete geti get_comma_separated modifyi sort dump"


def _forget_rare():
    # Unbinds the rare methods (a previous test may have bound them) and forgets the module.
    # Only on MicroPython: CPython binds them at import (see the end of mhttp.headers).
    if not MICROPYTHON:
        return
    for n in _RARE.split():
        if n in Headers.__dict__:
            delattr(Headers, n)
    sys.modules.pop("mhttp._headers_more", None)


def test_request_path_methods_do_not_load_the_rare_module():
    _forget_rare()
    h = Headers([(":method", "GET"), ("Host", "x")])
    h.append("Cookie", "a=1")
    h.upsert(b"host", b"y")                 # replace: no modifyi (rare) involved
    h.upsert(b"accept", b"*/*")
    assert h.get(b"host") == b"y" and h.has(b"cookie") and b"accept" in h
    assert h.get_as_sequence(b"host") == [b"y"] and len(h) == 4
    assert list(h)[2] == (b"cookie", b"a=1", True)
    assert Headers._trusted([(b"a", b"1", False)]) == Headers([(b"a", b"1")])
    assert "Headers(" in repr(h)
    assert not hasattr(h, "nope") and not hasattr(h, "sor")
    assert "mhttp._headers_more" not in sys.modules or not MICROPYTHON


def test_rare_methods_bound_on_first_use():
    _forget_rare()
    h = Headers([(":path", "/"), ("b", "2"), ("a", "1"), ("b", "3"), (":method", "GET")])
    assert h.len() == 5 and list(h.each()) == list(h)
    assert "mhttp._headers_more" in sys.modules and "len" in Headers.__dict__
    assert h.geti(1) == (b"b", b"2", False)
    assert h.get_comma_separated("b") == b"2, 3" and h.get_comma_separated("z") is None
    c = h.clone()
    assert c == h and c is not h and c._l is not h._l
    c.sort()
    assert [f[0] for f in c] == [b":method", b":path", b"a", b"b", b"b"]
    assert [f[1] for f in c][3:] == [b"2", b"3"]
    c.modifyi(2, "9")
    assert c.get(b"a") == b"9" and h.get(b"a") == b"1"
    assert c.delete(b"b") and not c.delete(b"b") and c.len() == 3
    import io
    assert h.dump(io.StringIO(), "> ").startswith("> :path: /\n> b: 2\n")
    for n in ("clone", "len", "each", "delete", "geti", "get_comma_separated", "modifyi",
              "sort", "dump"):
        assert n in Headers.__dict__, n
    f = Headers([("x", "1")]).geti            # a bound method, as before the move
    assert f(0) == (b"x", b"1", False)


def test_cpython_binds_rare_methods_at_import():
    # A class with __getattr__ loses CPython's attribute specialisation (~2x slower
    # self._l): there the rare methods are bound at import and __getattr__ is gone.
    if MICROPYTHON:
        return
    assert "__getattr__" not in Headers.__dict__
    for n in _RARE.split():
        assert n in Headers.__dict__, n


def test_names_lowercased_without_copying_lowercase_ones():
    n = b"x-already-lower"
    h = Headers()
    h.append(n, b"1")
    h.append(b"X-Mixed", b"2")
    h.append(b"123", b"3")
    h.append("Str-Name", "4")
    assert list(h)[0][0] is n                     # no copy made
    assert [f[0] for f in h] == [n, b"x-mixed", b"123", b"str-name"]
    assert h.get(b"X-MIXED") == b"2" and h.has("STR-name") and h.get(b"123") == b"3"


def test_module_new_builds_headers():
    from mhttp import headers
    h = headers.new([("A", "1")])
    assert isinstance(h, Headers) and h.get(b"a") == b"1" and len(headers.new()) == 0


def test_int_values_as_decimal_bytes():
    # an int value is written as b"%d" % value would write it
    h = Headers([(b"content-length", 5), (b"x-neg", -3), (b"x-big", 2 ** 70)])
    assert [f[1] for f in h] == [b"5", b"-3", b"%d" % 2 ** 70]
    h.upsert(b"content-length", 12)
    assert h.get(b"content-length") == b"12"
    if isinstance(True, int):
        # CPython: a bool is an int, b"1" / b"0" as before (MicroPython's bool is not an
        # int: a TypeError there, as before)
        assert Headers([(b"a", True), (b"b", False)]).get_as_sequence(b"a") == [b"1"]
        assert Headers([(b"b", False)]).get(b"b") == b"0"
