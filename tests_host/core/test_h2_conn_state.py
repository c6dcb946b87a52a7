# Board RAM of an HTTP/2 connection's own state (mhttp.h2.H2Protocol, mhttp.h2_connection
# .H2Connection): fields that start the same on every connection read as before but stay
# the class's until they differ, the waiter lists are made at their first waiter, a
# server drops its initial SETTINGS once sent, and ours-acked / ours-sent settings are
# one dict while no SETTINGS awaits its ACK (copied again before the next change).
from mhttp.h2 import EV_SETTINGS_ACKED
from mhttp.h2_connection import H2Connection
from mhttp.h2_frames import SETTINGS_MAX_CONCURRENT_STREAMS, SETTINGS_INITIAL_WINDOW_SIZE
from _h2t import pair, pump


class _IO:
    blocking = False
    tls = False

    def abort(self):
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
