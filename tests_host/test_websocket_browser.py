# A real browser against mhttp's WebSocket server: headless Chromium (Debian `chromium`)
# runs tests_host/browser/ws_echo.js, which opens a WebSocket to our server, sends text
# and binary messages from 0 B to 1 MiB and checks every echo, then closes with 4000.
# Chromium is driven over the DevTools protocol, whose transport is a WebSocket: the
# driver is mhttp.websocket's own blocking client (dogfooding).
# Over plain HTTP/1.1, over TLS (a trustme CA; Chromium trusts our certificate through
# --ignore-certificate-errors-spki-list with its SPKI hash), and over HTTP/2 (RFC 8441).
import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

import pytest

from mhttp import websocket
from _ws_peers import OurServer, recorded
from conftest import ROOT, free_port, require, tls_files

JS = os.path.join(ROOT, "tests_host", "browser", "ws_echo.js")


class Chromium:
    def __init__(self, extra=()):
        exe = require("chromium")
        self.dir = tempfile.mkdtemp(prefix="mhttp-chromium-")
        self.port = free_port()
        self.log = open(os.path.join(self.dir, "stderr.log"), "wb")
        self.p = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--user-data-dir=" + self.dir, "--remote-debugging-port=%d" % self.port]
            + list(extra) + ["about:blank"],
            stdout=subprocess.DEVNULL, stderr=self.log)
        self.page = None
        end = time.time() + 30
        while time.time() < end:
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % self.port, timeout=2) as r:
                    targets = json.loads(r.read())
                pages = [t for t in targets if t.get("type") == "page"]
                if pages:
                    self.page = pages[0]["webSocketDebuggerUrl"]
                    break
            except OSError:
                pass
            time.sleep(0.2)
        assert self.page, "Chromium's DevTools endpoint did not come up"

    def cdp(self, method, params, timeout=60):
        # One DevTools command over mhttp.websocket (blocking face); its result.
        ws = websocket.new_from_uri(self.page, blocking=True, max_message_size=64 << 20)
        ws.connect(10)
        try:
            ws.send(json.dumps({"id": 1, "method": method, "params": params}))
            end = time.time() + timeout
            while time.time() < end:
                m = ws.receive(max(0.1, end - time.time()))
                assert m is not None, "DevTools closed the connection"
                msg = json.loads(m[0])
                if msg.get("id") == 1:
                    assert "error" not in msg, msg
                    return msg["result"]
            raise AssertionError("no answer to %s" % method)
        finally:
            ws.close()

    def evaluate(self, expr, timeout=60):
        r = self.cdp("Runtime.evaluate", {"expression": expr, "awaitPromise": True,
                                          "returnByValue": True}, timeout)
        assert "exceptionDetails" not in r, r
        return r["result"]["value"]

    def navigate(self, url):
        self.cdp("Page.navigate", {"url": url})
        for _ in range(100):
            if self.evaluate("document.readyState + ' ' + location.href").startswith("complete " + url):
                return
            time.sleep(0.05)
        raise AssertionError("page %s did not load" % url)

    def close(self):
        self.p.kill()
        self.p.wait(10)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def check(chrome, url, srv, protocols=None):
    with open(JS) as f:
        js = f.read()
    expr = "%s\nwsEchoCheck(%s, %s)" % (js, json.dumps(url), json.dumps(protocols or []))
    n0 = len(srv.results)
    out = json.loads(chrome.evaluate(expr))
    assert out["error"] is None, out
    assert out["bad"] == [], out
    assert len(out["ok"]) == 12, out
    assert out["closeCode"] in ("4000 browser bye", "4000 "), out
    # (this check's own record: a second check on the same server found the first's)
    assert recorded(srv.results, n0, ("/t", 4000, "browser bye")), srv.results[n0:]
    return out


def test_chromium_ws_plain():
    srv = OurServer()
    chrome = Chromium()
    try:
        out = check(chrome, srv.url("/t?big=1&protos=chat"), srv, ["chat", "other"])
        assert out["protocol"] == "chat"
        # Chromium offers permessage-deflate; we accept it
        assert out["extensions"].startswith("permessage-deflate"), out
        out = check(chrome, srv.url("/t?big=1&nocomp=1"), srv)
        assert out["extensions"] == ""
        # the `mhttp serve` route
        check_serve_route(chrome, srv)
    finally:
        chrome.close()
        srv.close()


def check_serve_route(chrome, srv):
    with open(JS) as f:
        js = f.read()
    # 1 MiB limit there: text of 300000 characters is under it in UTF-8 (11 bytes per 9),
    # 1000000 is over
    sizes = [0, 126, 65536, 300000]
    out = json.loads(chrome.evaluate("%s\nwsEchoCheck(%s, [], %s)" % (
        js, json.dumps(srv.url("/ws")), json.dumps(sizes))))
    assert out["error"] is None and out["bad"] == [] and len(out["ok"]) == 8, out
    out = json.loads(chrome.evaluate("%s\nwsEchoCheck(%s, [], %s)" % (
        js, json.dumps(srv.url("/ws")), json.dumps([1000000]))))
    assert out["error"] == "Error: closed 1009 ", out    # message too big, from our server


def _spki_hash(cert_pem):
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    cert = x509.load_pem_x509_certificate(cert_pem)
    der = cert.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def _wss_server_and_chromium(tmp_path):
    # Our server over TLS (a trustme certificate) and a Chromium that trusts its key.
    cert = tls_files(tmp_path)[1]
    srv = OurServer(tls=(str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")))
    chrome = Chromium(["--ignore-certificate-errors-spki-list=" +
                       _spki_hash(cert.cert_chain_pems[0].bytes())])
    return srv, chrome


def test_chromium_wss(tmp_path):
    srv, chrome = _wss_server_and_chromium(tmp_path)
    try:
        assert srv.url().startswith("wss://")
        out = check(chrome, srv.url("/t?big=1"), srv)
        assert out["extensions"].startswith("permessage-deflate")
    finally:
        chrome.close()
        srv.close()


def test_chromium_wss_over_http2(tmp_path):
    # Chromium sends RFC 8441 extended CONNECT over an HTTP/2 connection it already has
    # to the origin when the server's SETTINGS allow it: load a page over h2 first.
    srv, chrome = _wss_server_and_chromium(tmp_path)
    try:
        origin = "https://127.0.0.1:%d/" % srv.port
        chrome.navigate(origin)
        proto = chrome.evaluate("performance.getEntriesByType('navigation')[0].nextHopProtocol")
        assert proto == "h2"
        check(chrome, srv.url("/t?big=1"), srv)
        assert srv.versions[-1] == 2, srv.versions
    finally:
        chrome.close()
        srv.close()
