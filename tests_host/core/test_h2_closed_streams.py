# HTTP/2 core: the closed-stream memory (H2Protocol._closed, max_closed_streams) is bounded,
# forgets the oldest ids first, and (board RAM) never grows its table after the
# connection is made: no allocation of a new dict table or of a sorted key list in the
# middle of a long-lived connection, where a fragmented heap has no large block left.
import gc

from mhttp import h2
from mhttp.errors import CANCEL
from mhttp.h2_frames import data_pack, window_update_pack
from _h2t import REQ, RawClient


def _serve(rc, first, n):
    # n requests answered and closed normally, from stream id `first` on (the answers
    # taken every 16 requests, as a driver would: not one 2 KB block on a board).
    sid = first
    for i in range(n):
        rc.send(rc.headers(sid, REQ, True))
        rc.s.send_headers(sid, [(b":status", b"204")], True)
        sid += 2
        if i % 16 == 15:
            rc.drain()
    rc.drain()
    return sid


def test_closed_ids_are_bounded_and_the_oldest_forgotten():
    rc = RawClient()
    m = rc.s.max_closed_streams
    sid = _serve(rc, 1, 3 * m)
    c = rc.s._closed
    assert m // 2 <= len(c) <= m, len(c)
    last = sid - 2
    # the newest ids are remembered as closed, the first ones forgotten
    for k in range(last - 2 * (m // 2 - 1), last + 1, 2):
        assert rc.s.stream_state(k) == h2.ST_CLOSED, k
    assert rc.s.stream_state(1) == h2.ST_FORGOTTEN
    assert rc.s.stream_state(3) == h2.ST_FORGOTTEN
    # late frames on a forgotten stream are tolerated, the connection goes on
    assert rc.send(data_pack(1, b"late"), window_update_pack(1, 1)) == []
    rc.roundtrip(sid)


def test_reset_streams_keep_their_state_until_forgotten():
    rc = RawClient(max_closed_streams=8)
    sid = 1
    for i in range(20):
        rc.send(rc.headers(sid, REQ, False))
        rc.s.reset_stream(sid, CANCEL)
        sid += 2
    rc.drain()
    assert 4 <= len(rc.s._closed) <= 8
    assert rc.s.stream_state(sid - 2) == h2.ST_RESET_LOCAL
    assert rc.s.stream_state(1) == h2.ST_FORGOTTEN


def test_closed_memory_does_not_grow_after_connection_start():
    if not hasattr(gc, "mem_alloc"):
        return      # CPython: no heap figure to check (the bounds above still hold)
    rc = RawClient()
    m = rc.s.max_closed_streams
    sid = _serve(rc, 1, 4)      # the request path's own first-use allocations
    c = rc.s._closed
    gc.collect()
    base = gc.mem_alloc()
    for i in range(9 * m):
        rc.s._remember(1001 + 2 * i, h2.ST_CLOSED)
    gc.collect()
    # small ints as keys and values, a table sized at the start: remembering and
    # forgetting allocate nothing lasting (a table grown on the way: 1168 bytes)
    assert gc.mem_alloc() - base < 256, gc.mem_alloc() - base
    assert len(c) <= m


def test_sparse_ids_are_forgotten_without_walking_the_range():
    # A peer that closes streams far apart (the last one at 2**31-1): forgetting the
    # older half goes over the remembered ids, not over every id between them (about a
    # billion steps: the server hung).
    import time
    rc = RawClient(max_closed_streams=8)
    sid = _serve(rc, 1, 8)
    t0 = time.time()
    big = 0x7fffffff
    rc.send(rc.headers(big, REQ, True))
    rc.s.send_headers(big, [(b":status", b"204")], True)
    rc.drain()
    assert time.time() - t0 < 5
    c = rc.s._closed
    # the ids below the middle of the range held are forgotten: all but the last
    assert list(c) == [big]
    assert rc.s.stream_state(big) == h2.ST_CLOSED
    assert rc.s.stream_state(1) == h2.ST_FORGOTTEN
    assert rc.s.stream_state(sid - 2) == h2.ST_FORGOTTEN


def test_closed_and_reset_streams_mixed_keep_their_states():
    # _closed holds id for a stream closed and -id for one we reset (board RAM: a set,
    # not a dict of states): forgetting goes by the id either way.
    rc = RawClient(max_closed_streams=8)
    sid = 1
    for i in range(30):
        rc.send(rc.headers(sid, REQ, i % 3 != 0))
        if i % 3 == 0:
            rc.s.reset_stream(sid, CANCEL)
        else:
            rc.s.send_headers(sid, [(b":status", b"204")], True)
        sid += 2
    rc.drain()
    c = rc.s._closed
    assert 4 <= len(c) <= 8, len(c)
    for i in range(30):
        k = 1 + 2 * i
        s = rc.s.stream_state(k)
        if k > sid - 2 - 2 * 4:       # the newest 4: remembered with their own state
            assert s == (h2.ST_RESET_LOCAL if i % 3 == 0 else h2.ST_CLOSED), (k, s)
        elif k < sid - 2 - 2 * 8:     # older than the table holds: forgotten
            assert s == h2.ST_FORGOTTEN, (k, s)
    # a far jump with reset ids held: forgetting goes over the keys, and sending a
    # HEADERS on a remembered id is refused with its state
    # (the table full, the newest ids reset by us)
    for i in range(8):
        if len(c) == 8:
            break
        rc.send(rc.headers(sid, REQ, False))
        rc.s.reset_stream(sid, CANCEL)
        sid += 2
    rc.drain()
    assert len(c) == 8 and rc.s.stream_state(sid - 2) == h2.ST_RESET_LOCAL
    big = 0x7fffffff
    rc.send(rc.headers(big, REQ, True))
    rc.s.send_headers(big, [(b":status", b"204")], True)
    rc.drain()
    assert list(c) == [big]
    assert rc.s.stream_state(sid - 2) == h2.ST_FORGOTTEN
    assert rc.s.stream_state(big) == h2.ST_CLOSED
