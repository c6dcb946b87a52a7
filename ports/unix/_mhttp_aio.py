# MicroPython unix port glue for mhttp, asyncio half: open_connection (see
# ports/README.md and _mhttp_port.py, whose function of the same name loads this module
# on first use).  A blocking client or a server never loads it (board RAM: the asyncio
# opener's names and code, ~0.45 KB from ROMFS, ~0.9 KB as a .mpy file; a server's
# start_server goes from _mhttp_port straight to mhttp.server's).  tools/bundle.py
# compiles it as _mhttp_aio.mpy for unix, esp32 and rp2; what it needs of the glue it
# takes from `_mhttp_port` (on esp32/rp2 the board's module, which re-exports the unix
# glue and sets its own DEFAULT_BUFSIZE).
import asyncio
import _mhttp_port


def _err(n, host, port, x=None):
    # The connect error numbered n (its text is quoted at each raise site): the texts
    # live in mhttp._io_rare (its connect errors start at 5; _mhttp_port's blocking opener
    # raises the same numbers through it), loaded by the first error (board RAM).
    from mhttp._io_rare import _err as f
    return f(n + 5, host, port, x)


async def open_connection(host, port, tls=None, server_hostname=None, alpn=None, timeout=None,
                          bufsize=None):
    from mhttp._io_stream import StreamIO
    if alpn or tls is True:
        import _mhttp_tls
        _mhttp_tls.no_alpn(alpn)
        if tls is True:
            tls = _mhttp_port.client_tls_context(verify=False)
    try:
        if timeout is None:
            r, w = await asyncio.open_connection(host, port, tls or None, server_hostname or host)
        else:
            r, w = await asyncio.wait_for(
                asyncio.open_connection(host, port, tls or None, server_hostname or host), timeout)
    except asyncio.TimeoutError:
        raise _err(0, host, port, timeout)  # connect to %s:%s timed out after %ss
    except OSError as e:
        if tls:
            raise _err(1, host, port, e)  # TLS connection to %s:%s failed: %r
        raise _err(2, host, port, e)  # connect to %s:%s failed: %r
    return StreamIO(r, w, bufsize or _mhttp_port.DEFAULT_BUFSIZE, tls=bool(tls))

