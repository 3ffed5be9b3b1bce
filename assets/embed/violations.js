// podpath: records Content-Security-Policy violations of the page in window.__podpathErrors (the
// list assets/errors.js keeps), so a headless check sees them next to console errors. A file, not
// an inline script: the pages it guards run under `script-src 'self' 'wasm-unsafe-eval'`.
(function () {
  "use strict";
  var errors = window.__podpathErrors || (window.__podpathErrors = []);
  document.addEventListener("securitypolicyviolation", function (ev) {
    errors.push(
      "CSP violation: " + ev.violatedDirective + " blocked " + (ev.blockedURI || "an inline script") +
        " (" + (ev.sourceFile || "the page") + ":" + ev.lineNumber + ")"
    );
  });
})();
