# ESP32 platform glue for mhttp (see ports/README.md).
#
# The sockets, TLS contexts, clock and randomness of MicroPython on an ESP32 have the same
# API as on the unix port (socket, ssl/mbedTLS without ALPN, asyncio streams,
# time.ticks_*, os.urandom), so that glue is reused as is: tools/bundle.py compiles
# ports/unix/_mhttp_port.py into the bundle as `_mhttp_mp.mpy` and this module re-exports
# it.  What is ESP32-specific is bringing Wi-Fi up, and a smaller receive buffer.
#
#   import _mhttp_port
#   ip = _mhttp_port.wifi_connect()                     # ssid/password from /wifi.json
#   ip = _mhttp_port.wifi_connect("myssid", "secret", timeout=20)
#
# /wifi.json is {"ssid": "...", "password": "..."}.  wifi_connect raises
# mhttp.errors.Timeout when no address came within `timeout` seconds and WiFiError (with
# .status, the network.STAT_* code) when the access point refused or was not found.
from _mhttp_mp import *  # noqa: F401,F403  (ticks_*, urandom, TLS, open_connection...)
from _mhttp_mp import ticks_ms, ticks_diff

NAME = "micropython-esp32"
# 2 KiB per connection is the unix figure; a 112 KiB heap serves more connections at 1 KiB.
DEFAULT_BUFSIZE = 1024
WIFI_CONFIG = "/wifi.json"


class WiFiError(Exception):
    def __init__(self, msg, status):
        super().__init__(msg)
        self.status = status


def load_wifi_config(path=WIFI_CONFIG):
    # {"ssid": ..., "password": ...} from a JSON file on the board's filesystem.
    import json
    try:
        with open(path) as f:
            cfg = json.load(f)
    except OSError:
        raise WiFiError("no Wi-Fi configuration: %s not found" % path, None)
    except ValueError:
        raise WiFiError("%s is not valid JSON" % path, None)
    if not isinstance(cfg, dict) or not cfg.get("ssid"):
        raise WiFiError("%s has no \"ssid\"" % path, None)
    return cfg


def _configure(wlan, cfg):
    # ESP32: keep the radio awake between packets (a server answers faster); the
    # hostname is shown to the access point's DHCP server.
    try:
        wlan.config(pm=getattr(wlan, "PM_NONE", 0))
    except (ValueError, TypeError, OSError, AttributeError):
        pass


def wifi_connect(ssid=None, password=None, timeout=20, config=WIFI_CONFIG, hostname=None):
    # Brings the station interface up and waits (bounded) for an address; returns it.
    import time
    import network
    from mhttp.errors import Timeout
    cfg = {"ssid": ssid, "password": password}
    if ssid is None:
        cfg = load_wifi_config(config)
    if hostname or cfg.get("hostname"):
        try:
            network.hostname(hostname or cfg.get("hostname"))
        except (AttributeError, ValueError, OSError):
            pass
    wlan = network.WLAN(network.STA_IF)
    wlan.active(True)
    _configure(wlan, cfg)
    if wlan.isconnected() and wlan.config("ssid") == cfg["ssid"]:
        return wlan.ifconfig()[0]
    wlan.connect(cfg["ssid"], cfg.get("password") or "")
    failed = {}
    for name in ("STAT_WRONG_PASSWORD", "STAT_NO_AP_FOUND", "STAT_CONNECT_FAIL"):
        code = getattr(network, name, None)
        if code is not None:
            failed[code] = name
    t0 = ticks_ms()
    limit = int(timeout * 1000)
    while True:
        if wlan.isconnected():
            return wlan.ifconfig()[0]
        st = wlan.status()
        if st in failed:
            wlan.disconnect()
            raise WiFiError("Wi-Fi connect to %r failed: %s" % (cfg["ssid"], failed[st]), st)
        if ticks_diff(ticks_ms(), t0) >= limit:
            wlan.disconnect()
            raise Timeout("Wi-Fi connect to %r: no address after %ss (status %r)"
                          % (cfg["ssid"], timeout, st))
        time.sleep_ms(50)


def wifi_disconnect():
    import network
    wlan = network.WLAN(network.STA_IF)
    wlan.disconnect()
    wlan.active(False)
