// Where a slow frame goes: a Chromium trace of the browser benchmark's scene, read back as the
// main thread's slow frames broken down by trace event (script, forced layout, paint,
// layerize, ...). A tool for looking, not a test: it prints figures and asserts nothing.
//
//   cargo xtask bench browser                         # builds target/bench-dist
//   python3 -m http.server 8765 -d target/bench-dist  # in another shell
//   node tests/perf/cdp-trace.js 'http://127.0.0.1:8765/?synth=5x200&packets=200' [seconds] [setup-js]
//
// Chromium is driven over the DevTools protocol on a pipe (--remote-debugging-pipe: no
// WebSocket module needed). Like tests/perf it expands every pod group, restarts playback and
// records; `setup-js` runs before recording (e.g. a tab click). The raw trace is written to
// /tmp/podpath-trace.json (loadable in chrome://tracing or Perfetto).
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [url, secs = '4', setup = ''] = process.argv.slice(2);
if (!url) { console.error('usage: node cdp-trace.js URL [seconds] [setup-js]'); process.exit(2); }
const chromium = process.env.CHROMIUM_BIN || '/usr/lib/chromium/chromium';
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'podpath-trace-'));
const chrome = spawn(chromium, ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--window-size=1400,900', '--remote-debugging-pipe', '--user-data-dir=' + profile, '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', 'about:blank'],
{ stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });

let id = 0, buf = Buffer.alloc(0);
const pending = new Map(), listeners = [];
chrome.stdio[4].on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  for (let i; (i = buf.indexOf(0)) >= 0; buf = buf.subarray(i + 1)) {
    const m = JSON.parse(buf.subarray(0, i).toString());
    const p = m.id && pending.get(m.id);
    if (p) { pending.delete(m.id); m.error ? p.rej(new Error(JSON.stringify(m.error))) : p.res(m.result); }
    else listeners.forEach((l) => l(m));
  }
});
const send = (method, params = {}, sessionId) => new Promise((res, rej) => {
  pending.set(++id, { res, rej });
  chrome.stdio[3].write(JSON.stringify({ id, method, params, sessionId }) + '\0');
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

(async () => {
  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  const { sessionId: s } = await send('Target.attachToTarget', { targetId, flatten: true });
  const js = async (e) => (await send('Runtime.evaluate', { expression: e, returnByValue: true, awaitPromise: true }, s)).result.value;
  const until = async (e) => { for (let i = 0; i < 1200 && !(await js(e)); i++) await sleep(50); };
  await send('Page.navigate', { url }, s);
  await until("Number(document.querySelector('[data-testid=packet-canvas]')?.dataset.packets || 0) > 0");
  for (let i = 0; i < 10; i++) {
    const left = await js("(() => { const gs = document.querySelectorAll('[data-testid=pod-group]'); gs.forEach(g => g.dispatchEvent(new MouseEvent('click', {bubbles: true}))); return gs.length; })()");
    await sleep(500);
    if (left === 0) break;
  }
  if (setup) { await js(setup); await sleep(300); }
  await js("(() => { const s = document.createElement('script'); s.src = 'assets/perf.js'; document.head.appendChild(s); return true; })()");
  await until('!!window.__podpathPerf');
  await js("document.querySelector('[data-testid=restart]').click(), true");
  await sleep(100);

  const events = [];
  listeners.push((m) => m.method === 'Tracing.dataCollected' && events.push(...m.params.value));
  const complete = new Promise((r) => listeners.push((m) => m.method === 'Tracing.tracingComplete' && r()));
  await send('Tracing.start', { transferMode: 'ReportEvents', traceConfig: { includedCategories: [
    'devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.frame',
    'blink', 'cc', 'v8', 'disabled-by-default-v8.gc', 'toplevel'] } }, s);
  await js('window.__podpathPerf.start(), true');
  await sleep(Number(secs) * 1000);
  const rec = await js('window.__podpathPerf.stop()');
  await send('Tracing.end', {}, s);
  await complete;
  fs.writeFileSync('/tmp/podpath-trace.json', JSON.stringify({ traceEvents: events }));

  const f = rec.frames.slice().sort((a, b) => a - b);
  console.log(`frames ${f.length} in ${secs} s; p95 ${f[Math.ceil(f.length * 0.95) - 1].toFixed(1)} ms, max ${f[f.length - 1].toFixed(1)} ms; over 20 ms at frames: ${rec.frames.map((d, i) => d > 20 ? `#${i} ${d.toFixed(1)}` : '').filter(Boolean).join(', ') || 'none'}`);
  // The renderer's main thread: its BeginMainFrame tasks, and what the slow ones contain.
  const names = {};
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') names[`${e.pid}:${e.tid}`] = e.args.name;
  const count = {};
  for (const e of events) { const k = `${e.pid}:${e.tid}`; if (names[k] === 'CrRendererMain') count[k] = (count[k] || 0) + 1; }
  const main = Object.entries(count).sort((a, b) => b[1] - a[1])[0][0];
  const X = events.filter((e) => e.ph === 'X' && `${e.pid}:${e.tid}` === main).sort((a, b) => a.ts - b.ts);
  const frames = X.filter((e) => e.name === 'ProxyMain::BeginMainFrame');
  const t0 = frames.length ? frames[0].ts : 0;
  const d = frames.map((e) => e.dur / 1000).sort((a, b) => a - b);
  console.log(`main-thread frames ${d.length}: p50 ${d[d.length >> 1].toFixed(1)} ms, p95 ${d[Math.ceil(d.length * 0.95) - 1].toFixed(1)} ms, max ${d[d.length - 1].toFixed(1)} ms`);
  const parts = ['FireAnimationFrame', 'RunMicrotasks', 'Blink.ForcedStyleAndLayout.UpdateTime', 'Blink.Style.UpdateTime',
    'Blink.Layout.UpdateTime', 'PrePaint', 'Paint', 'Layerize', 'Commit', 'MinorGC', 'MajorGC'];
  for (const k of frames.filter((e) => e.dur > 10000)) {
    const sum = {};
    for (const e of X) {
      if (e.ts < k.ts || e.ts + e.dur > k.ts + k.dur || !parts.includes(e.name)) continue;
      // Paint events nest (a layer's inside the document's): count the outermost only. Style
      // and Layout are counted where they run, so inside a forced style-and-layout as well.
      if (e.name === 'Paint' && e.args?.data?.nodeName !== '#document') continue;
      sum[e.name] = (sum[e.name] || 0) + e.dur / 1000;
    }
    const items = X.find((e) => e.name === 'PaintController::commitNewDisplayItems' && e.ts >= k.ts && e.ts <= k.ts + k.dur);
    const list = items ? `; display items ${items.args.current_display_list_size} (${items.args.num_non_cached_new_items} new)` : '';
    console.log(`  @${((k.ts - t0) / 1000).toFixed(0)} ms: ${(k.dur / 1000).toFixed(1)} ms; within it ${parts.filter((p) => sum[p]).map((p) => `${p} ${sum[p].toFixed(1)}`).join(', ')}${list}`);
  }
})().catch((e) => { console.error(e); process.exitCode = 1; }).finally(() => chrome.kill());
