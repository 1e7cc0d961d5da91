/* The bundle's first lines, before the modules (which run inside start()): find the script tag while it is
 * still document.currentScript, then start; an English embed (data-lang="en") first fetches the English texts
 * (STRINGS_EN, a content-hashed file the bundle names), so Vietnamese pages never download them. */

var script = document.currentScript || document.querySelector("script[src*='widget.js']");
if (!script || window.__dvcWidgetLoaded) return;
window.__dvcWidgetLoaded = true;
if (script.getAttribute("data-lang") === "en" && !window.__dvcWidgetStringsEn) {
  var strings = document.createElement("script");
  strings.src = new URL(STRINGS_EN, script.src || location.href).href;
  strings.onload = strings.onerror = function () { strings.remove(); start(); };
  (document.head || document.documentElement).appendChild(strings);
} else {
  start();
}
