// <podpath-viewer>: a live podpath scenario in any page, with one
//   <script type="module" src="https://HOST/assets/embed/podpath-viewer.js"></script>
//
//   <podpath-viewer scenario="pod-to-clusterip" probe="from=default/client to=web:80" autoplay theme="dark">
//   <podpath-viewer src="manifests/my-app.yaml"></podpath-viewer>
//   <podpath-viewer><script type="application/yaml"> ...manifests... </script></podpath-viewer>
//
// Attributes: scenario (a bundled scenario id, default "default"), src (a URL of manifests,
// fetched by this page), probe (`from=NS/POD to=NAME:PORT ...`, default: the manifests'
// `# podpath-probe:`), autoplay, theme ("light" | "dark"; default: the system's), step (open
// paused at that hop), height (CSS length, default 480px), app (the podpath app's URL; default:
// the app this script was served with), loading="lazy" (load the frame only near the viewport).
// Inline manifests win over src, src over scenario.
//
// Each element renders an <iframe> of the app's embed view (index.html?embed=1, see
// app/src/embed_url.rs), so instances are fully independent and the host page needs no inline
// script and no 'unsafe-eval': it works under `script-src 'self' 'wasm-unsafe-eval'`.

const APP_DEFAULT = new URL("../../", import.meta.url);
const ATTRIBUTES = ["scenario", "src", "probe", "autoplay", "theme", "step", "height", "app"];

const SHEET = (() => {
  // A constructed stylesheet: not an inline <style>, so no style-src exception is needed either.
  try {
    const s = new CSSStyleSheet();
    s.replaceSync(`
      :host { display: block; position: relative; width: 100%; height: var(--podpath-height, 480px);
              border: 1px solid #d5d9e0; border-radius: 8px; overflow: hidden; }
      iframe { display: block; width: 100%; height: 100%; border: 0; }
      .error { margin: 0; padding: 12px; color: #c7321b; font: 13px/1.4 system-ui, sans-serif; }
    `);
    return s;
  } catch (_) {
    return null;
  }
})();

/** base64url (unpadded) of the UTF-8 bytes of `text`. */
function base64url(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Removes the indentation an HTML author gave the inline manifests. */
function dedent(text) {
  const lines = text.replace(/^\s*\n/, "").replace(/\s+$/, "").split("\n");
  const indents = lines.filter((l) => l.trim() !== "").map((l) => l.match(/^[ \t]*/)[0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join("\n") + "\n";
}

class PodpathViewer extends HTMLElement {
  static get observedAttributes() {
    return ATTRIBUTES;
  }

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    if (SHEET) this.shadowRoot.adoptedStyleSheets = [SHEET];
    this._generation = 0;
  }

  connectedCallback() {
    if (document.readyState === "loading") {
      // Inline manifests may not be parsed yet when the element is upgraded early.
      document.addEventListener("DOMContentLoaded", () => this._render(), { once: true });
    } else {
      this._render();
    }
  }

  attributeChangedCallback(_name, oldValue, newValue) {
    if (oldValue !== newValue && this.isConnected && document.readyState !== "loading") {
      this._render();
    }
  }

  /** The iframe's URL for the current attributes (and manifests text, if any). */
  embedUrl(yaml) {
    const url = new URL(this.getAttribute("app") || APP_DEFAULT.href, document.baseURI);
    url.search = "";
    url.hash = "";
    url.searchParams.set("embed", "1");
    if (yaml === undefined) url.searchParams.set("scenario", this.getAttribute("scenario") || "default");
    for (const name of ["probe", "theme", "step"]) {
      const v = this.getAttribute(name);
      if (v) url.searchParams.set(name, v);
    }
    if (this.hasAttribute("autoplay") && this.getAttribute("autoplay") !== "false") {
      url.searchParams.set("autoplay", "1");
    }
    if (yaml !== undefined) url.hash = "yaml=" + base64url(yaml);
    return url.href;
  }

  async _render() {
    const generation = ++this._generation;
    const height = this.getAttribute("height");
    if (height) this.style.setProperty("--podpath-height", height);
    let yaml;
    try {
      const inline = this.querySelector('script[type="application/yaml"]');
      if (inline) {
        yaml = dedent(inline.textContent || "");
      } else if (this.getAttribute("src")) {
        const src = new URL(this.getAttribute("src"), document.baseURI);
        const res = await fetch(src);
        if (!res.ok) throw new Error(`${src.href}: HTTP ${res.status}`);
        yaml = await res.text();
      }
    } catch (e) {
      if (generation === this._generation) this._show(null, `podpath: cannot read the manifests: ${e.message}`);
      return;
    }
    if (generation !== this._generation) return; // a newer render superseded this one
    this._show(this.embedUrl(yaml), null);
  }

  _show(url, error) {
    const root = this.shadowRoot;
    if (error) {
      const p = document.createElement("p");
      p.className = "error";
      p.setAttribute("role", "alert");
      p.textContent = error;
      root.replaceChildren(p);
      return;
    }
    let frame = root.querySelector("iframe");
    if (!frame) {
      frame = document.createElement("iframe");
      frame.setAttribute("loading", this.getAttribute("loading") === "lazy" ? "lazy" : "eager");
      frame.setAttribute("allow", "fullscreen");
      root.replaceChildren(frame);
    }
    frame.title = this.getAttribute("aria-label") || `podpath: ${this.getAttribute("scenario") || "scenario"}`;
    if (frame.src !== url) frame.src = url;
  }
}

if (!customElements.get("podpath-viewer")) {
  customElements.define("podpath-viewer", PodpathViewer);
}
