// podpath's browser benchmark helper (tests/perf): records the time between animation frames,
// and where the long ones (> 50 ms, Chromium's Long Animation Frames API) spent it.
// A file, not an inline script, so the page stays clean under a strict CSP. The harness adds it
// with a <script src> element only while it measures; the app never loads it.
window.__podpathPerf = {
  frames: [],
  long: [],
  running: false,
  observer: null,
  start() {
    this.frames = [];
    this.long = [];
    this.running = true;
    let last = null;
    const tick = (ts) => {
      if (!this.running) return;
      if (last !== null) this.frames.push(ts - last);
      last = ts;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    if (typeof PerformanceObserver !== 'undefined' &&
        (PerformanceObserver.supportedEntryTypes || []).includes('long-animation-frame')) {
      this.observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          // Script (by what invoked it), forced style/layout inside scripts, then the frame's
          // own style + layout, and the rest of rendering (paint, commit).
          const scripts = {};
          let forced = 0;
          for (const s of e.scripts || []) {
            const k = s.invoker || s.invokerType || '?';
            scripts[k] = (scripts[k] || 0) + s.duration;
            forced += s.forcedStyleAndLayoutDuration || 0;
          }
          const end = e.startTime + e.duration;
          const styleLayout = e.styleAndLayoutStart ? end - e.styleAndLayoutStart : 0;
          const renderStart = e.renderStart || end;
          this.long.push({
            duration: e.duration,
            scripts,
            forced,
            beforeRender: renderStart - e.startTime,
            rafAndObservers: e.styleAndLayoutStart ? e.styleAndLayoutStart - renderStart : 0,
            styleLayoutPaint: styleLayout,
          });
        }
      });
      this.observer.observe({ type: 'long-animation-frame', buffered: false });
    }
  },
  stop() {
    this.running = false;
    if (this.observer) this.observer.disconnect();
    return { frames: this.frames, long: this.long };
  },
};
