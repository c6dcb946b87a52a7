# The board glue's Wi-Fi bring-up.  On a virtual board `network` is the simulated one
# (tools/vboard.py: access point "mhttp-test" / "correct horse", association after
# 200 ms); on a real board these tests need /wifi.json and are skipped without it.
import json
import os

import network
import _mhttp_port
from mhttp.errors import Timeout

SIM = hasattr(network, "SIMULATED_APS")


def _raises(exc, fn, *a, **kw):
    try:
        fn(*a, **kw)
    except exc as e:
        return e
    raise AssertionError("%s not raised" % exc.__name__)


def _rm(path):
    try:
        os.remove(path)
    except OSError:
        pass


def test_connect_with_credentials():
    if not SIM:
        return "SKIP: real board: see test_connect_from_config"
    ip = _mhttp_port.wifi_connect("mhttp-test", "correct horse", timeout=5)
    assert ip == "127.0.0.1", ip
    assert network.WLAN(network.STA_IF).isconnected()    # one interface, as on a board
    # Already associated with that AP: returns at once.
    assert _mhttp_port.wifi_connect("mhttp-test", "correct horse", timeout=0) == ip
    _mhttp_port.wifi_disconnect()
    assert not network.WLAN(network.STA_IF).isconnected()
    assert not network.WLAN(network.STA_IF).active()


def test_wrong_password_and_unknown_ap():
    if not SIM:
        return "SKIP: needs the simulated network"
    e = _raises(_mhttp_port.WiFiError, _mhttp_port.wifi_connect, "mhttp-test", "wrong", 5)
    assert e.status == network.STAT_WRONG_PASSWORD, e.status
    assert "STAT_WRONG_PASSWORD" in str(e)
    e = _raises(_mhttp_port.WiFiError, _mhttp_port.wifi_connect, "nope", "x", 5)
    assert e.status == network.STAT_NO_AP_FOUND


def test_timeout_is_bounded():
    if not SIM:
        return "SKIP: needs the simulated network"
    from _mhttp_port import ticks_ms, ticks_diff
    old = network._CONNECT_MS
    network._CONNECT_MS = 60000
    try:
        t0 = ticks_ms()
        e = _raises(Timeout, _mhttp_port.wifi_connect, "mhttp-test", "correct horse", 0.3)
        d = ticks_diff(ticks_ms(), t0)
        assert 300 <= d < 1500, d
        assert "no address after 0.3s" in str(e), str(e)
    finally:
        network._CONNECT_MS = old


def test_connect_from_config():
    if SIM:
        with open("/wifi.json", "w") as f:
            json.dump({"ssid": "mhttp-test", "password": "correct horse"}, f)
    else:
        try:
            os.stat("/wifi.json")
        except OSError:
            return "SKIP: real board without /wifi.json"
    try:
        ip = _mhttp_port.wifi_connect(timeout=20)
        parts = ip.split(".")
        assert len(parts) == 4 and ip != "0.0.0.0", ip
    finally:
        if SIM:
            _rm("/wifi.json")


def test_bad_config_files():
    if not SIM:
        return "SKIP: would overwrite the board's /wifi.json"
    _rm("/wifi.json")
    e = _raises(_mhttp_port.WiFiError, _mhttp_port.wifi_connect)
    assert "not found" in str(e)
    for text, why in (("{not json", "not valid JSON"), ('{"password": "x"}', 'no "ssid"')):
        with open("/wifi.json", "w") as f:
            f.write(text)
        e = _raises(_mhttp_port.WiFiError, _mhttp_port.wifi_connect)
        assert why in str(e), str(e)
    _rm("/wifi.json")
