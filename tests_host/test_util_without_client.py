# mhttp.util on its own does not load the HTTP client (board RAM: a server handler that
# parses a query string or a date must not pay for mhttp.request, ~9 KB from ROMFS):
# parse_uri, to_authority and scheme_to_port live in mhttp.request, and util serves them
# from there on first use (its module __getattr__), the same objects.  Fresh interpreters,
# both runtimes.
import pytest

from conftest import run_on, keyed

SCRIPT = r"""
import sys
import mhttp.util as u
print("QA", u.query_args("a=1&b=%20")[1][1] == " ")
print("SA", u.split_authority("h", "wss") == ("h", 443), u.split_authority(b"[::1]:8", "x") == (b"::1", 8))
print("DT", u.imf_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
print("RP", u.resolve_relative_path("/a/b", "c") == "/a/c")
print("ENC", u.encodeURIComponent("a b") == "a%20b", u.maybe_quote("a b") == '"a b"')
print("LOADED", "mhttp.request" in sys.modules)
print("PU", u.parse_uri("http://h:1/x") == ("http", None, "h", 1, "/x", None))
print("TA", u.to_authority("h", 443, "https") == "h", u.scheme_to_port["ws"] == 80)
import mhttp.request as r
print("SAME", u.parse_uri is r.parse_uri, u.to_authority is r.to_authority,
      u.scheme_to_port is r.scheme_to_port)
"""


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_util_alone_loads_no_client(runtime):
    p = run_on(runtime, ["-c", SCRIPT], timeout=60)
    assert p.returncode == 0, p.stderr.decode()
    d = keyed(p.stdout.decode())
    for k in ("QA", "SA", "DT", "RP", "ENC", "PU", "TA", "SAME"):
        assert d.get(k) and "False" not in d[k], (k, p.stdout)
    assert d["LOADED"] == "False", p.stdout
