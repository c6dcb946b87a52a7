# What the raw HTTP/2 servers of the life-cycle scripts (_h2_drain.py, _h2_retry.py,
# _h2_pool_goaway.py: the sans-I/O mhttp.h2 core over asyncio streams) each wrote out,
# once.  Portable: those scripts run on CPython and MicroPython and import this module
# from their own directory.


async def flush(p, w):
    # writes what the core holds for the peer
    d = p.data_to_send()
    if d:
        w.write(d)
        await w.drain()


async def end(w, e=None):
    # a raw server connection's end: its error printed (the tests look for
    # RAW_SERVER_ERROR), the stream closed (MicroPython: Stream.close() does nothing,
    # wait_closed() closes the socket)
    if e is not None:
        print("RAW_SERVER_ERROR", repr(e))
    w.close()
    try:
        await w.wait_closed()
    except Exception:
        pass
