# The same GET with asyncio (CPython asyncio or MicroPython asyncio), two requests on one
# kept-alive connection.
import sys
import asyncio

import mhttp.request


async def main(uri):
    for _ in range(2):
        headers, stream = await mhttp.request.new_from_uri(uri).go(10)
        body = await stream.get_body_as_string(10)
        print(headers.get(":status").decode(), len(body), "bytes")
    print("connections reused:", mhttp.request.POOL.reused)

asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/"))
