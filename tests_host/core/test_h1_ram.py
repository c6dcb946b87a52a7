# mhttp.h1's board-RAM habits (portable: pytest and tools/mptest.py).
from mhttp.h1 import H1Protocol, CLIENT, SERVER, EV_HEADERS, EV_DATA
from mhttp.headers import Headers
from _t import events, MICROPYTHON


def test_idle_connection_keeps_no_request_bytes():
    # Once a head that ended the received bytes is parsed, the protocol drops its reference
    # to them (an idle keep-alive connection must not hold the last request alive).
    s = H1Protocol(SERVER)
    s.receive_data(b"GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: t\r\n\r\n")
    ev = s.next_event()
    assert ev[0] == EV_HEADERS and ev[1].get(b"user-agent") == b"t"
    assert s._buf == b"" and s._pos == 0
    # A pipelined second request stays buffered.
    s.send_headers(Headers(((b":status", b"204"),)), True)
    s.start_next_cycle()
    s.receive_data(b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n")
    assert s.next_event()[1].get(b":path") == b"/1"
    assert s._buf != b""
    s.send_headers(Headers(((b":status", b"204"),)), True)
    s.start_next_cycle()
    assert s.next_event()[1].get(b":path") == b"/2" and s._buf == b""


def test_field_lines_parsed_after_the_start_line_only():
    c = H1Protocol(CLIENT)
    c.send_headers(Headers(((b":method", b"GET"), (b":path", b"/"), (b":authority", b"h"))),
                   True)
    c.receive_data(b"HTTP/1.1 200 OK\r\nA: 1\r\nContent-Length: 1\r\n\r\nz")
    evs = events(c)
    assert list(evs[0][1]) == [(b":status", b"200", False), (b"a", b"1", False),
                               (b"content-length", b"1", False)]
    assert evs[1] == (EV_DATA, b"z", True)


def test_class_table_matches_the_abnf():
    import mhttp.h1 as h1
    alnum = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    vchar = bytes(range(0x21, 0x7F))
    sets = ((1, alnum + b"!#$%&'*+-.^_`|~"),                     # tchar
            (2, vchar),                                           # VCHAR
            (4, b"\t " + vchar + bytes(range(0x80, 0x100))),      # field-value octets
            (8, b"0123456789abcdefABCDEF"),                       # HEXDIG
            (16, alnum + b"-._~!$&'()*+,;=:[]%"),                 # uri-host [":" port]
            (32, alnum + b"-._~!$&'()*+,;=%"))                    # reg-name, IPv4address
    t = bytearray(256)
    for bit, allowed in sets:
        for c in allowed:
            t[c] |= bit
    names = {1: "_TOKEN", 2: "_VCHAR", 4: "_VALUE", 8: "_HEX", 16: "_HOST", 32: "_RNAME"}
    assert bytes(t) == h1._CLASS
    if MICROPYTHON:
        # _VALUE and _HEX are const()s there (inlined: no module attribute)
        assert not hasattr(h1, "_VALUE") and not hasattr(h1, "_HEX")
    for bit, allowed in sets:
        # an allowed set (CPython) or a bit (MicroPython)
        cls = bit if MICROPYTHON else getattr(h1, names[bit])
        for c in range(256):
            assert (not h1._bad(bytes([c]), cls)) == (c in allowed), (bit, c)


def test_instance_dict_holds_only_what_a_cycle_changes():
    # Defaults live on the class; a server's __init__ sets only role and the receive
    # state, a client's also the fields every one of its cycles writes (to their class
    # defaults: the attribute table takes its final size with the connection, not in
    # the middle of the first response), so a client never carries the server-only
    # fields (absolute_target, _upgrade unless it asked for one) nor a send counter its
    # requests without a body never used (_sleft), nor expect_continue (a server's
    # flag, only cleared where it was set): 10 fields, before and after two cycles
    # (MicroPython: a smaller attribute table, ~8 B a slot, per connection).
    fields = ["_buf", "_method", "_pos", "_rleft", "_rs", "_ss", "our_done", "role",
              "their_done", "their_version"]
    c = H1Protocol(CLIENT)
    assert sorted(c.__dict__) == fields
    assert all(c.__dict__[n] == getattr(H1Protocol, n) for n in fields if n != "role"
               and n != "_rs")
    for i in range(2):
        c.send_headers(Headers(((b":method", b"GET"), (b":path", b"/"), (b":authority", b"h"),
                                (b":scheme", b"http"))), True)
        c.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        evs = events(c)
        assert evs[0][0] == EV_HEADERS and evs[1] == (EV_DATA, b"ok", True)
        c.start_next_cycle()
    assert sorted(c.__dict__) == fields
    assert not c.our_done and not c.their_done and c._method is None and c._pos == 0
    s = H1Protocol(SERVER)
    # (role: SERVER is the class default, a server's table holds no slot for it; the
    # fields a plain exchange writes are set at construction, to their class defaults)
    srv_fields = ["_buf", "_method", "_rs", "_sleft", "_ss", "our_done", "their_done",
                  "their_version"]
    assert sorted(s.__dict__) == srv_fields and s.role == SERVER
    assert all(s.__dict__[n] == getattr(H1Protocol, n) for n in srv_fields if n != "_rs")
    assert s._buf == b"" and s.their_version is None and s._method is None
    # A server writes absolute_target for an absolute-form request only, and a next cycle
    # resets it only when it was set.
    for target in (b"/a", b"/b", b"http://h/c"):
        s.receive_data(b"GET " + target + b" HTTP/1.1\r\nHost: h\r\n\r\n")
        ev = s.next_event()
        assert ev[0] == EV_HEADERS and ev[1].get(b":path") == target[-2:]
        if target[0] == 47:                                   # b"/": origin-form
            assert "absolute_target" not in s.__dict__, target
        else:
            assert s.absolute_target == target
        s.send_headers(Headers(((b":status", b"204"),)), True)
        s.start_next_cycle()
    assert s.absolute_target is None
    assert sorted(s.__dict__) == sorted(srv_fields + ["absolute_target"])


def test_server_plain_cycle_writes_eight_fields():
    # A plain keep-alive exchange (a GET, a content-length response) writes 8 fields on a
    # server, all set by __init__ (MicroPython: an attribute table of 8 slots, 128 B per
    # idle connection, sized once; a 9th, role or _pos, took it to 10, 160 B): role stays
    # the class default, _pos is written only when the read position moved.
    s = H1Protocol(SERVER)
    fields = sorted(s.__dict__)
    for i in range(2):
        s.receive_data(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        ev = s.next_event()
        assert ev[0] == EV_HEADERS and ev[2]
        s.send_headers(Headers(((b":status", b"200"), (b"content-length", b"2"))))
        s.send_data(b"ok", True)
        s.start_next_cycle()
    assert sorted(s.__dict__) == fields == ["_buf", "_method", "_rs", "_sleft", "_ss",
                                            "our_done", "their_done", "their_version"]
    # pipelined: a CRLF skipped and a second head buffered move _pos (and reset it)
    s.receive_data(b"\r\nGET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n")
    assert s.next_event()[1].get(b":path") == b"/a" and s._pos > 0
    s.send_headers(Headers(((b":status", b"204"),)), True)
    s.start_next_cycle()
    assert s.next_event()[1].get(b":path") == b"/b" and s._pos == 0 and s._buf == b""


def test_get_requests_share_their_method_and_scheme_fields():
    # Board RAM: a GET's method and its :method field, and an http request's :scheme
    # field, are constants shared by every request (a copy and two tuples less per
    # request in flight); other methods and schemes are the request's own.
    evs = []
    for req in (b"GET / HTTP/1.1\r\nHost: h\r\n\r\n", b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n",
                b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
                b"GETS / HTTP/1.1\r\nHost: h\r\n\r\n"):
        s = H1Protocol(SERVER)
        s.receive_data(req)
        ev = s.next_event()
        assert ev[0] == EV_HEADERS
        evs.append((s, ev[1]._l))
    (a, la), (b, lb), (c, lc), (d, ld) = evs
    assert la[0] == (b":method", b"GET", False) and la[0] is lb[0] and a._method is b._method
    assert la[3] == (b":scheme", b"http", False) and la[3] is lb[3] is lc[3]
    assert lc[0] == (b":method", b"POST", False) and c._method == b"POST"
    assert ld[0] == (b":method", b"GETS", False) and ld[0] is not la[0]
    s = H1Protocol(SERVER, scheme=b"https")
    s.receive_data(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    l = s.next_event()[1]._l
    assert l[3] == (b":scheme", b"https", False) and l[0] is la[0]


def test_no_field_names_cached_on_a_board():
    # The shared name cache's entries live as long as the process: on a board neither a
    # client (the names it parses are the server's, in whatever case it sends them) nor
    # a server makes any (an entry made amid a first exchange outlives it where the heap
    # is tightest); on CPython both cache.  Parsing is the same either way.
    import mhttp.h1 as h1
    cache = h1._NAME_CACHE
    saved = dict(cache)
    cache.clear()
    try:
        for n in range(2):
            c = H1Protocol(CLIENT)
            c.send_headers(Headers(((b":method", b"GET"), (b":path", b"/"),
                                    (b":authority", b"h"), (b"x-our-name", b"1"))), True)
            c.receive_data(b"HTTP/1.1 200 OK\r\nX-Their-Name: v\r\nContent-Length: 0\r\n\r\n")
            ev = c.next_event()
            assert ev[0] == EV_HEADERS and ev[1].get(b"x-their-name") == b"v"
            assert ev[1].get(b"content-length") == b"0" and c.their_done
            assert len(cache) == (0 if MICROPYTHON else 3)
        for n in range(2):
            s = H1Protocol(SERVER)
            s.receive_data(b"GET / HTTP/1.1\r\nHost: x\r\nX-Their-Name: v\r\n\r\n")
            ev = s.next_event()
            assert ev[1].get(b"x-their-name") == b"v" and ev[1].get(b":authority") == b"x"
            assert s.send_headers(Headers(((b":status", b"200"), (b"Content-Length", b"0"))),
                                  True).lower().count(b"content-length: 0") == 1
            assert (b"X-Their-Name" in cache) == (not MICROPYTHON)
            assert len(cache) == (0 if MICROPYTHON else 5)  # + Host, content-length
    finally:
        cache.clear()
        cache.update(saved)


def test_field_name_cache_is_bounded():
    # A peer sending ever new field names costs validation, not memory: the shared name
    # cache stops at 480 entries on CPython, takes none on MicroPython (~176 B each on a
    # 64-bit board port, see test_no_field_names_cached_on_a_board), and names past the
    # bound still parse.
    import mhttp.h1 as h1
    cache = h1._NAME_CACHE
    saved = dict(cache)
    cap = 0 if MICROPYTHON else 480
    try:
        n = 0
        while n < cap + 8:
            s = H1Protocol(SERVER)
            head = b"GET / HTTP/1.1\r\nHost: x\r\n"
            for i in range(40):
                head += b"X-N%d: v\r\n" % (n + i)
            s.receive_data(head + b"\r\n")
            ev = s.next_event()
            assert ev[0] == EV_HEADERS and ev[1].get(b"x-n%d" % (n + 39)) == b"v"
            n += 40
        assert len(cache) == cap
    finally:
        cache.clear()
        cache.update(saved)
