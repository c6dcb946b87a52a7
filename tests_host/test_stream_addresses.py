# A server's handler reads the client's address from its stream (lua-http
# stream:peername(), the connection's), over real sockets, HTTP/1.1 and h2c; the client's
# stream gives its side, and stream.connection.type is "client" / "server".
import asyncio

from conftest import free_port

from mhttp import client, server
from mhttp.headers import Headers


def test_handler_gets_the_clients_address_from_its_stream():
    port = free_port()
    seen = []

    async def onstream(srv, stream):
        await stream.get_headers()
        seen.append((stream.peername(), stream.localname(), stream.checktls(),
                     stream.connection.type))
        await stream.write_headers(Headers([(":status", "200"), ("content-length", "0")]), True)

    async def main():
        srv = server.listen(onstream, host="127.0.0.1", port=port)
        await srv.listen()
        task = asyncio.ensure_future(srv.loop())
        out = []
        try:
            for ver in (1.1, 2):
                c = await client.connect(host="127.0.0.1", port=port, tls=False, version=ver,
                                         timeout=5)
                s = c.new_stream()
                await s.write_headers(Headers([(":method", "GET"), (":path", "/"),
                                               (":scheme", "http"), (":authority", "h")]), True)
                await s.get_headers(5)
                out.append((ver, c.type, s.peername(), s.localname(), s.checktls()))
                await c.close()
        finally:
            await srv.close(1)
            await asyncio.wait_for(task, 5)
        return out
    out = asyncio.run(main())
    assert len(out) == 2 and len(seen) == 2
    for (ver, ctype, peer, local, tls), (speer, slocal, stls, stype) in zip(out, seen):
        assert ctype == "client" and stype == "server", ver
        assert peer[:2] == ("127.0.0.1", port) and slocal[:2] == peer[:2], ver
        assert speer[:2] == local[:2] and local[0] == "127.0.0.1", ver
        assert tls is False and stls is False
