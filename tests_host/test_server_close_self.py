# mhttp.server's close() awaited by a handler (a "/shutdown" endpoint), and close() with
# websockets open (tests_host/_server_close_self.py: clients and server in one process),
# on CPython (the asyncio.Protocol fast path, asyncio streams, TLS) and on the MicroPython
# unix port:
#   - an HTTP/1.1 handler that answers, then awaits close(5), while another request is
#     in flight and a connection is idle: the idle one is closed at once, the other
#     request answered (Connection: close), close() returns once it is (not after 5 s),
#     the caller's response intact, its connection ended when its handler returned;
#   - a handler that awaits close() first, then answers: close() returns at once, the
#     answer carries Connection: close, then EOF;
#   - the same under srv.run(): run() returns after the handler's answer;
#   - the same over HTTP/2 (CPython);
#   - pipelined requests behind the closing one, and behind another in flight: not
#     served, close() not held by them;
#   - close() with websockets open over HTTP/1.1 and HTTP/2 (RFC 8441): each gets a close
#     frame 1001 (Going Away), the handler's receive() sees the close, the handler ends,
#     close() returns after the closing handshakes (before: nothing until its timeout,
#     then 1006);
#   - a websocket whose client never answers the close frame: close() returns at its
#     timeout, the connection aborted;
#   - a websocket handler awaiting close(): the other websocket gets 1001, its own keeps
#     working after close() returned;
#   - srv.run() with another request in flight while the caller's client has closed (or
#     reset) its connection: run() returns after close() did, not before (the other
#     request was lost);
#   - over HTTP/2, a websocket on the caller's own connection gets its 1001 too;
#   - loop() started while a handler's close() is under way waits for its end;
#   - an HTTP/1.1 handler still running at close()'s timeout is cancelled (as HTTP/2
#     handler tasks are) and its connection leaves srv.conns.
import os
import socket
import struct
import subprocess
import time

import pytest

from conftest import (ROOT, command_on, free_port, keyed, port_open, run_on, tls_files,
                      wait_until)

SCRIPT = os.path.join(ROOT, "tests_host", "_server_close_self.py")
H1_VARIANTS = [("cpython", ""), ("cpython", "streams"), ("cpython", "tls"),
               ("micropython", "")]
WS_VARIANTS = [("cpython", ""), ("cpython", "streams"), ("micropython", "")]


def _args(what, port, variant, tmp_path):
    # SCRIPT's command line for a scenario and a variant ("", "streams", "tls")
    args = [SCRIPT, what, str(port)]
    if variant == "streams":
        args.append("streams")
    elif variant == "tls":
        tls_files(tmp_path)
        args += [str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")]
    return args


def _check(returncode, out, err):
    # SCRIPT ran to its end: nothing reported (no handler error, no coroutine left
    # unawaited) -> {KEY: value} of its output
    assert returncode == 0 and out.rstrip().endswith("END"), out + err
    assert "Traceback" not in out + err and "Warning" not in err, out + err
    return keyed(out)


def _run(runtime, what, variant, tmp_path):
    r = run_on(runtime, _args(what, free_port(), variant, tmp_path), timeout=90)
    out = r.stdout.decode()
    return _check(r.returncode, out, r.stderr.decode()), out


@pytest.mark.parametrize("runtime,variant", H1_VARIANTS)
def test_h1_handler_awaits_close_after_answering(runtime, variant, tmp_path):
    d, out = _run(runtime, "h1", variant, tmp_path)
    assert d["FIRST"] == "[('HTTP/1.1 200 OK', False, 'ok /first')]", out
    # the other request in flight answered, with Connection: close, and close()
    # returned once it was (0.8 s), not at its timeout (5 s: it waited for itself)
    assert d["SLOW"] == "[('HTTP/1.1 200 OK', True, 'slow done')]", out
    assert d["ORDER"] == "True", out
    assert int(d["CLOSE_MS"]) < 3000, out
    # the idle connection closed at once (EOF, no bytes, before the slow answer)
    assert d["IDLE"] == "[] True", out
    # the caller's answer intact, then its connection ended (EOF, not a reset)
    assert d["OWN"] == "[('HTTP/1.1 200 OK', False, 'bye')]", out
    assert d["LEFT"] == "0 True", out
    # and no new connection is served
    assert d["REFUSED"] == "True", out


@pytest.mark.parametrize("runtime,variant", H1_VARIANTS)
def test_h1_handler_awaits_close_then_answers(runtime, variant, tmp_path):
    d, out = _run(runtime, "late", variant, tmp_path)
    assert int(d["CLOSE_MS"]) < 2000, out
    assert d["OWN"] == "[('HTTP/1.1 200 OK', True, 'late answer')]", out
    assert d["EOF"] == "True" and d["LEFT"] == "0", out


def _run_server(runtime, what, variant, tmp_path, client):
    # SCRIPT's srv.run() in a process of its own, client(port, connect) talking to it
    # (connect() -> a socket, over TLS for the "tls" variant); -> (client's result, the
    # server's output)
    port = free_port()
    cmd, env = command_on(runtime, _args(what, port, variant, tmp_path))
    ctx = None
    if variant == "tls":
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.set_alpn_protocols(["http/1.1"])

    def connect():
        s = socket.create_connection(("127.0.0.1", port), 5)
        s.settimeout(10)
        return ctx.wrap_socket(s) if ctx is not None else s

    p = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_until(lambda: port_open(port), 20), "server did not listen"
        got = client(port, connect)
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    out = out.decode()
    _check(p.returncode, out, err.decode())
    return got, out


def _read_all(s):
    data = b""
    try:
        for _ in range(100):
            c = s.recv(4096)
            if not c:
                break
            data += c
    except OSError as e:
        data += b"<%r>" % e
    return data


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_run_returns_after_the_closing_handlers_answer(runtime, tmp_path):
    # srv.run(): a handler awaits close(), suspends, then answers.  run() (loop())
    # returns once that exchange is over, not when close() returned (asyncio.run then
    # ended the handler: its answer was lost, the client read nothing)
    def client(port, connect):
        s = connect()
        s.sendall(b"GET /late2 HTTP/1.1\r\nHost: x\r\n\r\n")
        data = _read_all(s)
        s.close()
        return data

    data, out = _run_server(runtime, "run", "", tmp_path, client)
    assert data.startswith(b"HTTP/1.1 200 OK\r\n") and data.endswith(b"\r\n\r\nlate"), data
    assert b"connection: close\r\n" in data.lower(), data
    assert "ORDER True" in out, out


@pytest.mark.parametrize("runtime,variant", H1_VARIANTS)
def test_run_returns_after_close_when_the_callers_client_is_gone(runtime, variant, tmp_path):
    # srv.run(): /slow in flight (0.8 s), then /shutdown answers and awaits close(5); its
    # client reads the answer and closes its connection (over TLS normally, as curl
    # does; else with a reset) while close() still waits for /slow.  run() returns once
    # close() did (before: as soon as the caller's connection was gone, on CPython's
    # fast path: asyncio.run ended close() and /slow, whose client read nothing)
    def client(port, connect):
        a = connect()
        a.sendall(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.2)
        b = connect()
        b.sendall(b"GET /shutdown HTTP/1.1\r\nHost: x\r\n\r\n")
        own = b""
        while not own.endswith(b"bye"):
            c = b.recv(4096)
            if not c:
                break
            own += c
        if variant != "tls":
            b.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        b.close()
        slow = _read_all(a)
        a.close()
        return own, slow

    (own, slow), out = _run_server(runtime, "run2", variant, tmp_path, client)
    assert own.endswith(b"\r\n\r\nbye"), own
    assert slow.startswith(b"HTTP/1.1 200 OK\r\n") and slow.endswith(b"\r\n\r\nslow done"), slow
    assert ("EVENTS ['slow start', 'close start', 'slow end', 'close returned', "
            "'run returned']") in out, out


@pytest.mark.parametrize("runtime,variant", H1_VARIANTS)
def test_loop_started_while_a_handlers_close_runs(runtime, variant, tmp_path):
    # before: AttributeError ('NoneType' object has no attribute 'wait')
    d, out = _run(runtime, "loopmid", variant, tmp_path)
    assert "LOOP" not in d, out
    assert d["OWN"] == "[('HTTP/1.1 200 OK', True, 'mid')]", out
    assert d["EVENTS"] == ("['close start', 'close returned', 'handler end', "
                           "'loop returned']"), out


@pytest.mark.parametrize("runtime,variant", H1_VARIANTS)
def test_h1_handler_cancelled_at_close_timeout(runtime, variant, tmp_path):
    # a handler that never answers: close(1) aborts its connection at the timeout, and
    # (as for HTTP/2 handler tasks) cancels the handler; the connection is out of
    # srv.conns when close() returns (before: still there, its handler running on)
    d, out = _run(runtime, "h1stuck", variant, tmp_path)
    assert 900 <= int(d["CLOSE_MS"]) < 2500, out
    assert d["LEFT"] == "0", out
    assert d["OWN"] == "[('HTTP/1.1 200 OK', False, 'bye')]", out
    assert d["STUCK"] == "[]", out
    assert d["EVENTS"] == "['stuck start', 'stuck cancelled', 'close returned']", out


@pytest.mark.parametrize("runtime,variant,what", [r + ("ws2same",) for r in WS_VARIANTS]
                         + [("cpython", v, "h2samews") for v in ("", "streams")])
def test_h2_websocket_on_the_callers_connection_gets_going_away(runtime, variant, what,
                                                                tmp_path):
    # two websockets on one HTTP/2 connection; one's handler awaits close(3): the other
    # gets its 1001 at once (before: the caller's connection had left srv.conns before
    # the websockets were walked: nothing until close()'s timeout, then 1006).
    # h2samews: the same, the caller a plain HTTP/2 request's handler (found from the
    # frames on CPython only)
    d, out = _run(runtime, what, variant, tmp_path)
    assert d["OTHER"] == "(5, 1001, '') True", out
    assert int(d["CLOSE_MS"]) < 2000, out
    if what == "ws2same":
        assert d["OWN"] == "(1, 'after close', True) (5, 1000, 'own')", out
        assert d["HANDLERS"] == "[('/ws/a', (1001, 'end')), ('/ws/own', (1000, 'own'))]", out
    else:
        assert d["OWN"] == "b'200' b'late answer'", out
        assert d["HANDLERS"] == "[('/ws/a', (1001, 'end'))]", out
    assert d["LEFT"] == "0 0", out


@pytest.mark.parametrize("variant", ["", "streams"])
def test_h2_handler_awaits_close_then_answers_cpython(variant, tmp_path):
    # CPython finds an HTTP/2 handler's stream from the frames: its connection is not
    # waited for while that stream is open (MicroPython: only a websocket's handler,
    # see docs/internals.md "Server life cycle")
    d, out = _run("cpython", "h2late", variant, tmp_path)
    assert int(d["CLOSE_MS"]) < 2000, out
    assert d["OWN"] == "b'200' b'late answer' 2", out
    assert d["LEFT"] == "0 0", out


@pytest.mark.parametrize("runtime,variant", [("cpython", ""), ("micropython", "")])
def test_h1_pipelined_requests_behind_close(runtime, variant, tmp_path):
    d, out = _run(runtime, "pipe", variant, tmp_path)
    # each connection: the request in flight answered, the pipelined ones behind it not
    assert d["OWN"] == "[('HTTP/1.1 200 OK', False, 'bye')]", out
    assert d["SLOW"] == "[('HTTP/1.1 200 OK', True, 'slow done')]", out
    assert d["ORDER"] == "True" and int(d["CLOSE_MS"]) < 3000, out
    assert d["LEFT"] == "0", out


@pytest.mark.parametrize("version", ["1", "2"])
@pytest.mark.parametrize("runtime,variant", WS_VARIANTS)
def test_close_sends_going_away_to_websockets(runtime, variant, version, tmp_path):
    d, out = _run(runtime, "ws" + version, variant, tmp_path)
    assert d["VERSION"] == ("1.1 1.1" if version == "1" else "2 2"), out
    # each client got the close frame 1001 (receive() -> None), each handler's receive()
    # saw it and the handler ended; close(3) returned after the handshakes
    assert d["CLIENTS"] == "None 1001 None 1001", out
    assert d["HANDLERS"] == "[('/ws/a', (1001, 'end')), ('/ws/b', (1001, 'end'))]", out
    assert int(d["CLOSE_MS"]) < 2000, out
    assert d["LEFT"] == "0 0", out


@pytest.mark.parametrize("runtime,variant", WS_VARIANTS)
def test_close_times_out_on_a_deaf_websocket(runtime, variant, tmp_path):
    d, out = _run(runtime, "ws1deaf", variant, tmp_path)
    assert d["HEAD"] == "HTTP/1.1 101 Switching Protocols", out
    # close(1): the close frame 1001 went out, no answer came: at its timeout the
    # connection was aborted (EOF after the frame), the handler's receive() ended (1006)
    assert d["GOT"] == repr(b"\x88\x02\x03\xe9"), out
    assert 900 <= int(d["CLOSE_MS"]) < 2500, out
    assert d["HANDLERS"] == "[('/ws/deaf', (1006, 'end'))]", out
    assert d["LEFT"] == "0", out


@pytest.mark.parametrize("version", ["1", "2"])
@pytest.mark.parametrize("runtime,variant", WS_VARIANTS)
def test_websocket_handler_awaits_close(runtime, variant, version, tmp_path):
    d, out = _run(runtime, "ws%sself" % version, variant, tmp_path)
    assert int(d["CLOSE_MS"]) < 2000, out
    assert d["OTHER"] == "None 1001", out
    # its own websocket untouched: a message after close() returned, then its own close
    assert d["OWN"] == "('after close', 'text') None 1000 own", out
    assert d["HANDLERS"] == "[('/ws/a', (1001, 'end')), ('/ws/own', (1000, 'own'))]", out
    assert d["ORDER"] == "True True", out
    assert d["LEFT"] == "0 0", out
