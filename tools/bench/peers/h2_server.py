# Peer: a minimal HTTP/2 (h2c, prior knowledge) server on asyncio built directly on the
# `h2` package; every request gets "Hello, World!" (13 bytes):
#   .venv/bin/python tools/bench/peers/h2_server.py PORT
import asyncio
import sys

import h2.config
import h2.connection
import h2.events
import h2.exceptions

BODY = b"Hello, World!"
HEADERS = [(":status", "200"), ("content-type", "text/plain"), ("content-length", "13")]


class H2(asyncio.Protocol):
    def connection_made(self, transport):
        self.t = transport
        self.c = h2.connection.H2Connection(
            h2.config.H2Configuration(client_side=False, header_encoding=None))
        self.c.initiate_connection()
        self.t.write(self.c.data_to_send())

    def data_received(self, data):
        try:
            events = self.c.receive_data(data)
        except Exception:
            self.t.close()
            return
        for ev in events:
            # answer once the request is complete (a GET ends with its HEADERS)
            if isinstance(ev, h2.events.StreamEnded):
                self.respond(ev.stream_id)
            elif isinstance(ev, h2.events.ConnectionTerminated):
                self.t.write(self.c.data_to_send())
                self.t.close()
                return
            elif isinstance(ev, h2.events.DataReceived):
                self.c.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
        self.t.write(self.c.data_to_send())

    def respond(self, sid):
        try:
            self.c.send_headers(sid, HEADERS)
            self.c.send_data(sid, BODY, end_stream=True)
        except h2.exceptions.ProtocolError:
            pass  # the stream or connection was closed meanwhile (peer's RST/GOAWAY)


async def main(port):
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(H2, "127.0.0.1", port, backlog=1024)
    async with srv:
        await srv.serve_forever()


asyncio.run(main(int(sys.argv[1])))
