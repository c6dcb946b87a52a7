# ESP32 platform glue for mhttp (see ports/README.md).
#
# The sockets, TLS contexts, clock and randomness of MicroPython on an ESP32 have the same
# API as on the unix port (socket, ssl/mbedTLS without ALPN, asyncio streams,
# time.ticks_*, os.urandom), so that glue is reused as is: tools/bundle.py compiles
# ports/unix/_mhttp_port.py into the bundle as `_mhttp_mp.mpy` and this module re-exports
# it.  Wi-Fi bring-up is ports/common/_mhttp_wifi.py (bundled as `_mhttp_wifi.mpy`, shared
# with the Pico W glue); what is ESP32-specific is the radio's power-save setting, and a
# smaller receive buffer.
#
#   import _mhttp_port
#   ip = _mhttp_port.wifi_connect()                     # ssid/password from /wifi.json
#   ip = _mhttp_port.wifi_connect("myssid", "secret", timeout=20)
#
# /wifi.json is {"ssid": "...", "password": "..."}.  wifi_connect raises
# mhttp.errors.Timeout when no address came within `timeout` seconds and WiFiError (with
# .status, the network.STAT_* code) when the access point refused or was not found.
from _mhttp_mp import *  # noqa: F401,F403  (ticks_*, urandom, TLS, open_connection...)
from _mhttp_wifi import WIFI_CONFIG, WiFiError, load_wifi_config, wifi_disconnect  # noqa: F401
import _mhttp_wifi

NAME = "micropython-esp32"
# 2 KiB per connection is the unix figure; a 112 KiB heap serves more connections at 1 KiB.
DEFAULT_BUFSIZE = 1024


def _configure(wlan, cfg):
    # ESP32: keep the radio awake between packets (a server answers faster); the
    # hostname is shown to the access point's DHCP server.
    try:
        wlan.config(pm=getattr(wlan, "PM_NONE", 0))
    except (ValueError, TypeError, OSError, AttributeError):
        pass


def wifi_connect(ssid=None, password=None, timeout=20, config=WIFI_CONFIG, hostname=None):
    # Brings the station interface up and waits (bounded) for an address; returns it.
    return _mhttp_wifi.wifi_connect(ssid, password, timeout, config, hostname, _configure)
