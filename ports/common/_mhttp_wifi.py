# Wi-Fi bring-up shared by the MicroPython board glue (ports/esp32, ports/rp2; see
# ports/README.md).  tools/bundle.py compiles this file into the esp32 and rp2 bundles as
# `_mhttp_wifi.mpy`; each board's `_mhttp_port` re-exports WIFI_CONFIG, WiFiError,
# load_wifi_config and wifi_disconnect, and its own wifi_connect calls wifi_connect here
# with the board's radio settings as `configure(wlan, cfg)`.
#
# /wifi.json is {"ssid": "...", "password": "..."} (plus optional "hostname", and what a
# board's configure reads, e.g. "country" on a Pico W).  wifi_connect raises
# mhttp.errors.Timeout when no address came within `timeout` seconds and WiFiError (with
# .status, the network.STAT_* code) when the access point refused or was not found.
from _mhttp_mp import ticks_ms, ticks_diff

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


def wifi_connect(ssid=None, password=None, timeout=20, config=WIFI_CONFIG, hostname=None,
                 configure=None):
    # Brings the station interface up and waits (bounded) for an address; returns it.
    # configure(wlan, cfg), when given, runs once the interface is active (the board's
    # power-save mode, regulatory country...).
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
    if configure is not None:
        configure(wlan, cfg)
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
