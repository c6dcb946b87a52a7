# Board RAM of an HTTP/2 connection's own state (mhttp.h2.H2Protocol, mhttp.h2_connection
# .H2Connection): fields that start the same on every connection read as before but stay
# the class's until they differ, the waiter lists are made at their first waiter, a
# server drops its initial SETTINGS once sent, and ours-acked / ours-sent settings are
# one dict while no SETTINGS awaits its ACK (copied again before the next change); a
# request stream waiting for its handler holds 4 fields (the request head's "not handed
# out yet" is the class's), and get_headers hands it out as before.
import asyncio

from mhttp.h2 import EV_SETTINGS_ACKED, H2Protocol
from mhttp.h2_connection import H2Connection
from mhttp.h2_frames import SETTINGS_MAX_CONCURRENT_STREAMS, SETTINGS_INITIAL_WINDOW_SIZE
from _h2t import pair, pump


class _IO:
    blocking = False
    tls = False

    def abort(self):
        pass

    async def send(self, pieces, timeout=None):
        pass


def test_acked_settings_share_one_dict_until_the_next_change():
    c, s = pair()
    for p in (c, s):
        assert p.local_settings is p.advertised_settings
    assert s.local_settings[SETTINGS_MAX_CONCURRENT_STREAMS] == 100
    s.update_settings({SETTINGS_MAX_CONCURRENT_STREAMS: 7, SETTINGS_INITIAL_WINDOW_SIZE: 1000})
    # sent, not acknowledged: ours sent changed, ours acked did not
    assert s.local_settings is not s.advertised_settings
    assert s.advertised_settings[SETTINGS_MAX_CONCURRENT_STREAMS] == 7
    assert s.local_settings[SETTINGS_MAX_CONCURRENT_STREAMS] == 100
    assert s.local_settings[SETTINGS_INITIAL_WINDOW_SIZE] == 65535
    pump(s, c)
    evs = pump(c, s)
    acked = [e for e in evs if e[0] == EV_SETTINGS_ACKED]
    assert acked == [(EV_SETTINGS_ACKED, [(SETTINGS_MAX_CONCURRENT_STREAMS, 100, 7),
                                          (SETTINGS_INITIAL_WINDOW_SIZE, 65535, 1000)])]
    assert s.local_settings == s.advertised_settings
    assert s.local_settings is s.advertised_settings
    assert s.local_settings[SETTINGS_MAX_CONCURRENT_STREAMS] == 7
    # two changes in flight: shared again only once both are acknowledged
    s.update_settings({SETTINGS_MAX_CONCURRENT_STREAMS: 8})
    s.update_settings({SETTINGS_MAX_CONCURRENT_STREAMS: 9})
    assert s.local_settings[SETTINGS_MAX_CONCURRENT_STREAMS] == 7
    pump(s, c)
    pump(c, s)
    assert s.local_settings[SETTINGS_MAX_CONCURRENT_STREAMS] == 9
    assert s.local_settings is s.advertised_settings


def test_protocol_defaults_stay_the_class_s():
    c, s = pair()
    assert s.client is False and c.client is True
    for k in ("client", "_in_target", "_in_max_frame", "_in_iws"):
        assert k not in s.__dict__, k
    assert (s._in_target, s._in_max_frame, s._in_iws) == (65535, 16384, 65535)
    # a server's initial SETTINGS are not kept once sent; a client's are (h2c_settings)
    assert s._initial_settings is None
    assert c._initial_settings[SETTINGS_MAX_CONCURRENT_STREAMS] == 100
    assert c.h2c_settings()
    c2, s2 = pair(connection_window=1 << 20)
    assert s2._in_target == 1 << 20 and s2.in_window == 1 << 20


def test_connection_options_read_as_given_and_held_only_when_they_differ():
    srv = H2Connection(_IO(), True, idle_timeout=5, write_timeout=6)
    assert (srv.timeout, srv.idle_timeout, srv.write_timeout) == (None, 5, 6)
    assert srv.settings_timeout == 10 and srv.blocking is False and srv.scheme == b"http"
    assert srv.is_server and srv.type == "server"
    for k in ("timeout", "settings_timeout", "blocking", "scheme", "_ev", "_wev"):
        assert k not in srv.__dict__, k
    assert not srv._ev and not srv._wev
    cli = H2Connection(_IO(), False, timeout=3, settings_timeout=2, scheme=b"https")
    assert (cli.timeout, cli.idle_timeout, cli.write_timeout) == (3, 3, 3)
    assert cli.settings_timeout == 2 and cli.scheme == b"https"
    assert not cli.is_server and cli.type == "client"
    io = _IO()
    io.blocking = True
    assert H2Connection(io, False).blocking is True
    io = _IO()
    io.tls = True
    assert H2Connection(io, False).scheme == b"https"


def _request(cl, srv, sid, end):
    cl.send_headers(sid, [(b":method", b"POST"), (b":scheme", b"http"), (b":path", b"/"),
                          (b":authority", b"x")], end)
    srv._feed(cl.data_to_send())
    st = srv._incoming.pop()
    assert st.id == sid
    return st


def test_request_head_handed_out_as_before():
    async def main():
        srv = H2Connection(_IO(), True)
        cl = H2Protocol(client=True)
        cl.initiate_connection()
        # stream 1: no field beyond these while it waits; the head again until the body
        # is read, then the trailers
        st = _request(cl, srv, 1, False)
        assert sorted(st.__dict__) == ["conn", "headers", "id", "in_done"]
        h = await st.get_headers()
        assert h is st.headers and h.get(b":method") == b"POST"
        assert await st.get_headers() is h
        cl.send_data(1, b"body")
        cl.send_headers(1, [(b"x-t", b"1")], True)
        srv._feed(cl.data_to_send())
        assert await st.get_next_chunk() == b"body"
        t = await st.get_headers()
        assert t is not h and t.get(b"x-t") == b"1"
        assert await st.get_next_chunk() is None
        # stream 3: the body read first, the head still handed out once, then the
        # trailers
        st = _request(cl, srv, 3, False)
        cl.send_data(3, b"b3")
        cl.send_headers(3, [(b"x-t", b"3")], True)
        srv._feed(cl.data_to_send())
        assert await st.get_next_chunk() == b"b3"
        h = await st.get_headers()
        assert h.get(b":method") == b"POST"
        assert (await st.get_headers()).get(b"x-t") == b"3"
        assert await st.get_headers() is None
        # stream 5: a GET (END_STREAM on the head): the head, again and again
        st = _request(cl, srv, 5, True)
        assert st.in_done is True
        h = await st.get_headers()
        assert h.get(b":path") == b"/" and await st.get_headers() is h
    asyncio.run(main())
