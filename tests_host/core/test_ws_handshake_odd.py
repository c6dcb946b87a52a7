# Odd opening handshakes (portable: pytest and tools/mptest.py on MicroPython).
# Server side: each odd request gets its status (400 / 426) or is accepted as the RFC says;
# permessage-deflate offers with invalid, duplicated or unknown parameters are declined
# (RFC 7692 §5.1: "A server MUST decline an extension negotiation offer ... if the offer
# has an extension parameter with an invalid value"), not answered with an error.
# Client side: bad 101 responses raise HandshakeError.
from mhttp import ws as W
from mhttp.ws import HandshakeError, PerMessageDeflate
from mhttp.headers import Headers
from _t import raises

KEY = b"dGhlIHNhbXBsZSBub25jZQ=="
ACCEPT = b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def req(method=b"GET", drop=(), extra=(), **over):
    fields = [(":method", method), (":path", b"/chat"), (":authority", b"server.example.com"),
              (":scheme", b"http"), ("upgrade", b"websocket"), ("connection", b"Upgrade"),
              ("sec-websocket-key", KEY), ("sec-websocket-version", b"13")]
    h = Headers()
    for k, v in fields:
        if k in drop:
            continue
        h.append(k, over.get(k.replace("-", "_"), v))
    for k, v in extra:
        h.append(k, v)
    return h


def status_of(h, pmd=None):
    try:
        W.server_handshake(h, None, pmd)
    except HandshakeError as e:
        return e.status_hint
    return 101


def test_odd_requests_statuses():
    assert status_of(req()) == 101
    assert status_of(req(drop=("sec-websocket-key",))) == 400
    assert status_of(req(extra=(("sec-websocket-key", KEY),))) == 400          # duplicate
    assert status_of(req(sec_websocket_key=b"dGhlIHNhbXBsZSBub25jZQ")) == 400  # no padding
    assert status_of(req(sec_websocket_key=b"dGhlIHNhbXBsZSBub25jZXg=")) == 400  # 17 bytes
    assert status_of(req(sec_websocket_key=b"AAAAAAAAAAAAAAAAAAAAAA==")) == 101
    assert status_of(req(sec_websocket_key=b"AAAAAAAAAAAAAAAAAAAAAB==")) == 400  # non-canonical
    assert status_of(req(sec_websocket_key=b"!!!!!!!!!!!!!!!!!!!!!!==")) == 400
    assert status_of(req(sec_websocket_key=b"")) == 400
    assert status_of(req(sec_websocket_version=b"8")) == 426
    assert status_of(req(sec_websocket_version=b"14")) == 426
    assert status_of(req(sec_websocket_version=b"13, 8")) == 426
    assert status_of(req(drop=("sec-websocket-version",))) == 426
    assert status_of(req(connection=b"keep-alive")) == 400
    assert status_of(req(connection=b"keep-alive, Upgrade")) == 101
    assert status_of(req(connection=b"UPGRADE")) == 101
    assert status_of(req(upgrade=b"WebSocket")) == 101
    assert status_of(req(upgrade=b"h2c")) == 400
    assert status_of(req(drop=("upgrade",))) == 400
    assert status_of(req(method=b"POST")) == 400
    assert status_of(req(method=b"HEAD")) == 400
    assert status_of(req(drop=(":authority",))) == 400
    e = raises(HandshakeError, W.server_handshake, req(sec_websocket_version=b"8"))
    assert e.headers == [(b"sec-websocket-version", b"13")]


def ext_answer(offer):
    h = req(extra=(("sec-websocket-extensions", offer),))
    resp, chosen, exts = W.server_handshake(h, None, PerMessageDeflate())
    return resp.get("sec-websocket-extensions"), exts


def test_permessage_deflate_offers_declined_or_accepted():
    for bad in (b"permessage-deflate; server_max_window_bits=7",
                b"permessage-deflate; server_max_window_bits=16",
                b"permessage-deflate; server_max_window_bits=08",
                b"permessage-deflate; server_max_window_bits",          # needs a value
                b"permessage-deflate; client_max_window_bits=7",
                b"permessage-deflate; client_max_window_bits=x",
                b"permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                b"permessage-deflate; client_max_window_bits; client_max_window_bits=10",
                b"permessage-deflate; client_no_context_takeover=1",
                b"permessage-deflate; foo", b"permessage-deflate; foo=1",
                b";;,,", b"x-webkit-deflate-frame", b"permessage-deflate=1"):
        v, exts = ext_answer(bad)
        assert v is None and exts == [], bad
    # client_max_window_bits without a value: "the client can limit its window"
    v, exts = ext_answer(b"permessage-deflate; client_max_window_bits")
    assert v is not None and v.startswith(b"permessage-deflate") and len(exts) == 1
    # quoted values (RFC 7692 §7.1: quoted-string allowed)
    # (a MicroPython server declines clients that cannot limit their window: the accepted
    # offers below carry client_max_window_bits)
    v, exts = ext_answer(b'permessage-deflate; server_max_window_bits="10"; client_max_window_bits')
    assert b"server_max_window_bits=10" in v and exts[0].server_max_window_bits == 10
    # a bad first offer falls back to the next one
    v, exts = ext_answer(b"permessage-deflate; server_max_window_bits=7, "
                         b"permessage-deflate; client_max_window_bits")
    assert v is not None and len(exts) == 1
    # case-insensitive extension name and parameters
    v, exts = ext_answer(b"PerMessage-Deflate; Server_No_Context_Takeover; Client_Max_Window_Bits")
    assert b"server_no_context_takeover" in v and exts[0].server_no_context_takeover


def resp(status=b"101", drop=(), extra=(), **over):
    fields = [(":status", status), ("upgrade", b"websocket"), ("connection", b"Upgrade"),
              ("sec-websocket-accept", ACCEPT)]
    h = Headers()
    for k, v in fields:
        if k in drop:
            continue
        h.append(k, over.get(k.replace("-", "_"), v))
    for k, v in extra:
        h.append(k, v)
    return h


def test_client_rejects_bad_responses():
    ok = W.client_check_response(resp(), KEY)
    assert ok == (None, [])
    for bad in (resp(status=b"200"), resp(status=b"302"), resp(status=b"426"),
                resp(sec_websocket_accept=b"s3pPLMBiTxaQ9kYGzzhZRbK+xOX="),
                resp(drop=("sec-websocket-accept",)),
                resp(extra=(("sec-websocket-accept", ACCEPT),)),
                resp(drop=("upgrade",)), resp(drop=("connection",)),
                resp(upgrade=b"h2c"), resp(connection=b"close"),
                resp(extra=(("sec-websocket-protocol", b"chat"),)),          # not offered
                resp(extra=(("sec-websocket-extensions", b"permessage-deflate"),))):
        e = raises(HandshakeError, W.client_check_response, bad, KEY)
        assert e.status_hint == 0
    # subprotocol: only one of those offered, exactly one
    assert W.client_check_response(resp(extra=(("sec-websocket-protocol", b"chat"),)), KEY,
                                   ["chat", "superchat"])[0] == b"chat"
    raises(HandshakeError, W.client_check_response,
           resp(extra=(("sec-websocket-protocol", b"chat, superchat"),)), KEY, ["chat", "superchat"])
    raises(HandshakeError, W.client_check_response,
           resp(extra=(("sec-websocket-protocol", b"other"),)), KEY, ["chat"])
    # extension answers that do not fit our offer
    pmd = PerMessageDeflate(server_max_window_bits=10)
    for bad in (b"permessage-deflate; server_max_window_bits=12",   # over what we asked
                b"permessage-deflate",                              # ignored our limit
                b"permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
                b"permessage-deflate; server_max_window_bits=10; client_max_window_bits",
                b"permessage-deflate; server_max_window_bits=10; foo",
                b"permessage-deflate; server_max_window_bits=10, permessage-deflate; server_max_window_bits=10",
                b"x-other"):
        raises(HandshakeError, W.client_check_response,
               resp(extra=(("sec-websocket-extensions", bad),)), KEY, None, pmd)
    sub, exts = W.client_check_response(
        resp(extra=(("sec-websocket-extensions",
                     b"permessage-deflate; server_max_window_bits=9; server_no_context_takeover"),)),
        KEY, None, pmd)
    assert exts[0].server_max_window_bits == 9


def test_rfc8441_requests():
    def h2req(drop=(), **over):
        fields = [(":method", b"CONNECT"), (":protocol", b"websocket"), (":scheme", b"https"),
                  (":path", b"/chat"), (":authority", b"server.example.com"),
                  ("sec-websocket-version", b"13")]
        h = Headers()
        for k, v in fields:
            if k not in drop:
                h.append(k, over.get(k.strip(":"), v))
        return h
    r, chosen, exts = W.server_handshake(h2req())
    assert r.get(":status") == b"200" and r.get("sec-websocket-accept") is None
    assert status_of(h2req(protocol=b"h2c")) == 400
    assert status_of(h2req(drop=(":protocol",))) == 400     # plain CONNECT
    assert status_of(h2req(drop=("sec-websocket-version",))) == 426
    # client side: any 2xx opens the tunnel, anything else is a refusal
    assert W.client_check_response(Headers(((":status", b"200"),)), None, None, None, True) == (None, [])
    for st in (b"101", b"400", b"501"):
        raises(HandshakeError, W.client_check_response, Headers(((":status", st),)), None, None,
               None, True)


def test_version_10_is_refused_before_connecting():
    # mhttp.client's version 1.0 (1 and 1.0 are equal) writes HTTP/1.0, over which no
    # server may accept a WebSocket (RFC 6455 §4.1): new_from_uri says so at once, where
    # the handshake would have ended in a refused 400.  1.1 and 2 are taken.
    from mhttp import websocket
    for v in (1, 1.0, "1.0"):
        e = raises(ValueError, websocket.new_from_uri, "ws://127.0.0.1:9/", version=v)
        assert "HTTP/1.1" in str(e) and "6455" in str(e), e
    assert websocket.new_from_uri("ws://127.0.0.1:9/", version=1.1).options["version"] == 1.1
    assert websocket.new_from_uri("ws://127.0.0.1:9/", version=2).options["version"] == 2
