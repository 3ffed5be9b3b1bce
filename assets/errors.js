// podpath: collects page errors into window.__podpathErrors so the end-to-end test (and anyone
// debugging) can read them. A deferred plain script ahead of the app's module script, so it runs
// first and sees the app's load failures too; a file, not an inline script, so the page can keep
// a strict Content-Security-Policy.
(function () {
  "use strict";
  var errors = [];
  window.__podpathErrors = errors;
  var text = function (args) {
    return Array.prototype.map
      .call(args, function (a) {
        if (a instanceof Error) return a.stack || String(a);
        if (typeof a === "object") {
          try { return JSON.stringify(a); } catch (e) { return String(a); }
        }
        return String(a);
      })
      .join(" ");
  };
  var consoleError = console.error;
  console.error = function () {
    errors.push("console.error: " + text(arguments));
    return consoleError.apply(console, arguments);
  };
  // A strict Content-Security-Policy refusing anything is an error too.
  document.addEventListener("securitypolicyviolation", function (ev) {
    errors.push("CSP violation: " + ev.violatedDirective + " blocked " + (ev.blockedURI || "inline code"));
  });
  window.addEventListener(
    "error",
    function (ev) {
      var target = ev.target;
      if (target && target !== window && (target.src || target.href)) {
        errors.push("failed to load: " + (target.src || target.href));
      } else {
        errors.push("uncaught: " + (ev.message || "error") + " at " + ev.filename + ":" + ev.lineno);
        stopped(ev.error);
      }
    },
    true
  );
  window.addEventListener("unhandledrejection", function (ev) {
    errors.push("unhandled rejection: " + text([ev.reason]));
    stopped(ev.reason);
  });
  // The app's wasm stops for good on a trap (a panic, or a lazily loaded part of the bundle that
  // could not be fetched): say so on the page instead of leaving it silently dead.
  var told = false;
  function stopped(reason) {
    if (told || !(reason instanceof WebAssembly.RuntimeError)) return;
    told = true;
    var box = document.createElement("div");
    box.setAttribute("role", "alert");
    box.setAttribute("data-testid", "stopped");
    box.className = "stopped";
    box.textContent =
      "podpath stopped after an error (" + reason.message + "). A part of the app may have " +
      "failed to download. Reload the page to start again: its address keeps what was shown.";
    document.body.insertBefore(box, document.body.firstChild);
  }
})();
