# mhttp.headers: lua-http's http.headers behaviour (portable).
from mhttp.headers import Headers
from _t import raises


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
    raises(ValueError, c.upsert, "a", "x")


def test_sort_pseudo_first_and_stable():
    h = Headers([("b", "1"), (":path", "/"), ("a", "2"), (":method", "GET"), ("b", "0")])
    h.sort()
    assert [(f[0], f[1]) for f in h] == [
        (b":path", b"/"), (b":method", b"GET"), (b"a", b"2"), (b"b", b"1"), (b"b", b"0")]


def test_dump():
    h = Headers([("a", "1")])
    assert h.dump(prefix="> ") == "> a: 1\n"
