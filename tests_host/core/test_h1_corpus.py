# Every bad-input corpus entry (h1_corpus.py) raises H1Error with the expected
# status_hint, fed whole and fed one byte at a time, and a smuggling attempt is never
# read as two requests.  Portable: pytest and tools/mptest.py.
from mhttp.h1 import H1Protocol, CLIENT, SERVER, EV_HEADERS, EV_CLOSED
from mhttp.errors import H1Error
from h1_corpus import BAD_REQUESTS, BAD_REQUESTS_MAX_BODY_1024, BAD_RESPONSES, GOOD_LOOKALIKES


def serve(p, data, bytewise):
    # Feeds data (then EOF), answering each complete request, until an H1Error; returns
    # (error or None, number of request heads seen).
    heads = 0
    n = len(data) if bytewise else 1
    try:
        for i in range(n + 1):
            if i == n:
                p.receive_data(b"")
            else:
                p.receive_data(data[i:i + 1] if bytewise else data)
            for _ in range(10000):
                ev = p.next_event()
                if ev is None:
                    break
                if ev[0] == EV_CLOSED:
                    return None, heads
                if ev[0] == EV_HEADERS:
                    heads += 1
                if p.their_done and not p.our_done:
                    p.send_headers([(b":status", b"200"), (b"content-length", b"0")], True)
                    if not p.keep_alive:
                        return None, heads
                    p.start_next_cycle()
    except H1Error as e:
        return e, heads
    return None, heads


def check(corpus, bytewise, **kw):
    failures = []
    for name, raw, status in corpus:
        p = H1Protocol(SERVER, **kw)
        e, heads = serve(p, raw, bytewise)
        if e is None:
            failures.append("%s: accepted (%d heads)" % (name, heads))
        elif e.status_hint != status:
            failures.append("%s: status %d, expected %d (%s)" % (name, e.status_hint, status, e))
        elif heads > 1:
            failures.append("%s: read as %d requests" % (name, heads))
        elif p.keep_alive:
            failures.append("%s: keep_alive after an error" % name)
    assert not failures, failures


def test_corpus_whole():
    assert len(BAD_REQUESTS) > 120
    check(BAD_REQUESTS, False)


def test_corpus_bytewise():
    check(BAD_REQUESTS, True)


def test_corpus_max_body():
    check(BAD_REQUESTS_MAX_BODY_1024, False, max_body=1024)
    check(BAD_REQUESTS_MAX_BODY_1024, True, max_body=1024)
    # without the option the same requests are fine
    for name, raw, status in BAD_REQUESTS_MAX_BODY_1024:
        e, heads = serve(H1Protocol(SERVER), raw, False)
        assert e is None and heads == 1, name


def test_lookalikes_are_one_valid_request():
    for name, raw, status in GOOD_LOOKALIKES:
        e, heads = serve(H1Protocol(SERVER), raw, False)
        assert e is None and heads == 1, name


def test_smuggling_never_two_requests_even_if_valid_prefix():
    # The smuggled GET /admin must never surface as a request head.
    for name, raw, status in BAD_REQUESTS:
        if b"/admin" not in raw and b"SMUGGLED" not in raw:
            continue
        p = H1Protocol(SERVER)
        p.receive_data(raw)
        paths = []
        try:
            for _ in range(100):
                ev = p.next_event()
                if ev is None:
                    break
                if ev[0] == EV_HEADERS:
                    paths.append(ev[1].get(":path"))
        except H1Error:
            pass
        assert b"/admin" not in paths, name


def test_bad_responses():
    failures = []
    for bytewise in (False, True):
        for name, method, raw in BAD_RESPONSES:
            c = H1Protocol(CLIENT)
            c.send_headers([(b":method", method), (b":path", b"/"), (b":authority", b"h")], True)
            chunks = [raw[i:i + 1] for i in range(len(raw))] if bytewise else [raw]
            chunks.append(b"")
            try:
                for ch in chunks:
                    c.receive_data(ch)
                    for _ in range(1000):
                        ev = c.next_event()
                        if ev is None or ev[0] == EV_CLOSED:
                            break
                failures.append(name)
            except H1Error:
                assert not c.keep_alive
    assert not failures, failures
