#!/bin/sh
# Installs the Debian packages the tests and the demo use, when missing:
# curl, nghttp/h2load (nghttp2-client), nghttpd (nghttp2-server), wrk, openssl, chromium,
# node and npm (nodejs, npm: they run the wasm32 MicroPython, tools/wasm32_port.py).
# Loud on failure: a missing peer must fail the run, never skip tests silently.
set -e
need=""
command -v curl >/dev/null 2>&1 || need="$need curl"
command -v nghttp >/dev/null 2>&1 || need="$need nghttp2-client"
command -v h2load >/dev/null 2>&1 || need="$need nghttp2-client"
command -v nghttpd >/dev/null 2>&1 || need="$need nghttp2-server"
command -v wrk >/dev/null 2>&1 || need="$need wrk"
command -v openssl >/dev/null 2>&1 || need="$need openssl"
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v node >/dev/null 2>&1 || need="$need nodejs"
command -v npm >/dev/null 2>&1 || need="$need npm"
if [ -n "$need" ]; then
    echo "sysdeps: installing$need"
    if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need
fi
