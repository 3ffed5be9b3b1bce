// podpath's browser benchmark helper (tests/perf): records the time between animation frames.
// A file, not an inline script, so the page stays clean under a strict CSP. The harness adds it
// with a <script src> element only while it measures; the app never loads it.
window.__podpathPerf = {
  frames: [],
  running: false,
  start() {
    this.frames = [];
    this.running = true;
    let last = null;
    const tick = (ts) => {
      if (!this.running) return;
      if (last !== null) this.frames.push(ts - last);
      last = ts;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  },
  stop() {
    this.running = false;
    return this.frames;
  },
};
