# Board RAM scenario, the yardstick: microdot (as .mpy, staged by tools/bench/_harness.py
# stage_microdot() into build/bench/microdot_mpy) answering GET / with "Hello, World!"
# like tools/bench/peers/microdot_app.py, until N requests were served; then shuts down.
# Prints "HEAPMIN READY" just before it starts listening (the driver retries connecting).
#
#   .venv/bin/python tools/heapmin.py tools/bench/board_microdot_server.py \
#       --driver '.venv/bin/python tools/bench/board_h1_driver.py {port} 10 100' -- {port} 1000
#
# args: PORT N [MICRODOT_DIR]  (default build/bench/microdot_mpy; cwd is the repository)
import sys

try:
    from _heapmin import checkpoint
except ImportError:
    def checkpoint(label=""):
        pass

PORT = int(sys.argv[1])
N = int(sys.argv[2])
sys.path.insert(0, sys.argv[3] if len(sys.argv) > 3 else "build/bench/microdot_mpy")

import asyncio
from microdot import Microdot
checkpoint("microdot imported")

app = Microdot()
served = [0]


async def stop():
    await asyncio.sleep(0.3)
    app.shutdown()


@app.route("/")
async def index(request):
    served[0] += 1
    if served[0] == 1:
        checkpoint("first request")
    if served[0] >= N:
        checkpoint("served %d" % N)
        asyncio.create_task(stop())     # after this response has gone out
    return "Hello, World!", 200, {"Content-Type": "text/plain"}


print("HEAPMIN READY")
asyncio.run(app.start_server(host="127.0.0.1", port=PORT))
print("served", served[0])
