# mhttp.request pure logic (portable: pytest on CPython, tools/mptest.py on MicroPython):
# URI handling, redirect rules (lua-http http.request semantics), body sources, the
# connection pool's bookkeeping and the CLI's argument parsing / progress line.
import io

import mhttp.request as request
from mhttp.request import new_from_uri, new_connect, RedirectError
from mhttp._request_more import _BodyReader
from mhttp.headers import Headers
from _t import raises


def _resp(status, location=None):
    h = Headers()
    h.append(":status", status)
    if location is not None:
        h.append("location", location)
    return h


def _chunks(body):
    r = _BodyReader(body, 4)
    out = []
    for _ in range(1000):
        c = r.next_chunk()
        if c is None:
            return out
        out.append(bytes(c))
    raise AssertionError("body reader did not end")


# ---- new_from_uri / to_uri / clone ------------------------------------------------

def test_new_from_uri_basic():
    r = new_from_uri("http://example.com")
    assert (r.host, r.port, r.tls) == ("example.com", 80, False)
    h = r.headers
    assert [f[0] for f in h][:4] == [b":method", b":authority", b":path", b":scheme"]
    assert h.get(":method") == b"GET"
    assert h.get(":authority") == b"example.com"
    assert h.get(":path") == b"/"
    assert h.get(":scheme") == b"http"
    assert h.get("user-agent") == request.DEFAULT_USER_AGENT
    assert r.body is None
    assert r.follow_redirects is True and r.max_redirects == 5
    assert r.expect_100_timeout == 1 and r.post301 is False and r.post302 is False


def test_new_from_uri_https_port_query_fragment():
    r = new_from_uri("HTTPS://Example.COM:8443/a/b?x=1&y=%20#frag")
    assert (r.host, r.port, r.tls) == ("example.com", 8443, True)
    assert r.headers.get(":authority") == b"example.com:8443"
    assert r.headers.get(":path") == b"/a/b?x=1&y=%20"
    assert r.headers.get(":scheme") == b"https"
    assert r.to_uri() == "https://example.com:8443/a/b?x=1&y=%20"
    # default port omitted from :authority
    r = new_from_uri("https://example.com:443/")
    assert r.port == 443 and r.headers.get(":authority") == b"example.com"
    r = new_from_uri("http://h?q")
    assert r.headers.get(":path") == b"/?q"


def test_new_from_uri_ipv6_and_ws():
    r = new_from_uri("http://[::1]:8080/x")
    assert r.host == "::1" and r.port == 8080
    assert r.headers.get(":authority") == b"[::1]:8080"
    assert r.to_uri() == "http://[::1]:8080/x"
    r = new_from_uri("wss://h/chat")
    assert r.tls is True and r.port == 443


def test_new_from_uri_ipv6_zone():
    # RFC 6874: connect to the decoded zone ("fe80::1%eth0"), never send it (Host /
    # :authority, the Referer of a redirect); a redirect to a zoned literal too.
    r = new_from_uri("http://[fe80::1%25eth0]:8080/p")
    assert (r.host, r.port) == ("fe80::1%eth0", 8080)
    assert r.headers.get(":authority") == b"[fe80::1]:8080"
    assert r.to_uri() == "http://[fe80::1]:8080/p"
    n = r.handle_redirect(_resp("302", "http://[FE80::2%25eth1]/q"))
    assert (n.host, n.port) == ("fe80::2%eth1", 80)
    assert n.headers.get(":authority") == b"[fe80::2]"
    assert n.headers.get("referer") == b"http://[fe80::1]:8080/p"
    raises(ValueError, new_from_uri, "http://[fe80::1%25]/")


def test_new_from_uri_userinfo_basic_auth():
    r = new_from_uri("http://user:p%40ss@h/")
    assert r.headers.get("authorization") == b"basic dXNlcjpwQHNz"  # user:p@ss
    assert r.headers.geti(4)[2] is True  # never indexed
    assert r.to_uri() == "http://h/"
    assert r.to_uri(True) == "http://user:p%40ss@h/"


def test_new_from_uri_bad():
    raises(ValueError, new_from_uri, "ftp://h/")
    raises(ValueError, new_from_uri, "/relative/only")
    raises(ValueError, new_from_uri, "http:///nohost")
    raises(ValueError, new_from_uri, "http://h:99999/")
    raises(ValueError, new_from_uri, "http://h/a b")


def test_user_headers_kept():
    h = Headers()
    h.append(":method", "POST")
    h.append("user-agent", "me")
    r = new_from_uri("http://h/p", h)
    assert r.headers.get(":method") == b"POST"
    assert r.headers.get_as_sequence("user-agent") == [b"me"]


def test_new_connect():
    r = new_connect("http://proxy:3128", "example.com:443")
    assert r.headers.get(":method") == b"CONNECT"
    assert r.headers.get(":authority") == b"example.com:443"
    assert not r.headers.has(":path")
    assert (r.host, r.port) == ("proxy", 3128)
    assert r.to_uri() == "http://example.com:443"
    r = new_connect("http://u:pw@proxy:3128", "t:22")
    assert r.headers.get("proxy-authorization") == b"basic dTpwdw=="
    assert not r.headers.has("authorization")
    raises(ValueError, new_connect, "http://proxy:3128/path", "t:22")


def test_clone_is_deep_for_headers():
    r = new_from_uri("http://h/")
    r.max_redirects = 2
    r.body = b"x"
    c = r.clone()
    c.headers.upsert(":path", "/other")
    assert r.headers.get(":path") == b"/"
    assert c.max_redirects == 2 and c.body == b"x"
    assert "max_redirects" not in new_from_uri("http://h/").clone().__dict__


def test_to_uri_userinfo_needs_basic():
    r = new_from_uri("http://h/")
    r.headers.append("authorization", "Bearer abc")
    raises(ValueError, r.to_uri, True)
    assert r.to_uri(False) == "http://h/"


# ---- redirects --------------------------------------------------------------------

def test_redirect_absolute():
    r = new_from_uri("http://a.example/x/y")
    n = r.handle_redirect(_resp("302", "https://b.example:8443/p?q=1"))
    assert (n.host, n.port, n.tls) == ("b.example", 8443, True)
    assert n.headers.get(":authority") == b"b.example:8443"
    assert n.headers.get(":path") == b"/p?q=1"
    assert n.headers.get(":scheme") == b"https"
    assert n.headers.get("referer") == b"http://a.example/x/y"
    assert n.max_redirects == 4 and r.max_redirects == 5


def test_redirect_relative_references():
    r = new_from_uri("http://h/a/b/c?old=1")
    cases = (
        ("d", "/a/b/d"),
        ("./d", "/a/b/d"),
        ("../d", "/a/d"),
        ("../../../../d", "/d"),
        ("/abs/./x/../y", "/abs/y"),
        ("d?z=2", "/a/b/d?z=2"),
        ("?z=2", "/a/b/c?z=2"),
        ("", "/a/b/c?old=1"),
        ("#frag", "/a/b/c?old=1"),
        ("d#frag", "/a/b/d"),
    )
    for loc, path in cases:
        n = r.handle_redirect(_resp("301", loc))
        assert n.headers.get(":path") == path.encode(), (loc, n.headers.get(":path"))
        assert n.host == "h" and n.port == 80 and n.tls is False


def test_redirect_network_path_keeps_scheme():
    r = new_from_uri("https://h/a")
    n = r.handle_redirect(_resp("302", "//other:444/z"))
    assert (n.host, n.port, n.tls) == ("other", 444, True)
    assert n.headers.get(":authority") == b"other:444"
    assert n.headers.get(":path") == b"/z"
    n = r.handle_redirect(_resp("302", "//other/z"))
    assert n.port == 443


def test_redirect_scheme_change_same_host():
    r = new_from_uri("http://h/a")
    n = r.handle_redirect(_resp("301", "https://h/a"))
    assert (n.port, n.tls) == (443, True)
    assert n.headers.get(":authority") == b"h"


def test_redirect_host_field_follows_the_authority():
    # A host field (written by HTTP/1.1 in place of :authority) names the old target: it
    # goes when :authority changes (RFC 9110 §7.2), stays when the authority does not.
    r = new_from_uri("http://127.0.0.1:8080/a")
    r.headers.append("host", "vhost.example:8080")
    for loc, auth in (("http://other.example/z", b"other.example"),
                      ("//other.example:81/z", b"other.example:81"),
                      ("http://127.0.0.1/a", b"127.0.0.1"),
                      ("http://127.0.0.1:8081/a", b"127.0.0.1:8081")):
        n = r.handle_redirect(_resp("302", loc))
        assert not n.headers.has("host"), loc
        assert n.headers.get(":authority") == auth
    r2 = new_from_uri("http://h/a")
    r2.headers.append("host", "vhost.example")
    n = r2.handle_redirect(_resp("301", "https://h/a"))   # port 80 -> 443: same authority
    assert n.headers.get(":authority") == b"h" and n.headers.get("host") == b"vhost.example"
    for loc in ("/b", "b?x", "http://127.0.0.1:8080/c", "//127.0.0.1:8080/c",
                "https://127.0.0.1:8080/c"):
        n = r.handle_redirect(_resp("307", loc))
        assert n.headers.get("host") == b"vhost.example:8080", loc
        assert n.headers.get(":authority") == b"127.0.0.1:8080"
    assert r.headers.get("host") == b"vhost.example:8080"    # the original is unchanged


def test_redirect_post_becomes_get():
    for status, attr in (("301", "post301"), ("302", "post302"), ("303", None)):
        r = new_from_uri("http://h/form")
        r.headers.upsert(":method", "POST")
        r.headers.append("content-type", "application/x-www-form-urlencoded")
        r.headers.append("content-encoding", "gzip")
        r.set_body(b"x" * 2000)
        assert r.headers.get("expect") == b"100-continue"
        n = r.handle_redirect(_resp(status, "/done"))
        assert n.headers.get(":method") == b"GET", status
        for name in ("content-length", "content-type", "content-encoding", "expect"):
            assert not n.headers.has(name), (status, name)
        assert n.body is None
        assert r.body is not None and r.headers.get(":method") == b"POST"
        if attr:
            setattr(r, attr, True)
            n = r.handle_redirect(_resp(status, "/done"))
            assert n.headers.get(":method") == b"POST" and n.body == r.body


def test_redirect_303_any_method_307_308_keep():
    r = new_from_uri("http://h/x")
    r.headers.upsert(":method", "PUT")
    r.set_body(b"abc")
    assert r.handle_redirect(_resp("303", "/y")).headers.get(":method") == b"GET"
    h = new_from_uri("http://h/x")
    h.headers.upsert(":method", "HEAD")
    assert h.handle_redirect(_resp("303", "/y")).headers.get(":method") == b"HEAD"
    for st in ("307", "308"):
        n = r.handle_redirect(_resp(st, "/y"))
        assert n.headers.get(":method") == b"PUT"
        assert n.body == b"abc" and n.headers.get("content-length") == b"3"
    # 301 of a PUT is not converted (only POST is)
    assert r.handle_redirect(_resp("301", "/y")).headers.get(":method") == b"PUT"


def test_redirect_one_shot_body_cannot_be_replayed():
    r = new_from_uri("http://h/x")
    r.headers.upsert(":method", "POST")
    r.set_body(iter([b"a", b"b"]))
    e = raises(RedirectError, r.handle_redirect, _resp("307", "/y"))
    assert "one-shot" in str(e)
    # but a 303 drops the body, so it is fine
    assert r.handle_redirect(_resp("303", "/y")).body is None
    r.set_body([b"a", b"b"])  # a list can be iterated again
    assert r.handle_redirect(_resp("307", "/y")).body == [b"a", b"b"]


def test_redirect_limits_and_bad_locations():
    r = new_from_uri("http://h/")
    r.max_redirects = 0
    e = raises(RedirectError, r.handle_redirect, _resp("302", "/x"))
    assert "maximum redirects" in str(e)
    r = new_from_uri("http://h/")
    raises(RedirectError, r.handle_redirect, _resp("302"))
    raises(RedirectError, r.handle_redirect, _resp("302", "http://h:notaport/"))
    raises(RedirectError, r.handle_redirect, _resp("302", "ftp://h/file"))
    raises(RedirectError, r.handle_redirect, _resp("302", "http:///x"))
    # the chain counts down
    n = r
    for i in range(5):
        n = n.handle_redirect(_resp("302", "/%d" % i))
    assert n.max_redirects == 0
    raises(RedirectError, n.handle_redirect, _resp("302", "/again"))


def test_redirect_cross_origin_strips_credentials():
    r = new_from_uri("http://user:pw@a.example/")
    r.headers.append("cookie", "s=1")
    assert r.headers.has("authorization")
    same = r.handle_redirect(_resp("302", "/next"))
    assert same.headers.has("authorization") and same.headers.has("cookie")
    same = r.handle_redirect(_resp("302", "http://A.example:80/next"))
    assert same.headers.has("authorization")
    for loc in ("http://b.example/", "https://a.example/", "http://a.example:8080/"):
        n = r.handle_redirect(_resp("302", loc))
        assert not n.headers.has("authorization"), loc
        assert not n.headers.has("cookie"), loc
    # a Location with its own userinfo brings its own credentials
    n = r.handle_redirect(_resp("302", "http://x:y@b.example/"))
    assert n.headers.get("authorization") == b"basic eDp5"


def test_redirect_referer_rules():
    r = new_from_uri("https://u:p@h/secret?x=1")
    n = r.handle_redirect(_resp("302", "http://h/plain"))
    assert not n.headers.has("referer")
    n = r.handle_redirect(_resp("302", "/other"))
    assert n.headers.get("referer") == b"https://h/secret?x=1"  # no userinfo in it


def test_redirect_sendname_reset_and_ctx_kept():
    r = new_from_uri("https://h/")
    r.sendname = "h"
    r.ctx = object()
    n = r.handle_redirect(_resp("302", "https://other/"))
    assert n.sendname is None and n.ctx is r.ctx
    n = r.handle_redirect(_resp("302", "/same"))
    assert n.sendname == "h"


def test_connect_redirect_rules():
    r = new_connect("http://proxy:3128", "t:443")
    raises(RedirectError, r.handle_redirect, _resp("302", "http://other:3128/path"))
    n = r.handle_redirect(_resp("302", "http://other:3128"))
    assert (n.host, n.port) == ("other", 3128)
    assert n.headers.get(":authority") == b"t:443"


# ---- bodies -----------------------------------------------------------------------

def test_set_body_bytes_and_str():
    r = new_from_uri("http://h/")
    r.set_body(b"hello")
    assert r.headers.get("content-length") == b"5"
    assert not r.headers.has("expect")
    r.set_body("h\u00e9")
    assert r.body == b"h\xc3\xa9" and r.headers.get("content-length") == b"3"
    r.set_body(b"x" * 1025)
    assert r.headers.get("content-length") == b"1025"
    assert r.headers.get_as_sequence("expect") == [b"100-continue"]
    r.set_body(b"x" * 2000)  # no duplicate expect
    assert r.headers.get_as_sequence("expect") == [b"100-continue"]
    r.set_body(None)
    assert not r.headers.has("content-length") and not r.headers.has("expect")
    assert r.body is None


def test_set_body_file_and_iterators():
    r = new_from_uri("http://h/")
    f = io.BytesIO(b"0123456789")
    f.read(3)
    r.set_body(f)
    # sent from its start (lua-http seeks it there), so counted from 0, not from 3
    assert r.headers.get("content-length") == b"10"
    assert b"".join(_chunks(f)) == b"0123456789"
    w = io.BytesIO()
    w.write(b"written, not rewound")
    r.set_body(w)
    assert r.headers.get("content-length") == b"20"
    assert b"".join(_chunks(w)) == b"written, not rewound"
    r.set_body(iter([b"a"]))
    assert not r.headers.has("content-length")
    assert r.headers.get("expect") == b"100-continue"

    def gen():
        yield b"x"
    r.set_body(gen())
    assert not r.headers.has("content-length")


def test_body_reader_sources():
    assert _chunks(b"abc") == [b"abc"]
    assert _chunks(b"") == []
    assert _chunks("h\u00e9") == [b"h\xc3\xa9"]
    assert _chunks(io.BytesIO(b"0123456789")) == [b"0123", b"4567", b"89"]
    assert _chunks([b"a", b"", "b", bytearray(b"c")]) == [b"a", b"b", b"c"]

    def gen():
        for i in range(3):
            yield b"%d" % i
    assert _chunks(gen()) == [b"0", b"1", b"2"]
    state = [0]

    def fn():
        state[0] += 1
        return b"f" if state[0] <= 2 else None
    assert _chunks(fn) == [b"f", b"f"]
    raises(TypeError, _chunks, [b"a", 5])


def test_body_reader_file_restarts_from_start():
    f = io.BytesIO(b"abcdef")
    assert _chunks(f) == [b"abcd", b"ef"]
    assert _chunks(f) == [b"abcd", b"ef"]  # seeked back: a 307 resends it whole


def test_body_length_and_replayable():
    assert request.body_length(None) == 0
    assert request.body_length(b"abc") == 3
    assert request.body_length(io.BytesIO(b"abcd")) == 4
    f = io.BytesIO(b"abcd")
    f.read(1)
    assert request.body_length(f) == 4     # from the start, as _BodyReader sends it
    f.read()
    assert request.body_length(f) == 4

    class Unseekable:
        def read(self, n=-1):
            return b""

        def seek(self, *a):
            raise OSError("not seekable")
    assert request.body_length(Unseekable()) is None
    assert request.body_length(iter([])) is None
    assert request.body_replayable(b"x") and request.body_replayable(io.BytesIO(b"x"))
    assert request.body_replayable([b"x"])
    assert not request.body_replayable(iter([b"x"]))


# ---- pool bookkeeping ---------------------------------------------------------------

class _Conn:
    def __init__(self):
        self.closed = False

    def abort(self):
        self.closed = True


def test_pool_limits_close_oldest():
    p = request.Pool(max_per_key=2, max_total=3)
    cs = [_Conn() for i in range(5)]
    p.put("a", cs[0])
    p.put("a", cs[1])
    p.put("a", cs[2])
    assert cs[0].closed and not cs[1].closed and not cs[2].closed
    p.put("b", cs[3])
    p.put("c", cs[4])
    assert p.count() == 3 and p.count("a") == 1
    assert cs[1].closed
    # a connection that is not reusable (no protocol state: closed) is dropped by get
    assert p.get("b") is None and cs[3].closed and p.count() == 2
    p.close_all()
    assert all(c.closed for c in cs) and p.entries == []
