# mhttp._lazy.settle on CPython: after a normal import every class that binds rare methods
# lazily on MicroPython has them bound and no __getattr__ left (a class with __getattr__
# loses CPython 3.11's attribute specialisation; a misspelt rare name leaves it there, so
# this also catches typos in the rare-name lists).  And importing a rare module BEFORE its
# parent (an import cycle on CPython) still works: the class then binds on first use.
import subprocess
import sys

import pytest

from conftest import ROOT

# (module, class) pairs whose __getattr__ exists only to load rare methods
SETTLED = [("mhttp.headers", "Headers"), ("mhttp.h1", "H1Protocol"),
           ("mhttp.h1_connection", "H1Connection"), ("mhttp.h1_connection", "H1Stream"),
           ("mhttp.stream_common", "StreamCommon"), ("mhttp._io_stream", "StreamIO"),
           ("mhttp.request", "Request"), ("mhttp.request", "Pool"), ("mhttp.server", "Server"),
           ("mhttp.h2", "H2Protocol"), ("mhttp.h2_connection", "H2Connection"),
           ("mhttp.h2_connection", "H2Stream"), ("mhttp.hpack", "_Table"),
           ("mhttp.ws", "WSProtocol"), ("mhttp.websocket", "WebSocket")]


def _py(code):
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_normal_import_leaves_no_getattr():
    code = ("import importlib\n"
            "left = []\n"
            "for m, c in %r:\n"
            "    cls = getattr(importlib.import_module(m), c)\n"
            "    if '__getattr__' in cls.__dict__:\n"
            "        left.append(m + '.' + c)\n"
            "print('LEFT', left)\n") % (SETTLED,)
    assert "LEFT []" in _py(code)


@pytest.mark.parametrize("rare,parent,expr", [
    ("mhttp._h2_rare", "mhttp.h2", "mhttp.h2.H2Protocol(client=True).stream_state(1)"),
    ("mhttp._h2_stream_rare", "mhttp.h2_connection", "mhttp.h2_connection.H2Stream"),
    ("mhttp._hpack_more", "mhttp.hpack", "mhttp.hpack.Decoder().dynamic_table()"),
    ("mhttp._h1_server", "mhttp.h1_connection", "mhttp.h1_connection.http_date()"),
    ("mhttp._h1_rare", "mhttp.h1", "mhttp.h1.H1Protocol"),
    ("mhttp._h1_cpy", "mhttp.h1", "mhttp.h1._bad(b'a b', mhttp.h1._TOKEN)"),
    ("mhttp._h1_server", "mhttp.h1", "mhttp.h1.H1Protocol(mhttp.h1.SERVER)"),
    ("mhttp._headers_more", "mhttp.headers", "mhttp.headers.Headers([(b'a', b'1')]).clone()"),
    ("mhttp._request_more", "mhttp.request", "mhttp.request.new_from_uri('http://x/').clone()"),
    ("mhttp._stream_more", "mhttp.stream_common", "mhttp.stream_common.StreamCommon"),
    ("mhttp._ws_rare", "mhttp.ws", "mhttp.ws.WSProtocol"),
])
def test_rare_module_imported_first(rare, parent, expr):
    out = _py("import %s\nimport %s\nimport mhttp\nprint('OK', repr(%s)[:40])\n" % (
        rare, parent, expr))
    assert "OK" in out


def test_websocket_wserror_still_importable_on_both_runtimes():
    # examples/ws_server.py catches websocket.WSError (it was a module global before the
    # split); the module's __getattr__ serves it from mhttp.errors.
    code = "from mhttp import websocket, errors\nprint(websocket.WSError is errors.WSError)\n"
    assert "True" in _py(code)
    from conftest import run_micropython
    r = run_micropython(["-c", code], timeout=60)
    assert b"True" in r.stdout, r.stdout + r.stderr


_ORDER_CHILD = r"""
import sys
import mhttp._lazy as L
rec = []
orig = L.settle
def settle(cls, m, names):
    rec.append((cls, m, names))
    return orig(cls, m, names)
L.settle = settle
import %s
for n in ("h1_connection _io_stream _io_socket h2_connection h2 request headers ws "
          "websocket stream_common server hpack client").split():
    __import__("mhttp." + n)
bad = []
for cls, m, names in rec:
    if names is None:   # a table of groups, "mod name ...;mod name ..." (mhttp._lazy.bind)
        names = [n for g in m.split(";") for n in g.split()[1:]]
    for n in (names.split() if isinstance(names, str) else names):
        if any(n in k.__dict__ for k in cls.__mro__):
            continue
        if any("__getattr__" in k.__dict__ for k in cls.__mro__ if k is not object):
            continue
        bad.append(cls.__name__ + "." + n)
print("UNREACHABLE", sorted(set(bad)))
"""


def _private_modules():
    import os
    d = os.path.join(ROOT, "lib", "mhttp")
    return sorted("mhttp." + f[:-3] for f in os.listdir(d)
                  if f.startswith("_") and f.endswith(".py") and f != "__init__.py"
                  and f != "__main__.py")


@pytest.mark.parametrize("first", _private_modules())
def test_every_settled_name_reachable_whatever_was_imported_first(first):
    # A class settled by several settle() calls (StreamIO: mhttp._io_stream_rare and
    # mhttp._io_stream_more): when one of them meets an import cycle (its rare module
    # imported first) the class must keep its __getattr__, even if an earlier settle()
    # of the same class had bound its names and removed it (it left StreamIO with
    # neither _send nor __getattr__: AttributeError at the first write).
    out = _py(_ORDER_CHILD % first)
    assert "UNREACHABLE []" in out, out
