# Peer (the ceiling): an asyncio Protocol that does not parse HTTP at all.  It counts
# request ends ("\r\n\r\n") and writes one canned keep-alive response for each:
#   .venv/bin/python tools/bench/peers/bare_asyncio.py PORT
import asyncio
import sys

RESP = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n"
        b"Hello, World!")


class Bare(asyncio.Protocol):
    def connection_made(self, transport):
        self.t = transport
        self.tail = b""

    def data_received(self, data):
        data = self.tail + data
        n = data.count(b"\r\n\r\n")
        if n:
            self.t.write(RESP * n)
        self.tail = data[data.rfind(b"\r\n\r\n") + 4:] if n else data
        if len(self.tail) > 65536:
            self.t.close()


async def main(port):
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(Bare, "127.0.0.1", port, backlog=1024)
    async with srv:
        await srv.serve_forever()


asyncio.run(main(int(sys.argv[1])))
