# pytest entry (collected by `make test`): the device tests on the esp32 and rp2 virtual
# boards, deployed and run through mpremote by tests_device/run.py.
#   - board glue tests (tests_device/dt_board.py, dt_wifi.py): every one must pass;
#   - portable core tests (tests_host/core/test_*.py as .mpy, with the board's heap):
#     every one must pass, except the tests named in HOST_SIZED, which build host-sized
#     buffers (64 KiB frames, 16 MiB windows, a 200 KB deflate bomb) and may run out of
#     a board's heap.  A MemoryError anywhere else fails: a regression in what fits on a
#     board must not hide behind this list.
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402

GLUE = ("dt_board", "dt_wifi")

# module::test (or module::<import>) -> why it may not fit a board's heap.
HOST_SIZED = {
    "test_h1_corpus::<import>": "the corpus literal is one 18 KB block on esp32",
    "test_h1_corpus::test_corpus_bytewise": "byte-at-a-time feeding of every corpus entry",
    "test_h2_core::test_auto_ack_and_connection_window_option": "40 KB of DATA",
    "test_h2_core::test_large_headers_split_into_continuation": "40 KB header block",
    "test_h2_core::test_our_initial_window_applies_on_ack": "64 KiB window filled",
    "test_h2_core::test_peer_max_frame_size_used_for_sending": "30 KB body",
    "test_h2_core::test_receive_window_exceeded": "64 KiB of DATA",
    "test_h2_core::test_send_data_respects_windows_and_frame_size": "70 KB body",
    "test_h2_core::test_session_request_callbacks": "100 KB body",
    "test_h2_hardening::test_continuation_flood_bytes": "20 KB of CONTINUATION",
    "test_h2_hardening::test_stalled_streams_reported_with_since": "70 KB body",
    "test_ws::test_bytewise_session_equals_whole": "70 KB session",
    "test_ws::test_length_forms_round_trip": "64 KiB and 256 KiB frames",
    "test_ws::test_rfc6455_5_7_examples": "the RFC's 64 KiB example",
    "test_ws_deflate::test_decompression_bomb_1009": "a 200 KB decompression bomb",
}


def _test_name(failure):
    # "FAIL test_mod::test_x: MemoryError(...)" -> "test_mod::test_x"
    return failure[5:].split(":")[0] + "::" + failure[5:].split("::")[1].split(":")[0]
_cache = {}


def result(board, romfs=False):
    if (board, romfs) not in _cache:
        _cache[board, romfs] = run.run_virtual(board, echo=False, romfs=romfs)
    return _cache[board, romfs]


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
def test_core_on_board(board):
    r = result(board)
    core = [f for f in r["failures"] if f[5:].split("::")[0] not in GLUE]
    hard = [f for f in core if not (run.is_memory_failure(f) and _test_name(f) in HOST_SIZED)]
    assert not hard, "\n".join(hard) + "\n" + r["output"][-4000:]
    core_pass = [p for p in r["passes"] if p.split("::")[0] not in GLUE]
    assert len(core_pass) >= 50, core_pass
    mem = [f for f in core if run.is_memory_failure(f)]
    if mem:
        print("%s: %d core tests ran out of the board's heap:\n  %s"
              % (board, len(mem), "\n  ".join(mem)))


# The same device tests with mhttp deployed by `mpremote romfs deploy` into the board's
# ROMFS partition (rp2 profile: 256 KiB; the esp32 profile's 128 KiB does not hold the full
# bundle), imported from /rom after a soft reset (run.deploy_romfs checks __file__): every
# glue test passes, the core tests pass as with /lib: a failure other than running out of
# heap must be one the /lib run has too (ROMFS leaves MORE heap, but the heap-edge tests
# fragment differently, so which of them hit MemoryError may differ).
def test_board_romfs_rp2():
    r = result("rp2", romfs=True)
    assert r["romfs"]
    glue_fail = [f for f in r["failures"] if f[5:].split("::")[0] in GLUE]
    assert not glue_fail, "\n".join(glue_fail) + "\n" + r["output"][-3000:]
    glue_pass = [p for p in r["passes"] if p.split("::")[0] in GLUE]
    core_pass = [p for p in r["passes"] if p.split("::")[0] not in GLUE]
    assert len(glue_pass) >= 13 and len(core_pass) >= 50, (glue_pass, core_pass)
    fs_failed = set(_test_name(f) for f in result("rp2")["failures"])
    odd = [f for f in r["failures"]
           if not run.is_memory_failure(f) and _test_name(f) not in fs_failed]
    assert not odd, "\n".join(odd) + "\n" + r["output"][-4000:]
