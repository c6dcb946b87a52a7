# pytest entry (collected by `make test`): the device tests on the esp32 and rp2 virtual
# boards, deployed and run through mpremote by tests_device/run.py.
#   - board glue tests (tests_device/dt_board.py, dt_wifi.py): every one must pass;
#   - portable core tests (tests_host/core/test_*.py as .mpy, with the board's heap):
#     every one must pass, except that a test running out of the board's heap
#     (MemoryError: host-sized buffers, e.g. 64 KiB WebSocket messages) is reported,
#     not failed; any other failure, an import error included, fails.
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402

GLUE = ("dt_board", "dt_wifi")
_cache = {}


def result(board):
    if board not in _cache:
        _cache[board] = run.run_virtual(board, echo=False)
    return _cache[board]


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
    hard = [f for f in core if not run.is_memory_failure(f)]
    assert not hard, "\n".join(hard) + "\n" + r["output"][-4000:]
    core_pass = [p for p in r["passes"] if p.split("::")[0] not in GLUE]
    assert len(core_pass) >= 50, core_pass
    mem = [f for f in core if run.is_memory_failure(f)]
    if mem:
        print("%s: %d core tests ran out of the board's heap:\n  %s"
              % (board, len(mem), "\n  ".join(mem)))
