# RFC 6455 §7 rules for the close frames we send (portable): 1005/1006/1015 and
# unregistered codes never go on the wire, the reason is UTF-8 and at most 123 bytes,
# misuse leaves the state unchanged; the echo of a code-less close is code-less.
from mhttp import ws as W
from mhttp.errors import WSError
from _t import raises


def test_codes_that_may_not_be_sent():
    for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000):
        p = W.WSProtocol(client=False)
        raises(WSError, p.send_close, code)
        assert p.state == W.ST_OPEN
    for code in (1000, 1001, 1002, 1003, 1007, 1011, 1014, 3000, 4999):
        p = W.WSProtocol(client=False)
        assert p.send_close(code)[2:4] == code.to_bytes(2, "big")
        assert p.state == W.ST_CLOSING


def test_reason_length_counts_bytes():
    p = W.WSProtocol(client=False)
    raises(WSError, p.send_close, 1000, "a" * 124)
    raises(WSError, p.send_close, 1000, "\u20ac" * 42)         # 126 bytes
    assert p.state == W.ST_OPEN
    f = p.send_close(1000, "\u20ac" * 41)                      # 123 bytes
    assert f[1] == 125 and f[4:] == ("\u20ac" * 41).encode()


def test_reason_must_be_utf8():
    for bad in (b"\xff", b"\xc3", b"\xed\xa0\x80", b"ok\xc0\xaf"):
        p = W.WSProtocol(client=False)
        raises(WSError, p.send_close, 1000, bad)
        assert p.state == W.ST_OPEN
    p = W.WSProtocol(client=False)
    assert p.send_close(1000, b"caf\xc3\xa9")[4:] == b"caf\xc3\xa9"
    raises(WSError, W.WSProtocol(client=False).send_close, None, "reason without code")


def test_empty_close_echo_has_no_code():
    # 1005 is what we report for a code-less close; it is never put in the echo.
    p = W.WSProtocol(client=True)
    p.receive_data(b"\x88\x00")
    assert p.next_event() == (W.EV_CLOSE, 1005, "")
    out = p.data_to_send()
    assert len(out) == 6 and out[0] == 0x88 and out[1] == 0x80   # masked, empty payload
    # our close with no code is empty too
    q = W.WSProtocol(client=False)
    assert q.send_close(None) == b"\x88\x00"


def test_empty_compressed_message_is_1002_on_every_runtime():
    # RSV1 with no deflate data at all: 1002 at that message (CPython used to deliver an
    # empty message and leave its inflater inside a stored block, failing the next one);
    # b"\x00" (RFC 7692 §7.2.3.6) is the empty message.
    def pmd():
        e = W.PerMessageDeflate()
        e.negotiated = True
        e.server_max_window_bits = 10
        e.client_max_window_bits = 10
        e.server_no_context_takeover = True
        return e
    for frames in ([b"\xc2\x00"], [b"\x42\x00", b"\x80\x00"]):
        p = W.WSProtocol(client=True, extensions=[pmd()])
        p.receive_data(b"".join(frames))
        e = raises(WSError, p.next_event)
        assert e.close_code == 1002
    p = W.WSProtocol(client=True, extensions=[pmd()])
    p.receive_data(b"\xc2\x01\x00" + b"\x42\x00" + b"\x80\x01\x00")
    assert p.next_event() == (W.EV_MESSAGE, b"", False)
    assert p.next_event() == (W.EV_MESSAGE, b"", False)
