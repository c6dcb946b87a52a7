# HTTPS server: python examples/server_tls.py CERT.pem KEY.pem [PORT]
# (MicroPython: tools/micropython examples/server_tls.py ...; PEM or DER files.)
# Make a test certificate with:  python -m trustme   (writes server.pem, server.key, client.pem)
import asyncio
import sys

from mhttp import server
from mhttp.headers import Headers


async def onstream(srv, stream):
    req = await stream.get_headers()
    body = b"hello over TLS, you asked for " + req.get(":path") + b"\n"
    await stream.write_headers(Headers([(":status", "200"), ("content-length", str(len(body)))]), False)
    await stream.write_chunk(body, True)


async def main(cert, key, port):
    srv = server.listen(onstream, host="127.0.0.1", port=port, tls=(cert, key))
    await srv.listen()
    print("listening on https://%s:%d" % srv.localname())
    await srv.loop()


asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 8443))
