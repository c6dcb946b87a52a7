# mhttp.server's HTTP/2 connection and handler-task life cycle (tests_host/_h2_drain.py:
# a raw HTTP/2 client over the sans-I/O core against the server, in one process), on
# CPython (the asyncio.Protocol fast path; h2 over TLS with ALPN too) and on the
# MicroPython unix port:
#   - close(timeout) with h2 requests in flight: two-step GOAWAY (RFC 9113 §6.8: 2^31-1
#     and a PING, then the last stream id), a stream opened above it refused, the
#     in-flight responses complete, idle connections closed at once, close() returning
#     when the handlers are done (not at its timeout), no handler task left;
#   - a handler that never finishes: close() bounded by its timeout, the task cancelled;
#   - the client ending the connection (EOF, GOAWAY) with handlers in flight: their
#     stream calls raise, nothing is left (tasks, conns, streams, RAM on MicroPython);
#   - pause()/resume() with an h2 connection open;
#   - our client (mhttp.request) getting GOAWAY with requests in flight;
#   - a handler that answers, then awaits close().
import os
import subprocess
import sys

import pytest

from conftest import ROOT, free_port, keyed, run_on, tls_files, require, wait_until, port_open

SCRIPT = os.path.join(ROOT, "tests_host", "_h2_drain.py")
RUNTIMES = ["cpython", "micropython"]


def _run(runtime, *args):
    r = run_on(runtime, [SCRIPT] + [str(a) for a in args], timeout=90)
    out = r.stdout.decode()
    assert r.returncode == 0 and out.rstrip().endswith("END"), out + r.stderr.decode()
    return keyed(out), out


def _nothing_left(d, out):
    assert d["CONNS"] == "0" and d["STREAMS"] == "0" and d["RUNNING"] == "0", out
    assert d["TASKS"] == "0 0", out


@pytest.mark.parametrize("runtime,tls", [("cpython", False), ("micropython", False),
                                         ("cpython", True)])
def test_close_drains_in_flight_h2_streams(runtime, tls, tmp_path):
    # (h2 over TLS: CPython, where the server offers "h2" by ALPN)
    args = []
    if tls:
        tls_files(tmp_path)
        args = [tmp_path / "cert.pem", tmp_path / "key.pem"]
    d, out = _run(runtime, "drain", free_port(), *args)
    assert d["USED"] == "b'done /'" and d["STARTED"] == "True", out
    # close(5) returned once the handlers were done (0.5 s), not at its timeout
    assert d["ELAPSED_OK"].startswith("True"), out
    assert d["AT_RETURN"] == "0 0", out
    # idle connections: GOAWAY(NO_ERROR, the last stream they had) and EOF at once,
    # before the busy connection's answers
    assert d["IDLE"] == "[(0, 0)] [(0, 1)] True True", out
    assert d["IDLE_FIRST"] == "True", out
    # the busy one: GOAWAY(2^31-1), then GOAWAY(5) once the PING came back
    assert d["FIRST_GOAWAY"] == "[(0, 2147483647)]", out
    assert d["GOAWAYS"] == "[(0, 2147483647), (0, 5)]", out
    assert d["BODIES"] == ("[(1, b'done /slow/1'), (3, b'done /slow/3'), "
                           "(5, b'done /slow/5')]"), out
    assert d["DONE"] == "[1, 3, 5]", out
    # stream 7, opened by a client that ignored the GOAWAY: REFUSED_STREAM (7), unanswered
    assert d["LATE"] == "7 7 False", out
    _nothing_left(d, out)
    assert d["ENDED"] == ("[((b'/', 'ok'), 1), ((b'/slow/1', 'ok'), 1), ((b'/slow/3', 'ok'), 1), "
                          "((b'/slow/5', 'ok'), 1)]"), out


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_close_bounded_when_a_handler_never_finishes(runtime):
    d, out = _run(runtime, "stuck", free_port())
    assert d["STARTED"] == "True", out
    # close(1.5): at its timeout, the never-ending handler's task cancelled before it
    # returned; the other stream's answer complete
    assert d["ELAPSED_OK"].startswith("True"), out
    assert d["AT_RETURN"] == "0 0", out
    assert d["GOAWAYS"] == "[(0, 2147483647), (0, 3)]", out
    assert d["DONE"] == "[3] [(3, b'done /slow')]", out
    _nothing_left(d, out)
    assert d["ENDED"] == "[((b'/never', 'CancelledError'), 1), ((b'/slow', 'ok'), 1)]", out


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_client_ending_the_connection_ends_its_handlers(runtime):
    d, out = _run(runtime, "peer", free_port())
    assert "LEFT" not in d and "NOT_STARTED" not in d, out
    assert "NO_ANSWER_AFTER_GOAWAY" not in d, out
    _nothing_left(d, out)
    # 20 connections: the handler reading the body and the one writing after a sleep got
    # ConnectionClosed, except where the client sent GOAWAY and waited for the answer
    assert d["KINDS"] == ("[((b'/', 'ok'), 20), ((b'/body', 'ConnectionClosed'), 20), "
                          "((b'/slow', 'ConnectionClosed'), 14), ((b'/slow', 'ok'), 6)]"), out
    if runtime == "micropython":
        # live heap after connection 5 and after connection 20 (collected)
        a, b, diff = [int(x) for x in d["MEM"].split()]
        assert diff < 1024, out


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_connection_error_ends_its_handlers(runtime):
    # the client's DATA on stream 0 (PROTOCOL_ERROR) with two handlers in flight: GOAWAY
    # (PROTOCOL_ERROR, last 3), the handlers' stream calls raise H2ConnectionError
    d, out = _run(runtime, "perr", free_port())
    assert "NOT_STARTED" not in d and "LEFT" not in d, out
    assert d["GOAWAYS"] == "[(1, 3)]", out
    _nothing_left(d, out)
    assert d["ENDED"] == ("[((b'/body', 'H2ConnectionError'), 3), "
                          "((b'/slow', 'H2ConnectionError'), 3)]"), out


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_pause_resume_with_an_h2_connection_open(runtime):
    d, out = _run(runtime, "pause", free_port())
    # paused: no new connection is served, the open h2 connection keeps serving (new
    # streams too); resumed: new connections again
    assert d["NEW_WHILE_PAUSED_SERVED"] == "no", out
    assert d["PAUSED_SERVED"] == "b'done /' b'done /slow'", out
    assert d["RESUMED"] == "b'done /'", out
    _nothing_left(d, out)


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_client_gets_goaway_with_requests_in_flight(runtime):
    d, out = _run(runtime, "client", free_port(), free_port())
    assert "RAW_SERVER_ERROR" not in d, out
    # a server's GOAWAY(NO_ERROR, last 3) with streams 1, 3, 5 open: 1 and 3 complete, 5
    # (not processed: REFUSED_STREAM, safe to retry, RFC 9113 §8.7) is sent again on a
    # new connection (its stream 1); the next request shares that one (its stream 3)
    assert d["RAW"] == ("[(b'200', b'answer 1'), (b'200', b'answer 3'), "
                        "(b'200', b'again 1')]"), out
    assert d["RAW_NEXT"] == "(b'200', b'again 3') 2", out
    # our server closing with two requests in flight on the pooled connection: a request
    # made after the GOAWAY does not take (nor abort) that connection: it opens a new
    # one (refused: the server no longer listens), and the two in flight complete
    assert d["FIRST"] == "(b'200', b'done /')" and d["STARTED"] == "True 1", out
    assert d["GOAWAY_SEEN"].startswith("True"), out
    assert d["NEW"] == "ConnectionClosed True 2", out
    assert d["OURS"] == "[(b'200', b'done /slow/0'), (b'200', b'done /slow/1')] 1 3", out
    _nothing_left(d, out)


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_handler_awaiting_close_after_its_answer(runtime):
    d, out = _run(runtime, "self", free_port())
    # the answer and GOAWAY reach the client; close() does not wait for (nor cancel) the
    # handler that awaits it, and completes (loop() returns)
    assert d["CLIENT"] == "{1: b'bye'} [(0, 1)]", out
    assert d["CLOSED"] == "True [('closed', True)]", out
    assert d["STOPPED"] == "True", out
    _nothing_left(d, out)


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_nghttp_sees_two_step_goaway_and_every_answer(runtime):
    # a real client (nghttp2's nghttp) with 3 requests in flight when close(5) begins
    nghttp = require("nghttp")
    port = free_port()
    if runtime == "micropython":
        cmd = [os.path.join(ROOT, "tools", "micropython"), SCRIPT, "closer", str(port)]
        env = None
    else:
        cmd = [sys.executable, SCRIPT, "closer", str(port)]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [os.path.join(ROOT, "lib"), os.path.join(ROOT, "ports", "cpython")]))
    p = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_until(lambda: port_open(port), 20), "server did not listen"
        urls = ["http://127.0.0.1:%d/slow/%d" % (port, i) for i in (1, 2, 3)]
        r = subprocess.run([nghttp, "-v", "-n", "-s"] + urls, capture_output=True, timeout=30)
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    ng = r.stdout.decode()
    assert r.returncode == 0, ng
    lines = ng.splitlines()
    # (the GOAWAYs received: nghttp may send one of its own when it is done)
    goaways = [lines[i + 1].strip() for i in range(len(lines) - 1)
               if "recv GOAWAY" in lines[i]]
    assert len(goaways) == 2 and "last_stream_id=2147483647" in goaways[0], ng
    assert "NO_ERROR" in goaways[0] and "NO_ERROR" in goaways[1], ng
    assert ng.count(" 200 ") == 3, ng
    d = keyed(out.decode())
    assert d.get("STARTED") == "True" and d.get("ELAPSED_OK") == "True", out + err
    assert d["CONNS"] == "0" and d["RUNNING"] == "0" and d["TASKS"] == "0 0", out


RETRY = os.path.join(ROOT, "tests_host", "_h2_retry.py")


def _retry(runtime, mode):
    r = run_on(runtime, [RETRY, mode, str(free_port())], timeout=90)
    out = r.stdout.decode()
    assert r.returncode == 0 and out.rstrip().endswith("END"), out + r.stderr.decode()
    assert "RAW_SERVER_ERROR" not in out, out
    return keyed(out), out


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_request_refused_stream_is_sent_again(runtime):
    # RST_STREAM(REFUSED_STREAM): not processed (RFC 9113 §8.7), so mhttp.request sends
    # it again once, whatever the method, when its body can be produced again
    d, out = _retry(runtime, "refused")
    assert d["GET"] == "(b'200', b'again /refuse/get ')", out
    assert d["POST"] == "(b'200', b'again /refuse/post abc')", out
    assert d["STR"] == "(b'200', b'again /refuse/str h\\xc3\\xa9')", out
    assert d["FILE"] == "(b'200', b'again /refuse/file " + "f" * 3000 + "')", out
    # an iterator the refusal came before (100-continue pending): not read yet, sent
    assert d["ITER_UNREAD"] == "(b'200', b'again /refuse/gen gh') [b'g', b'h']", out
    # an iterator read already cannot be produced again: the error, as before
    assert d["ITER_READ"] == "('H2StreamError', 7) True", out
    # refused without a GOAWAY: sent again on the pool's connection, still open (one)
    assert d["CONNS"] == "1" and d["ENDED"] == "True", out


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_request_not_sent_after_goaway_spares_the_shared_connection(runtime):
    # a request that fails before it is sent on a shared HTTP/2 connection the server
    # sent GOAWAY (ConnectionClosed from new_stream; the same as a stream waiting for a
    # slot): /a, in flight there, is not aborted with it, and /b (not processed, RFC 9113
    # §8.7, a POST) goes on a new connection
    d, out = _retry(runtime, "goaway")
    assert d["GOAWAY"] == "True [(b'200', b'answer /a'), (b'200', b'again /b x')] 2", out
    assert d["ENDED"] == "True", out
