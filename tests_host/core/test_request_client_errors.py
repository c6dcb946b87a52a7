# mhttp.client's errors (portable: pytest on CPython and
# `tools/micropython tools/mptest.py tests_host/core/test_request_client_errors.py`).
# The texts live in mhttp._client_err, loaded by the first error (board RAM); the option
# names are one space-separated str.  Each error keeps its class and text, every known
# option is still accepted, and connecting with good options loads no error texts.
import sys

import mhttp.client as client
from mhttp.errors import ProtocolError
from _t import raises

MICROPYTHON = sys.implementation.name == "micropython"
KNOWN = ("host", "port", "tls", "ctx", "cafile", "verify", "insecure", "sendname",
         "server_hostname", "version", "h2_settings", "blocking", "timeout", "family",
         "bufsize", "alpn", "h2c_upgrade")


class _StrKey(str):
    pass


def test_every_known_option_accepted_and_nothing_else():
    for k in KNOWN:
        o = client._options({"host": "h", k: "h"}, {})
        assert o[k] == "h"
        o = client._options(None, {"host": "h", k: "v"})
        assert o[k] == "v"
    assert client._options({"host": "h", _StrKey("port"): 1}, {})
    for k in ("hos", "ost", "host ", " host", "host port", "", " ", "tls\tctx", "HOST",
              "h2", "c_upgrade", "nope", 1, None, b"host", ("host",)):
        e = raises(TypeError, client._options, {"host": "h", k: 1}, {})
        assert str(e) == "mhttp.client.connect: unknown option %r" % (k,), k


def test_texts_and_classes():
    e = raises(ValueError, client._options, {"port": 1}, {})
    assert str(e) == "mhttp.client.connect: a host is needed"
    e = raises(ValueError, client._version, "3")
    assert str(e) == "unknown HTTP version '3'"
    e = raises(ValueError, client._version, 1.5)
    assert str(e) == "unknown HTTP version 1.5"
    for v, want in ((None, 1.1), (1.1, 1.1), ("1.1", 1.1), (1.0, 1.0), ("1.0", 1.0),
                    (2, 2), ("2", 2), (2.0, 2)):
        got = client._version(v)
        assert got == want and type(got) is type(want), v

    class IO:
        aborted = False

        def alpn(self):
            return None

        def abort(self):
            self.aborted = True
    io = IO()
    io.tls = True
    e = raises(ProtocolError, client.negotiate, io, {}, 2)
    assert str(e) == "version=2: the server did not agree to h2 by ALPN" and io.aborted


def test_connect_async_is_connect():
    assert client.connect_async is client.connect
    assert raises(AttributeError, getattr, client, "no_such_name")


def test_raise_site_comments_match_the_texts():
    # Each `_err(N...)` in mhttp.client quotes its class and text (CPython: reads sources).
    if MICROPYTHON:
        return
    import os
    from mhttp import _client_err
    d = os.path.dirname(client.__file__)
    src = open(os.path.join(d, "client.py")).read().split("\n")
    seen = 0
    for line in src:
        if "raise _err(" not in line:
            continue
        n = int(line.split("raise _err(")[1].split(")")[0].split(",")[0])
        cls, text = line.split("  # ")[1].strip().split(": ", 1)
        arg = "%r"
        e = _client_err._err(n, arg)
        assert type(e).__name__ == cls, line
        assert str(e) == text.replace("%r", repr(arg)), line
        seen += 1
    assert seen == 4


def test_good_options_load_no_texts():
    if not MICROPYTHON:
        return
    sys.modules.pop("mhttp._client_err", None)
    client._options({"host": "h", "port": 1, "tls": False, "blocking": True}, {})
    client._version("1.1")
    assert "mhttp._client_err" not in sys.modules
