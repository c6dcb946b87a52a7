// Evaluated in a headless Chromium page by tests_host/test_websocket_browser.py (over the
// DevTools protocol, driven by mhttp.websocket).  Opens a WebSocket to `url`, sends text
// and binary messages of several sizes, checks each echo byte for byte, closes with 4000,
// and returns a JSON summary.  sizes: message sizes in characters (text: up to 3 bytes
// each in UTF-8) and bytes (binary).  A close from the server ends the run with `error`.
async function wsEchoCheck(url, protocols, sizes) {
  const out = {ok: [], bad: [], extensions: null, protocol: null, closeCode: null, error: null};
  const ws = new WebSocket(url, protocols || []);
  ws.binaryType = "arraybuffer";
  const queue = [];
  let waiter = null;
  let closedWith = null;
  ws.onmessage = (e) => { if (waiter) { const w = waiter; waiter = null; w[0](e.data); } else queue.push(e.data); };
  const next = () => queue.length ? Promise.resolve(queue.shift()) : new Promise((res, rej) => {
    if (closedWith !== null) rej(new Error("closed " + closedWith)); else waiter = [res, rej];
  });
  const closed = new Promise((r) => {
    ws.onclose = (e) => {
      closedWith = e.code + " " + e.reason;
      if (waiter) { const w = waiter; waiter = null; w[1](new Error("closed " + closedWith)); }
      r(closedWith);
    };
  });
  try {
    await new Promise((res, rej) => { ws.onopen = res; ws.onerror = () => rej(new Error("websocket error")); });
    out.extensions = ws.extensions;
    out.protocol = ws.protocol;
    for (const n of (sizes || [0, 125, 126, 65535, 65536, 1 << 20])) {
      const s = "h\u00e9llo \u20ac ".repeat(Math.ceil(n / 9) + 1).slice(0, n);
      ws.send(s);
      const r = await next();
      (r === s ? out.ok : out.bad).push("text " + n);
      const a = new Uint8Array(n);
      for (let i = 0; i < n; i++) a[i] = (i * 31 + (i >> 8)) & 255;
      ws.send(a);
      const b = new Uint8Array(await next());
      let same = b.length === n;
      for (let i = 0; same && i < n; i++) if (b[i] !== a[i]) same = false;
      (same ? out.ok : out.bad).push("binary " + n);
    }
    ws.close(4000, "browser bye");
    out.closeCode = await closed;
  } catch (e) {
    out.error = String(e);
  }
  return JSON.stringify(out);
}
