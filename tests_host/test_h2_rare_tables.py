# mhttp.h2, mhttp.h2_connection and mhttp.hpack call their rarely used functions through
# one tuple F in the rare module, by const() index (_RF_*, _CF_*, 0): one interned name on
# a board instead of one per function.  The indexes and the tuples' order must agree;
# this checks every index against the function it is meant to reach, and that no tuple
# entry is left without an index (CPython: const() names are ordinary globals there).
# (the public modules first: a rare module imported before its parent is an import
# cycle, in which mhttp._lazy.settle leaves the class's lazy binding in place, and
# test_h2_lazy's check that CPython binds at import would then fail when run after this)
import mhttp.h2 as h2
import mhttp.h2_connection as h2_connection
import mhttp.hpack  # noqa: F401
import mhttp._h2_conn_rare as conn_rare
import mhttp._h2_rare as h2_rare
import mhttp._hpack_more as hpack_more

H2 = {
    "_RF_ERR": "err", "_RF_BAD_TRANSITION": "bad_transition", "_RF_RECEIVERS": "RECEIVERS",
    "_RF_PRIORITY_UPDATE": "r_priority_update", "_RF_STREAM_ERROR": "stream_error",
    "_RF_CONNECTION_ERROR": "connection_error", "_RF_START_BLOCK": "start_block",
    "_RF_PUSH_PROMISE": "recv_push_promise", "_RF_STATE_OF": "_state_of",
    "_RF_CHECK_ABSENT": "_check_absent", "_RF_SEND_DATA_SLOW": "_send_data_slow",
    "_RF_MISUSE": "misuse",
}
CONN = {"_CF_CERR": "cerr", "_CF_INIT_UPGRADE": "init_upgrade",
        "_CF_DISPATCH_RARE": "dispatch_rare", "_CF_FAIL": "_fail", "_CF_ATTR": "mod_attr"}


def _check(caller, prefix, rare, table):
    consts = {n: getattr(caller, n) for n in vars(caller) if n.startswith(prefix)}
    # every index the caller defines is in the table above, and the other way round
    assert sorted(consts) == sorted(table), (sorted(consts), sorted(table))
    # the indexes are 0..len(F)-1, each used once: no entry of F unreachable
    assert sorted(consts.values()) == list(range(len(rare.F))), consts
    for name, fn in table.items():
        assert rare.F[consts[name]] is getattr(rare, fn), (name, fn)


def test_h2_rare_table_order():
    _check(h2, "_RF_", h2_rare, H2)


def test_h2_connection_rare_table_order():
    _check(h2_connection, "_CF_", conn_rare, CONN)


def test_hpack_rare_table():
    assert hpack_more.F == (hpack_more.herr, hpack_more.mod_attr)


def test_a_swapped_table_is_caught():
    # the check itself can fail: two entries swapped
    class Fake:
        pass
    fake = Fake()
    f = list(conn_rare.F)
    f[0], f[3] = f[3], f[0]
    fake.F = tuple(f)
    for n in CONN.values():
        setattr(fake, n, getattr(conn_rare, n))
    try:
        _check(h2_connection, "_CF_", fake, CONN)
    except AssertionError:
        return
    raise AssertionError("a swapped table passed")
