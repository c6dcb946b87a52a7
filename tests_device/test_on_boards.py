# pytest entry (collected by `make test`): the device tests on the esp32 and rp2 virtual
# boards, deployed and run through mpremote by tests_device/run.py.
#   - board glue tests (tests_device/dt_board.py, dt_wifi.py): every one must pass;
#   - portable core tests (tests_host/core/test_*.py as .mpy, with the board's heap):
#     every one must pass, except the tests named in HOST_SIZED, which build host-sized
#     buffers (64 KiB frames, 16 MiB windows, a 200 KB deflate bomb) and may run out of
#     a board's heap: for them a MemoryError (and only that) is tolerated, and printed
#     to the terminal (which host-sized tests did not run to completion on which board).
#     A MemoryError anywhere else fails: a regression in what fits on a board must not
#     hide behind this list.  Tests whose core turns running out of heap into a protocol
#     outcome (the HTTP/2 core ends the connection with GOAWAY(INTERNAL_ERROR,
#     "internal error: MemoryError(..)")) re-raise it as the MemoryError it is
#     (_h2t.no_oom, test_h2_connection._run), so they are judged by the same rule;
#   - a module that prints no summary line (crashed the interpreter, hung) is one failure
#     "mod::<crash>" with its output (tests_device/run.py): never tolerated.
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402

GLUE = ("dt_board", "dt_wifi")

# module::test, module::<import> (the module's import), or module::* (every test of a
# module that is host-sized as a whole) -> why it may not fit a board's heap.  Figures
# are the virtual heaps (esp32 221 KB, rp2 324 KB: tools/vboard.py, scale 2).
HOST_SIZED = {
    "test_h1_corpus::<import>": "the corpus literal is one 18 KB block on esp32",
    "test_h1_corpus::test_corpus_bytewise": "byte-at-a-time feeding of every corpus entry",
    "test_h1_fuzz_small::<import>": "imports the 18 KB h1 corpus (esp32)",
    "test_h1_fuzz_small::test_fuzz_client_role":
        "every corpus response and seed split at every position, then mutants, with the "
        "corpus and the fuzzer in the heap",
    "test_h1_fuzz_small::test_fuzz_server_role":
        "every corpus request and seed split at every position, then mutants, with the "
        "corpus and the fuzzer in the heap",
    "test_h2_connection::*": "an HTTP/2 client AND server (with asyncio) in one heap, each "
        "with 64 KiB windows: 20 concurrent streams, a 150 KB echo, 100 KB pumped",
    "test_h2_server_answers::*": "test_h2_connection's client AND server pair (its module "
        "imported whole: esp32 ~0.5 KB free), 5 KB bodies over a 4 KiB window",
    "test_h2_core::test_auto_ack_and_connection_window_option": "40 KB of DATA",
    "test_h2_core::test_large_headers_split_into_continuation": "40 KB header block "
        "(value, Huffman encoding, frames and the decoded copy at once)",
    "test_h2_core::test_our_initial_window_applies_on_ack": "64 KiB window filled",
    "test_h2_core::test_peer_max_frame_size_used_for_sending": "30 KB body",
    "test_h2_core::test_receive_window_exceeded": "64 KiB of DATA",
    "test_h2_core::test_send_data_respects_windows_and_frame_size": "70 KB body",
    "test_h2_core::test_session_request_callbacks": "100 KB body",
    "test_h2_hardening::test_continuation_flood_bytes": "20 KB of CONTINUATION",
    "test_h2_fuzz_small::test_hpack_round_trip": "runs late in the esp32 run, with every "
        "HTTP/2 rare module the earlier tests loaded from .mpy files in /lib (bytecode on "
        "the heap): since the client's push and header-list checks (s12-h2cfix) grew "
        "mhttp._h2_rare, an H2Protocol's 1168 B table no longer fits there; it passes on "
        "rp2 and from ROMFS",
    "test_h2_lazy::test_moved_protocol_methods_still_work": "loads every rare HTTP/2 module "
        "(esp32 from .mpy files in /lib: bytecode on the heap); since s13-h2fix grew "
        "mhttp._h2_rare (+0.8 KB: the server's own-field checks, no-body responses, their "
        "texts) and mhttp.h2 (+0.5 KB), an H2Protocol's 1168 B table no longer fits there; "
        "it passes on rp2",
    "test_h2_lazy::test_server_exchange_loads_no_client_or_rare_module": "an HTTP/2 client "
        "protocol and a server connection with asyncio in one heap, after the module's "
        "other tests loaded its rare modules (esp32 from .mpy files in /lib: ~4 KB free)",
    "test_h2_hardening::test_stalled_streams_reported_with_since": "70 KB body",
    "test_lazy::test_star_import_gives_the_public_globals": "every public module loaded "
        "into one heap (HTTP/1.1, HTTP/2 and WebSocket code at once, which does not fit an "
        "ESP32 from .mpy files in /lib: README); passes on the virtual ESP32 with ~1 KB "
        "to spare",
    "test_ws::test_bytewise_session_equals_whole": "70 KB session",
    "test_ws::test_length_forms_round_trip": "64 KiB and 70 KB frames, both directions",
    "test_ws::test_masked_frames_across_the_size_classes_whole_and_in_pieces":
        "64 KiB frames (the 8-byte length form), whole and in pieces",
    "test_ws::test_rfc6455_5_7_examples": "the RFC's 64 KiB example",
    "test_ws_deflate::test_decompression_bomb_inflates_under_a_large_limit":
        "the 200 KB the bomb inflates to (the 1009 refusal is test_decompression_bomb_1009, "
        "which must pass)",
}


def _test_name(failure):
    # "FAIL test_mod::test_x: MemoryError(...)" -> "test_mod::test_x"
    return failure[5:].split(":")[0] + "::" + failure[5:].split("::")[1].split(":")[0]


_cache = {}
RUNS = [(b, False) for b in sorted(run.vboard.PROFILES)] + [("rp2", True)]


def _run_all():
    # Every virtual board run of this module at once, one thread each (each is a
    # MicroPython process on its own pty, driven by mpremote; their deploys take turns):
    # ~1 minute instead of ~2 on two cores.  An exception is kept and raised by the
    # test that asks for that run.
    import threading

    def one(key):
        try:
            _cache[key] = run.run_virtual(key[0], echo=False, romfs=key[1])
        except BaseException as e:  # noqa: B902 -- re-raised in result()
            _cache[key] = e
    threads = [threading.Thread(target=one, args=(k,)) for k in RUNS]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def result(board, romfs=False):
    if (board, romfs) not in _cache:
        if not _cache:
            _run_all()
        if (board, romfs) not in _cache:
            _cache[board, romfs] = run.run_virtual(board, echo=False, romfs=romfs)
    r = _cache[board, romfs]
    if isinstance(r, BaseException):
        raise r
    return r


def host_sized(name):
    return name in HOST_SIZED or name.split("::")[0] + "::*" in HOST_SIZED


def tolerated(failure):
    return run.is_memory_failure(failure) and host_sized(_test_name(failure))


def report(label, r, terminal):
    # Printed to the terminal (pytest -q shows it): the host-sized tests that did not run
    # to completion on this board, and the HOST_SIZED entries that did.
    mem = [f for f in r["failures"] if tolerated(f)]
    passed = set(r["passes"])
    done = sorted(n for n in HOST_SIZED if n in passed or (n.endswith("::*") and not [
        f for f in r["failures"] if _test_name(f).split("::")[0] == n[:-3]]))
    with terminal():
        print("\n[%s] %d host-sized tests did not run to completion (MemoryError):"
              % (label, len(mem)))
        for f in mem:
            print("    " + f[5:])
        if done:
            print("[%s] host-sized entries that ran to completion here: %s"
                  % (label, ", ".join(done)))


def check_core(label, r, terminal):
    core = [f for f in r["failures"] if f[5:].split("::")[0] not in GLUE]
    hard = [f for f in core if not tolerated(f)]
    report(label, r, terminal)
    assert not r["crashed"], "modules printed no summary: %s\n%s" % (
        r["crashed"], "\n".join(f for f in core if "::<crash>" in f))
    assert not hard, "\n".join(hard) + "\n" + r["output"][-4000:]
    core_pass = [p for p in r["passes"] if p.split("::")[0] not in GLUE]
    assert len(core_pass) >= 50, core_pass


@pytest.mark.parametrize("board", sorted(run.vboard.PROFILES))
def test_board_glue(board):
    r = result(board)
    glue_fail = [f for f in r["failures"] if f[5:].split("::")[0] in GLUE]
    assert not glue_fail, "\n".join(glue_fail) + "\n" + r["output"][-3000:]
    glue_pass = [p for p in r["passes"] if p.split("::")[0] in GLUE]
    # dt_board (8) + dt_wifi (5): all ran and passed on the virtual board.
    assert len(glue_pass) >= 13, glue_pass
    assert r["heap_total"] and r["heap_total"] <= run.vboard.heap_for(board)


@pytest.mark.parametrize("board", sorted(run.vboard.PROFILES))
def test_core_on_board(board, capsys):
    check_core(board, result(board), capsys.disabled)


# The same device tests with mhttp deployed by `mpremote romfs deploy` into the board's
# ROMFS partition (rp2 profile: 256 KiB; the esp32 profile's 128 KiB does not hold the full
# bundle), imported from /rom after a soft reset (run.deploy_romfs checks __file__): every
# glue test passes, the core tests are judged as with /lib (ROMFS leaves MORE heap, but the
# heap-edge tests fragment differently, so which host-sized ones hit MemoryError may
# differ).
def test_board_romfs_rp2(capsys):
    r = result("rp2", romfs=True)
    assert r["romfs"]
    glue_fail = [f for f in r["failures"] if f[5:].split("::")[0] in GLUE]
    assert not glue_fail, "\n".join(glue_fail) + "\n" + r["output"][-3000:]
    glue_pass = [p for p in r["passes"] if p.split("::")[0] in GLUE]
    core_pass = [p for p in r["passes"] if p.split("::")[0] not in GLUE]
    assert len(glue_pass) >= 13 and len(core_pass) >= 50, (glue_pass, core_pass)
    check_core("rp2 ROMFS", r, capsys.disabled)
