# Peer: microdot answering GET / with "Hello, World!" (13 bytes).  Runs unchanged on
# CPython (pip's microdot) and on the MicroPython unix port (microdot's source files
# copied onto MICROPYPATH, as tools/bench/bench_h1_server_peers.py does):
#   .venv/bin/python tools/bench/peers/microdot_app.py PORT
#   MICROPYPATH=DIR .venv/bin/micropython tools/bench/peers/microdot_app.py PORT
import sys

from microdot import Microdot

app = Microdot()


@app.route("/")
async def index(request):
    return "Hello, World!", 200, {"Content-Type": "text/plain"}


app.run(host="127.0.0.1", port=int(sys.argv[1]))
