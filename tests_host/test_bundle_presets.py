# tools/bundle.py's HTTP/1.1-only presets (h1-client, h1-server) leave out every module of
# HTTP/2, HPACK and WebSocket: HEAVY must name each one (a module missing from it would
# slip into an HTTP/1.1 bundle unchecked), and the presets build without any of them.
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import bundle  # noqa: E402

_HEAVY_NAME = re.compile(r"^(h2|hpack|ws|websocket)(_|$)|^_(h2|hpack|ws)_|^_(client|server)_h2$|^_sha1$")


def test_heavy_names_every_http2_hpack_and_websocket_module():
    mods = [f[:-3] for f in os.listdir(os.path.join(ROOT, "lib", "mhttp")) if f.endswith(".py")]
    heavy = [m for m in mods if _HEAVY_NAME.search(m)]
    assert len(heavy) > 20, heavy
    assert sorted(set(heavy) - set(bundle.HEAVY)) == []
    # and HEAVY names no module that does not exist
    assert sorted(set(bundle.HEAVY) - set(mods)) == []


def test_h1_presets_carry_no_heavy_module(tmp_path):
    for preset in ("h1-client", "h1-server"):
        b = bundle.build("esp32", preset=preset, out=str(tmp_path / preset), quiet=True)
        names = [os.path.basename(f).split(".")[0] for f in b["files"]]
        assert "h1" in names and "_mhttp_port" in names, names
        assert [n for n in names if n in bundle.HEAVY] == [], names
