# mhttp._client_lease: the bound on the sockets of a pool's blocking HTTP/1 connections
# on MicroPython's unix port in a desktop's heap, loaded by its opening of such a
# connection only (mhttp.request.Request._open, mhttp.client._open), as Pool._evict(conn,
# None): Pool's _evict is bound from here (a name the GET path has: board RAM), and calls
# mhttp._request_more's for the pool's own limits (in a board-sized heap the unix port
# runs what a board runs, see its DEFAULT_BUFSIZE: nothing loads this module there but a
# pool beyond its limits).
# A response stream dropped unread keeps its connection out of the pool (see
# mhttp.request): CPython's and the boards' sockets (esp32, rp2: lwIP) are closed by the
# garbage collector, but the unix port's sockets have no finaliser: nothing ever closed
# them (one fd per dropped stream).  There is no weak reference on MicroPython to tell a
# dropped stream from one still being read, so the bound is the pool's: its
# connections in an exchange (their streams', read or dropped) and idle together stay
# under max_total; a new one closes the oldest in an exchange beyond it (a stream
# still being read then gets ConnectionClosed: hold no more than max_total streams
# unread at once, or call shutdown() on those you stop reading).
# pool.leased: the raw sockets of the connections this pool opened, oldest first (the
# socket only, not the connection: a closed connection's buffers are not kept alive).


def lease(pool, conn):
    import _mhttp_port
    if _mhttp_port.NAME != "micropython-unix":
        return
    io = conn.io
    s = getattr(io, "raw", None)
    if s is None or getattr(s, "fileno", None) is None:
        return
    idle = []
    for e in pool.entries:
        idle.append(getattr(getattr(e[1], "io", None), "raw", None))
    keep = []
    busy = 0
    for x in getattr(pool, "leased", ()):
        try:
            if x.fileno() < 0:
                continue        # closed
        except Exception:
            continue
        keep.append(x)
        if not any(x is y for y in idle):
            busy += 1
    i = 0
    while busy and busy + len(idle) >= pool.max_total and i < len(keep):
        x = keep[i]
        if any(x is y for y in idle):
            i += 1
            continue
        keep.pop(i)
        busy -= 1
        try:
            x.close()
        except Exception:
            pass
    keep.append(s)
    pool.leased = keep


def _evict(self, key, n):
    # Pool._evict: n None, lease(self, key) (key: the connection); else the pool beyond
    # its limits, mhttp._request_more's
    if n is None:
        return lease(self, key)
    from mhttp._request_more import _evict
    return _evict(self, key, n)
