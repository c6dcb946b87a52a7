# mhttp.ws opening handshake helpers (RFC 6455 §4, RFC 8441), portable.
from mhttp.ws import (client_key, accept_key, client_request, server_handshake,
                      client_check_response, HandshakeError, PerMessageDeflate, _valid_key)
from mhttp.headers import Headers
from mhttp._sha1 import sha1
from mhttp.errors import ProtocolError
from _t import raises
import binascii

RFC_KEY = b"dGhlIHNhbXBsZSBub25jZQ=="


def test_rfc6455_1_3_accept_example():
    assert accept_key(RFC_KEY) == b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_portable_sha1_vectors():
    # FIPS 180 examples and the padding edges.
    assert binascii.hexlify(sha1(b"abc")) == b"a9993e364706816aba3e25717850c26c9cd0d89d"
    assert binascii.hexlify(sha1(b"")) == b"da39a3ee5e6b4b0d3255bfef95601890afd80709"
    assert binascii.hexlify(sha1(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) == \
        b"84983e441c3bd26ebaae4aa1f95129e5e54670f1"
    import hashlib
    for n in (55, 56, 63, 64, 65, 119, 120, 200):
        m = bytes([i & 0xFF for i in range(n)])
        assert sha1(m) == hashlib.sha1(m).digest()


def test_client_key_shape():
    a = client_key()
    b = client_key()
    assert a != b and len(a) == 24 and a[-2:] == b"=="
    assert len(binascii.a2b_base64(a)) == 16
    assert _valid_key(a)


def test_key_validation_is_strict():
    assert _valid_key(RFC_KEY)
    for bad in (b"", b"short", RFC_KEY[:-1], RFC_KEY + b"=", b"dGhlIHNhbXBsZSBub25jZQ!=",
                b"AAAAAAAAAAAAAAAAAAAAAAAA", b"dGhlIHNhbXBsZSBub25jZR=="):
        assert not _valid_key(bad), bad


def _req(**kw):
    return client_request(b"example.com", b"/chat", RFC_KEY, **kw)


def test_client_request_headers():
    h = _req(subprotocols=["chat", b"superchat"], origin=b"http://example.com")
    assert list(h) == [
        (b":method", b"GET", False), (b":path", b"/chat", False),
        (b":authority", b"example.com", False), (b":scheme", b"http", False),
        (b"upgrade", b"websocket", False), (b"connection", b"Upgrade", False),
        (b"sec-websocket-key", RFC_KEY, False), (b"sec-websocket-version", b"13", False),
        (b"origin", b"http://example.com", False),
        (b"sec-websocket-protocol", b"chat, superchat", False)]


def test_server_handshake_rfc_example():
    resp, proto, exts = server_handshake(_req(subprotocols=["chat", "superchat"]), ["superchat", "x"])
    assert list(resp) == [(b":status", b"101", False), (b"upgrade", b"websocket", False),
                          (b"connection", b"Upgrade", False),
                          (b"sec-websocket-accept", b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", False),
                          (b"sec-websocket-protocol", b"superchat", False)]
    assert proto == b"superchat" and exts == []
    assert client_check_response(resp, RFC_KEY, ["chat", "superchat"]) == (b"superchat", [])


def test_server_handshake_token_matching_is_case_insensitive():
    h = Headers([(":method", "GET"), (":path", "/"), (":authority", "h"),
                 ("Upgrade", "WebSocket"), ("Connection", "keep-alive, UPGRADE"),
                 ("Sec-WebSocket-Key", RFC_KEY), ("Sec-WebSocket-Version", "13")])
    resp, proto, exts = server_handshake(h)
    assert resp.get(":status") == b"101" and proto is None
    assert resp.get("sec-websocket-protocol") is None


def _without(h, name):
    h = h.clone()
    h.delete(name)
    return h


def _with(h, name, value):
    h = h.clone()
    h.upsert(name, value)
    return h


def test_server_handshake_refusals():
    good = _req()
    cases = (
        (_with(good, ":method", b"POST"), 400, "GET"),
        (_without(good, "upgrade"), 400, "Upgrade"),
        (_with(good, "upgrade", b"h2c"), 400, "Upgrade"),
        (_without(good, "connection"), 400, "Connection"),
        (_with(good, "connection", b"keep-alive"), 400, "Connection"),
        (_without(good, "sec-websocket-key"), 400, "Key"),
        (_with(good, "sec-websocket-key", b"abc"), 400, "Key"),
        (_with(good, "sec-websocket-key", b"AAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 400, "Key"),
        (_without(_without(good, ":authority"), "host"), 400, "Host"),
    )
    for h, status, word in cases:
        e = raises(HandshakeError, server_handshake, h)
        assert isinstance(e, ProtocolError)
        assert e.status_hint == status, (e.status_hint, str(e))
        assert word in str(e), str(e)
        assert e.headers == []


def test_server_handshake_with_a_request_body_refused():
    # RFC 9110 §7.8 / RFC 9112 §6.3: the new protocol would start after the body, which
    # nothing reads before the 101: refused with 400, the connection to close.
    good = _req()
    for name, value in (("content-length", b"7"), ("content-length", b"1"),
                        ("transfer-encoding", b"chunked")):
        e = raises(HandshakeError, server_handshake, _with(good, name, value))
        assert e.status_hint == 400 and "body" in str(e), str(e)
        assert e.headers == [(b"connection", b"close")]
    # an empty body is no body
    for value in (b"0", b"00"):
        resp = server_handshake(_with(good, "content-length", value))[0]
        assert resp.get(":status") == b"101"


def test_wrong_version_is_426_with_version_header():
    for v in (b"8", b"12", b"14"):
        e = raises(HandshakeError, server_handshake, _with(_req(), "sec-websocket-version", v))
        assert e.status_hint == 426
        assert e.headers == [(b"sec-websocket-version", b"13")]
    e = raises(HandshakeError, server_handshake, _without(_req(), "sec-websocket-version"))
    assert e.status_hint == 426


def test_client_check_response_refusals():
    resp, _, _ = server_handshake(_req(subprotocols=["chat"]), ["chat"])
    assert client_check_response(resp, RFC_KEY, ["chat"]) == (b"chat", [])
    # wrong key
    e = raises(HandshakeError, client_check_response, resp, b"AAAAAAAAAAAAAAAAAAAAAA==", ["chat"])
    assert "Accept" in str(e)
    # subprotocol we did not offer
    e = raises(HandshakeError, client_check_response, resp, RFC_KEY, ["other"])
    assert "subprotocol" in str(e)
    e = raises(HandshakeError, client_check_response, resp, RFC_KEY, None)
    # not 101
    e = raises(HandshakeError, client_check_response, _with(resp, ":status", b"200"), RFC_KEY, ["chat"])
    assert "101" in str(e)
    e = raises(HandshakeError, client_check_response, _without(resp, "upgrade"), RFC_KEY, ["chat"])
    e = raises(HandshakeError, client_check_response, _without(resp, "connection"), RFC_KEY, ["chat"])
    # an extension we did not offer
    e = raises(HandshakeError, client_check_response,
               _with(resp, "sec-websocket-extensions", b"permessage-deflate"), RFC_KEY, ["chat"])
    assert "extension" in str(e)
    e = raises(HandshakeError, client_check_response,
               _with(resp, "sec-websocket-extensions", b"x-webkit-deflate-frame"), RFC_KEY, ["chat"],
               PerMessageDeflate())
    assert "extension" in str(e)


def test_rfc8441_extended_connect():
    h = client_request(b"example.com", b"/chat", None, ["chat"], scheme=b"https", h2=True)
    assert list(h)[:5] == [(b":method", b"CONNECT", False), (b":protocol", b"websocket", False),
                           (b":scheme", b"https", False), (b":path", b"/chat", False),
                           (b":authority", b"example.com", False)]
    assert not h.has("sec-websocket-key") and not h.has("upgrade") and not h.has("connection")
    assert h.get("sec-websocket-version") == b"13"
    resp, proto, exts = server_handshake(h, ["chat"])
    assert list(resp) == [(b":status", b"200", False), (b"sec-websocket-protocol", b"chat", False)]
    assert client_check_response(resp, None, ["chat"], h2=True) == (b"chat", [])
    e = raises(HandshakeError, server_handshake, _with(h, ":protocol", b"other"))
    assert e.status_hint == 400
    e = raises(HandshakeError, client_check_response, _with(resp, ":status", b"400"), None, ["chat"],
               None, True)
    assert "2xx" in str(e)


def test_handshake_with_permessage_deflate():
    pmd = PerMessageDeflate(client_max_window_bits=12)
    req = _req(pmd=pmd)
    offer = req.get("sec-websocket-extensions")
    assert offer.startswith(b"permessage-deflate")
    assert b"client_max_window_bits=12" in offer
    resp, proto, exts = server_handshake(req, None, PerMessageDeflate())
    assert len(exts) == 1 and exts[0].negotiated
    value = resp.get("sec-websocket-extensions")
    assert value.startswith(b"permessage-deflate")
    proto, cexts = client_check_response(resp, RFC_KEY, None, pmd)
    assert len(cexts) == 1 and cexts[0].negotiated
    assert cexts[0].client_max_window_bits <= 12
    # no policy on the server: the extension is not accepted and the response has none
    resp, proto, exts = server_handshake(req, None, None)
    assert exts == [] and resp.get("sec-websocket-extensions") is None
    assert client_check_response(resp, RFC_KEY, None, pmd) == (None, [])
