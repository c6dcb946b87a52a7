# mhttp.util: lua-http's http.util (portable: pytest and tools/mptest.py).
import sys
import time

from mhttp import util
from mhttp.util import (
    encodeURI, encodeURIComponent, decodeURI, decodeURIComponent, query_args,
    dict_to_query, resolve_relative_path, is_safe_method, is_ip, scheme_to_port,
    split_authority, to_authority, imf_date, parse_http_date, maybe_quote, parse_uri,
    unix_time,
)
from _t import raises, MICROPYTHON


# --- percent-encoding ---------------------------------------------------------------

def test_encodeURIComponent():
    assert encodeURIComponent("abcXYZ019-_.!~*'()") == "abcXYZ019-_.!~*'()"
    assert encodeURIComponent("a b&c=d/e?f#g") == "a%20b%26c%3Dd%2Fe%3Ff%23g"
    assert encodeURIComponent(";,/?:@&=+$#") == "%3B%2C%2F%3F%3A%40%26%3D%2B%24%23"
    assert encodeURIComponent("\u00e9") == "%C3%A9"
    assert encodeURIComponent(b"\x00\xff%") == b"%00%FF%25"
    assert encodeURIComponent("") == ""
    assert encodeURIComponent(bytearray(b"a b")) == b"a%20b"


def test_encodeURI():
    assert encodeURI(";,/?:@&=+$#abc-_.!~*'()") == ";,/?:@&=+$#abc-_.!~*'()"
    assert encodeURI("http://x/a b?c=d e#f") == "http://x/a%20b?c=d%20e#f"
    assert encodeURI("100%") == "100%25"
    assert encodeURI(b"[\x7f]\"<>") == b"%5B%7F%5D%22%3C%3E"


def test_decodeURIComponent():
    assert decodeURIComponent("a%20b%26c%3dd") == "a b&c=d"
    assert decodeURIComponent("%C3%A9") == "\u00e9"
    assert decodeURIComponent(b"%00%ff%FF") == b"\x00\xff\xff"
    assert decodeURIComponent("plain") == "plain"
    # invalid escapes stay as they are (lua-http gsub "%%(%x%x)")
    assert decodeURIComponent("100%") == "100%"
    assert decodeURIComponent("%4") == "%4"
    assert decodeURIComponent("%zz%4g%%41") == "%zz%4g%A"
    assert decodeURIComponent(b"%%%") == b"%%%"
    # "+" is not a space
    assert decodeURIComponent("a+b") == "a+b"
    # a str whose octets are not UTF-8 cannot be returned as str
    raises(ValueError, decodeURIComponent, "%FF")
    assert decodeURIComponent(b"%FF") == b"\xff"


def test_decodeURI_keeps_reserved():
    assert decodeURI("%23%24%26%2B%2C%2F%3A%3B%3D%3F%40") == "%23%24%26%2B%2C%2F%3A%3B%3D%3F%40"
    assert decodeURI("%2f%3a") == "%2f%3a"
    assert decodeURI("a%20b%41%7e%25") == "a bA~%"
    assert decodeURI(b"%C3%A9%2F") == b"\xc3\xa9%2F"


def test_encode_decode_roundtrip_all_octets():
    b = bytes(range(256))
    assert decodeURIComponent(encodeURIComponent(b)) == b
    assert decodeURIComponent(encodeURI(b)) == b
    e = encodeURIComponent(b)
    for c in e:
        assert c in b"%0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_.!~*'()"


def test_type_errors():
    raises(TypeError, encodeURI, 5)
    raises(TypeError, decodeURIComponent, None)


# --- queries --------------------------------------------------------------------------

def test_query_args_manual_example():
    assert query_args("foo=bar&baz=qux") == [("foo", "bar"), ("baz", "qux")]


def test_query_args_edge_cases():
    assert query_args("") == []
    assert query_args("&&") == []
    assert query_args("a") == [("a", None)]
    assert query_args("a=") == [("a", "")]
    assert query_args("a=b=c") == [("a", "b=c")]
    assert query_args("a=1&a=2&b") == [("a", "1"), ("a", "2"), ("b", None)]
    # lua's pattern skips leading "=" of a segment
    assert query_args("=x&==y=1&=") == [("x", None), ("y", "1")]
    assert query_args("a%20b=c%26d&e+f=%zz") == [("a b", "c&d"), ("e+f", "%zz")]
    assert query_args(b"k=%FF") == [(b"k", b"\xff")]
    raises(ValueError, query_args, "k=%FF")


def test_dict_to_query():
    assert dict_to_query({"foo": "bar", "baz": "qux"}) == "baz=qux&foo=bar"
    assert dict_to_query({}) == ""
    assert dict_to_query([("z", "1"), ("a", "x y"), ("z", "&=")]) == "z=1&a=x%20y&z=%26%3D"
    assert dict_to_query({"n": 5}) == "n=5"
    assert dict_to_query({b"k": b"\xff"}) == b"k=%FF"
    q = dict_to_query([("a b", "c&d=e"), ("\u00e9", "")])
    assert query_args(q) == [("a b", "c&d=e"), ("\u00e9", "")]
    raises(TypeError, dict_to_query, {"a": None})


# --- paths ----------------------------------------------------------------------------

BASE = "/b/c/d;p?q"

# RFC 3986 §5.4.1 and §5.4.2 (references without scheme or authority).
RFC3986_EXAMPLES = (
    ("g", "/b/c/g"), ("./g", "/b/c/g"), ("g/", "/b/c/g/"), ("/g", "/g"),
    ("?y", "/b/c/d;p?y"), ("g?y", "/b/c/g?y"), ("#s", "/b/c/d;p?q#s"),
    ("g#s", "/b/c/g#s"), ("g?y#s", "/b/c/g?y#s"), (";x", "/b/c/;x"),
    ("g;x", "/b/c/g;x"), ("g;x?y#s", "/b/c/g;x?y#s"), ("", "/b/c/d;p?q"),
    (".", "/b/c/"), ("./", "/b/c/"), ("..", "/b/"), ("../", "/b/"), ("../g", "/b/g"),
    ("../..", "/"), ("../../", "/"), ("../../g", "/g"),
    ("../../../g", "/g"), ("../../../../g", "/g"), ("/./g", "/g"), ("/../g", "/g"),
    ("g.", "/b/c/g."), (".g", "/b/c/.g"), ("g..", "/b/c/g.."), ("..g", "/b/c/..g"),
    ("./../g", "/b/g"), ("./g/.", "/b/c/g/"), ("g/./h", "/b/c/g/h"),
    ("g/../h", "/b/c/h"), ("g;x=1/./y", "/b/c/g;x=1/y"), ("g;x=1/../y", "/b/c/y"),
    ("g?y/./x", "/b/c/g?y/./x"), ("g?y/../x", "/b/c/g?y/../x"),
    ("g#s/./x", "/b/c/g#s/./x"), ("g#s/../x", "/b/c/g#s/../x"),
)


def test_resolve_relative_path_rfc3986_examples():
    for rel, want in RFC3986_EXAMPLES:
        got = resolve_relative_path(BASE, rel)
        assert got == want, (rel, got, want)


def test_resolve_relative_path_more():
    assert resolve_relative_path("/", "a") == "/a"
    assert resolve_relative_path("/a/b", "/x/../y/./z/") == "/y/z/"
    assert resolve_relative_path("/a/b/", "..") == "/a/"
    assert resolve_relative_path("/a/b", "..") == "/"
    assert resolve_relative_path("/a//b", "c") == "/a//c"
    # relative base (lua-http allows it)
    assert resolve_relative_path("a/b", "c") == "a/c"
    assert resolve_relative_path("a", "../../b") == "b"
    # ... and stays rootless, as lua-http's (RFC 3986 §5.2.4's steps would make
    # "a/../../g" "/g")
    assert resolve_relative_path("a/b", "../../g") == "g"
    assert resolve_relative_path("a/b/c", "../../../../g/") == "g/"
    assert resolve_relative_path("a/b", "../..") == ""
    # an empty base (lua-http: the reference's own segments; RFC 3986 §5.2.3's merge
    # without an authority: the reference as is)
    assert resolve_relative_path("", "g") == "g"
    assert resolve_relative_path("", "./g/../h") == "h"
    assert resolve_relative_path("", "/g") == "/g"
    assert resolve_relative_path("", "") == ""
    assert resolve_relative_path("", "?q") == "?q"
    assert resolve_relative_path(b"/a/b?x=/y", b"c") == b"/a/c"
    assert resolve_relative_path("/a", b"b") == b"/b"


# --- methods, addresses ---------------------------------------------------------------

def test_is_safe_method():
    for m in ("GET", "HEAD", "OPTIONS", "TRACE", b"GET"):
        assert is_safe_method(m) is True
    for m in ("POST", "PUT", "DELETE", "PATCH", "CONNECT", "get", "", b"POST"):
        assert is_safe_method(m) is False


def test_is_ip_v4():
    for s in ("0.0.0.0", "127.0.0.1", "255.255.255.255", "10.0.200.9", b"1.2.3.4"):
        assert is_ip(s), s
    for s in ("256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.", "a.b.c.d",
              "1..2.3", "", "1.2.3.4 ", " 1.2.3.4", "1.2.3.-4", "1234.1.1.1", "localhost"):
        assert not is_ip(s), s


def test_is_ip_v6():
    good = ("::", "::1", "1::", "fe80::1", "2001:db8::8a2e:370:7334",
            "2001:0db8:0000:0000:0000:ff00:0042:8329", "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "::ffff:192.0.2.128",
            "1:2:3:4:5:6:1.2.3.4", "FE80::ABCD", "fe80::1%eth0", "fe80::1%25en0")
    for s in good:
        assert is_ip(s), s
    bad = ("1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1::2::3", ":::", "12345::",
           "g::1", "1:2:3:4:5:6:7:8::", "::1.2.3", "1.2.3.4::", "::ffff:256.1.1.1",
           "[::1]", "fe80::1%", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "::1 ",
           "1:2:3:4:5:6:7:1.2.3.4")
    for s in bad:
        assert not is_ip(s), s


# --- authorities ----------------------------------------------------------------------

def test_scheme_to_port():
    assert scheme_to_port == {"http": 80, "ws": 80, "https": 443, "wss": 443}


def test_split_authority():
    assert split_authority("localhost:8000", "http") == ("localhost", 8000)
    assert split_authority("example.com", "https") == ("example.com", 443)
    assert split_authority("example.com", "ws") == ("example.com", 80)
    assert split_authority("example.com", b"WSS") == ("example.com", 443)
    assert split_authority("[::1]:8080", "http") == ("::1", 8080)
    assert split_authority("[::1]", "https") == ("::1", 443)
    assert split_authority("[fe80::1%25eth0]:1", "http") == ("fe80::1%25eth0", 1)
    assert split_authority(b" host:0 ", "http") == (b"host", 0)
    assert split_authority("host:", "http") == ("host", 80)
    assert split_authority("1.2.3.4:65535", "http") == ("1.2.3.4", 65535)


def test_split_authority_errors():
    raises(ValueError, split_authority, "example.com", "ftp")
    raises(ValueError, split_authority, "example.com", None)
    raises(ValueError, split_authority, "host:65536", "http")
    raises(ValueError, split_authority, "host:8o", "http")
    raises(ValueError, split_authority, "host:-1", "http")
    raises(ValueError, split_authority, "::1", "http")
    raises(ValueError, split_authority, "[::1", "http")
    raises(ValueError, split_authority, "[::1]x", "http")
    raises(ValueError, split_authority, "[nothex]:80", "http")
    raises(ValueError, split_authority, ":80", "http")
    raises(ValueError, split_authority, "", "http")


def test_to_authority():
    assert to_authority("example.com", 80, "http") == "example.com"
    assert to_authority("example.com", 443, "http") == "example.com:443"
    assert to_authority("example.com", 443, "https") == "example.com"
    assert to_authority("example.com", 80, "wss") == "example.com:80"
    assert to_authority("example.com", 8080, "ftp") == "example.com:8080"
    assert to_authority("example.com", None, "http") == "example.com"
    assert to_authority("::1", 8080, "http") == "[::1]:8080"
    assert to_authority("::1", 80, "http") == "[::1]"
    # RFC 6874 §4: a client MUST NOT send a zone (Host, :authority)
    assert to_authority("fe80::1%eth0", 8080, "http") == "[fe80::1]:8080"
    assert to_authority(b"fe80::1%25eth0", 80, "http") == b"[fe80::1]"
    assert to_authority("[::1]", 81, "http") == "[::1]:81"
    assert to_authority(b"h", 1, b"http") == b"h:1"
    assert to_authority(b"h", 80, bytearray(b"HTTP")) == b"h"
    assert to_authority("h", 80, None) == "h:80"
    raises(TypeError, to_authority, "h", 80, 5)


def test_port_and_scheme_helpers():
    # mhttp.util's _port and _scheme_str (in mhttp._util_ip; mhttp._uri has them inline)
    from mhttp import util
    assert util._port(b"8080") == 8080 and util._port(b"0") == 0
    for p in (b"", b"8x", b"65536", b"-1"):
        raises(ValueError, util._port, p)
    assert util._scheme_str("HTTP") == "http" and util._scheme_str(b"Ws") == "ws"
    assert util._scheme_str(None) is None


def test_authority_roundtrip():
    for host, port, scheme in (("a.b", 80, "http"), ("a.b", 1, "https"), ("::1", 443, "wss"),
                               ("2001:db8::1", 9, "ws"), ("10.0.0.1", 443, "http")):
        assert split_authority(to_authority(host, port, scheme), scheme) == (host, port)


# --- dates ----------------------------------------------------------------------------

def test_imf_date_known_values():
    assert imf_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT"  # RFC 9110 §5.6.7
    assert imf_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT"
    assert imf_date(951782400) == "Tue, 29 Feb 2000 00:00:00 GMT"
    assert imf_date(946684799) == "Fri, 31 Dec 1999 23:59:59 GMT"
    assert imf_date(4107542400) == "Mon, 01 Mar 2100 00:00:00 GMT"
    assert imf_date(1700000000.9) == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert imf_date(-1) == "Wed, 31 Dec 1969 23:59:59 GMT"
    assert imf_date(253402300799) == "Fri, 31 Dec 9999 23:59:59 GMT"


def test_imf_date_matches_gmtime_where_epoch_is_1970():
    # Cross-check the arithmetic against the runtime's gmtime over 1970..2106 when this
    # runtime's epoch is 1970 (CPython, MicroPython unix port).
    if time.gmtime(0)[0] != 1970:
        return
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    t = 0
    n = 0
    while t < 4300000000 and n < 3000:
        g = time.gmtime(t)
        want = "%s, %02d %s %04d %02d:%02d:%02d GMT" % (
            days[g[6]], g[2], months[g[1] - 1], g[0], g[3], g[4], g[5])
        assert imf_date(t) == want, (t, imf_date(t), want)
        t += 1433833  # about 16.6 days and some seconds
        n += 1
    assert n > 2000


def test_imf_date_now():
    s = imf_date()
    assert s.endswith(" GMT") and len(s) == 29
    t = parse_http_date(s)
    assert abs(t - unix_time()) <= 2
    # later than 2024-01-01 and earlier than 2200: the epoch offset is right
    assert 1704067200 < t < 7258118400


def test_parse_http_date_three_forms():
    assert parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777
    assert parse_http_date(b"Sun, 06 Nov 1994 08:49:37 GMT") == 784111777
    assert parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", 1718000000) == 784111777
    assert parse_http_date("Sun Nov  6 08:49:37 1994") == 784111777
    assert parse_http_date("Thu Jan  1 00:00:00 1970") == 0
    assert parse_http_date("Tue Feb 29 00:00:00 2000") == 951782400
    assert parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT") == 951782400
    assert parse_http_date("  Sun, 06 Nov 1994 08:49:37 GMT ") == 784111777


def test_parse_http_date_two_digit_year():
    now = 1718000000  # June 2024
    assert parse_http_date("Thursday, 01-Jan-70 00:00:00 GMT", now) == \
        parse_http_date("Tue, 01 Jan 2070 00:00:00 GMT")
    assert parse_http_date("Monday, 01-Jan-80 00:00:00 GMT", now) == \
        parse_http_date("Tue, 01 Jan 1980 00:00:00 GMT")
    assert parse_http_date("Saturday, 01-Jan-00 00:00:00 GMT", now) == 946684800


def test_parse_http_date_roundtrip():
    t = -86400 * 365
    while t < 5000000000:
        assert parse_http_date(imf_date(t)) == t
        t += 98765432


def test_parse_http_date_rejects():
    for s in ("", "garbage", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT",
              "Sun, 06 Nov 94 08:49:37 GMT", "Sun, 06 Nvv 1994 08:49:37 GMT",
              "Sun, 31 Nov 1994 08:49:37 GMT", "Sun, 29 Feb 1900 00:00:00 GMT",
              "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT",
              "Sun, 06 Nov 1994 8:49:37 GMT", "Sun,06 Nov 1994 08:49:37 GMT",
              "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun, 00 Nov 1994 08:49:37 GMT",
              "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 GMT x",
              "Sun, 06-Nov-94 08:49:37 GMT", "Sunday, 06 Nov 1994 08:49:37 GMT",
              "Sunday, 06-Nov-1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 PST",
              "Sun Nov 06 08:49:37 1994", "Sun Nov 6 08:49:37 1994",
              "Sun Nov  6 08:49:37 94", "Sun Nov 36 08:49:37 1994",
              "Sun Nov  6 08:49:37  1994", "Sun Nov  6 08-49-37 1994",
              "Sun, 06 Nov 1994 +8:49:37 GMT", "Sun, 06 Nov 1994 08:49:3a GMT"):
        assert parse_http_date(s) is None, s


# --- quoting --------------------------------------------------------------------------

def test_maybe_quote():
    assert maybe_quote("token") == "token"
    assert maybe_quote("a!#$%&'*+-.^_`|~1") == "a!#$%&'*+-.^_`|~1"
    assert maybe_quote("two words") == '"two words"'
    assert maybe_quote("") == '""'
    assert maybe_quote('a"b\\c') == '"a\\"b\\\\c"'
    assert maybe_quote("tab\there") == '"tab\there"'
    assert maybe_quote("a;b=c") == '"a;b=c"'
    assert maybe_quote(b"caf\xc3\xa9") == b'"caf\xc3\xa9"'
    assert maybe_quote("line\nbreak") is None
    assert maybe_quote("nul\x00") is None
    assert maybe_quote(b"del\x7f") is None


# --- URIs -----------------------------------------------------------------------------

def test_parse_uri_basic():
    assert parse_uri("http://example.com") == ("http", None, "example.com", 80, "/", None)
    assert parse_uri("HTTPS://User:Pw@Example.COM:8443/a/b?c=d#frag") == \
        ("https", "User:Pw", "example.com", 8443, "/a/b?c=d", "frag")
    assert parse_uri("ws://h?q") == ("ws", None, "h", 80, "/?q", None)
    assert parse_uri("wss://h#f") == ("wss", None, "h", 443, "/", "f")
    assert parse_uri("http://h:/x") == ("http", None, "h", 80, "/x", None)
    assert parse_uri("foo://h/x") == ("foo", None, "h", None, "/x", None)
    assert parse_uri("foo://h:7/x") == ("foo", None, "h", 7, "/x", None)
    assert parse_uri(b"http://a@b@c/") == (b"http", b"a@b", b"c", 80, b"/", None)
    assert parse_uri("http://h/p%20q?x#") == ("http", None, "h", 80, "/p%20q?x", "")
    # (each branch of the index-based parse: fragment or query right after the
    # authority, a bare "/", leading zeros in the port, userinfo with a colon)
    assert parse_uri(b"http://h#f/x") == (b"http", None, b"h", 80, b"/", b"f/x")
    assert parse_uri(b"http://h?#") == (b"http", None, b"h", 80, b"/?", b"")
    assert parse_uri(b"http://h/") == (b"http", None, b"h", 80, b"/", None)
    assert parse_uri(b"http://h//") == (b"http", None, b"h", 80, b"//", None)
    assert parse_uri("Http://u:p@H-1.Ex:0080/#") == ("http", "u:p", "h-1.ex", 80, "/", "")
    assert parse_uri(b"http://127.0.0.1:65535") == (b"http", None, b"127.0.0.1", 65535, b"/",
                                                    None)


def test_parse_uri_ip_literals():
    assert parse_uri("http://[::1]:8080/x") == ("http", None, "::1", 8080, "/x", None)
    assert parse_uri("https://[2001:DB8::1]/") == ("https", None, "2001:db8::1", 443, "/", None)
    # RFC 6874: the zone decoded ("%25" is the URI's escape of "%"; its own escapes
    # too), in the form a socket address takes; its case kept, the address lowercased
    assert parse_uri("http://[fe80::1%25eth0]/") == ("http", None, "fe80::1%eth0", 80, "/", None)
    assert parse_uri(b"http://[FE80::A%25En%2D0]:81/") == (b"http", None, b"fe80::a%En-0", 81,
                                                           b"/", None)
    assert parse_uri("http://[::1%251]/")[2] == "::1%1"
    for bad in ("http://[fe80::1%25]/", "http://[fe80::1%25a%2]/", "http://[fe80::1%25a%zz]/",
                "http://[fe80::1%25a%00]/", "http://[fe80::1%25a%20b]/", "http://[fe80::1%25a!b]/",
                "http://[fe80::1%25a%25]/", "http://[fe80::1%2]/"):
        raises(ValueError, parse_uri, bad)
    assert parse_uri("http://127.0.0.1:1/") == ("http", None, "127.0.0.1", 1, "/", None)


def test_parse_uri_errors():
    for u in ("example.com/x", "/path", "http:/x", "http:x", "://h/", "1http://h/",
              "http://", "http:///x", "http://h:99999/", "http://h:x/", "http://[::1/",
              "http://[::1]x/", "http://[zz]/", "http://::1/", "http://h /",
              "http://h/a b", "http://h/\x00", "ht tp://h/", "h_p://h/", "http://u@/"):
        raises(ValueError, parse_uri, u)
    raises(TypeError, parse_uri, None)


def test_parse_uri_error_texts():
    # the texts live in mhttp._util_ip (loaded with the first error); each names the fault
    for u, text in (("/path", "URI has no scheme"), ("1http://h/", "invalid URI scheme"),
                    ("http:/x", "URI has no authority"), ("http://h:/x", None),
                    ("http://h:99999/", "port out of range: 99999"),
                    ("http://h:x1/", "invalid port b'x1'"), ("http://a b/", "whitespace"),
                    ("http://h]/", "invalid host in URI"), ("http://u@/", "URI has an empty host"),
                    ("http://[::1/", "unterminated IPv6"), ("http://[::1]x/", "junk after IPv6"),
                    ("http://[zz]/", "invalid IPv6 literal")):
        if text is None:
            assert parse_uri(u)[3] == 80
            continue
        e = raises(ValueError, parse_uri, u)
        assert str(e).startswith(text), (u, str(e))
    e = raises(TypeError, parse_uri, 5)
    assert str(e) == "expected bytes or str, got int"
    assert to_authority(b"fe80::1", 8080, b"http") == b"[fe80::1]:8080"


def test_dates_and_paths_are_reached_lazily():
    # mhttp._util_date / mhttp._util_path, through util's module __getattr__
    import mhttp._util_date as d
    import mhttp._util_path as p
    assert util.imf_date is d.imf_date and util.parse_http_date is d.parse_http_date
    assert util.resolve_relative_path is p.resolve_relative_path
    raises(AttributeError, getattr, util, "no_such_name")
    assert not hasattr(util, "imf")


def test_unix_time_epoch():
    t = unix_time()
    assert isinstance(t, int)
    assert 1704067200 < t < 7258118400
    if not MICROPYTHON:
        assert abs(t - time.time()) < 2
    # the offset a 2000-epoch board (ESP32, RP2040) gets added to its time.time()
    assert util._days_from_civil(2000, 1, 1) * 86400 == 946684800
    assert util._days_from_civil(1970, 1, 1) == 0
    assert util._civil_from_days(-719468) == (0, 3, 1)
