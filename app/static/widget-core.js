/* Widget module 2 of 9: the embedding script's settings and small DOM helpers.
 * Rules every module keeps: text from the service is written with textContent or createTextNode (never
 * innerHTML), links open only for http(s), tel: and mailto: URLs, and everything lives in a shadow root. */

var data = script.dataset || {};
// English only when its texts arrived (widget-boot.js); without them the widget speaks Vietnamese
var T = data.lang === "en" && window.__dvcWidgetStringsEn ? window.__dvcWidgetStringsEn : STRINGS_VI;
var lang = T === STRINGS_VI ? "vi" : "en";
var api = apiBase(data.api, script.src);
var title = data.title || T.title;
var greeting = data.greeting || T.greeting;
var timeoutSeconds = readTimeout(data.timeout);
var live; // the widget's only live region, made by the panel module

function apiBase(attr, src) {
  try {
    return new URL(attr || ".", src || location.href).href.replace(/\/+$/, "");
  } catch (e) {
    return location.origin;
  }
}

function readTimeout(value) {
  var s = parseFloat(value);
  return isFinite(s) && s > 0 ? Math.min(s, 300) : 20;
}

function el(tag, cls, text) {
  var node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function button(cls, text, labelText) {
  var b = el("button", cls, text);
  b.type = "button";
  if (labelText) b.setAttribute("aria-label", labelText);
  return b;
}

function icon(path) {
  var ns = "http://www.w3.org/2000/svg";
  var svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", "icon");
  var shape = document.createElementNS(ns, "path");
  shape.setAttribute("d", path);
  shape.setAttribute("fill", "currentColor");
  svg.appendChild(shape);
  return svg;
}

function iconButton(cls, path, text, labelText) {
  var b = button(cls, null, labelText);
  b.appendChild(icon(path));
  b.appendChild(el("span", "btn-text", text));
  return b;
}

/* Polite announcement through the one live region; cleared first so a repeated message is read again. */
function announce(text) {
  if (!live) return;
  live.textContent = "";
  setTimeout(function () { live.textContent = text; }, 50);
}

function safeHttpUrl(value) {
  if (typeof value !== "string" || !value) return null;
  try {
    var url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch (e) {
    return null;
  }
}

function parseDate(value) {
  var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(typeof value === "string" ? value : "");
  return m ? { y: +m[1], m: +m[2], d: +m[3] } : null;
}

function pad(n) { return (n < 10 ? "0" : "") + n; }

function formatDate(p) { return pad(p.d) + "/" + pad(p.m) + "/" + p.y; }

/* The service writes "Vietnamese / English"; show the half in the widget's language. */
function localDetail(detail) {
  if (typeof detail !== "string") return "";
  var parts = detail.split(" / ");
  return (lang === "en" && parts.length > 1 ? parts.slice(1).join(" / ") : parts[0]).trim();
}

/* The language of a message: English when few of its words carry Vietnamese letters or tone marks, so a
 * screen reader and read-aloud pick the right voice (the API does not say which language it answered in). */
var VIETNAMESE_LETTERS = /[\u00c0-\u1ef9]/; // every letter with a mark, Vietnamese ones included
function textLang(text) {
  var words = String(text || "").replace(/https?:\/\/\S+|\[\d+\]/g, " ").split(/\s+/).filter(function (w) {
    return /[a-z\u00c0-\u1ef9]/i.test(w);
  });
  if (words.length < 3) return lang;
  var vi = words.filter(function (w) { return VIETNAMESE_LETTERS.test(w); }).length;
  return vi / words.length < 0.15 ? "en" : "vi";
}

function hexColour(value) {
  if (typeof value !== "string" || !/^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(value)) return null;
  var h = value.length === 4 ? value.replace(/([0-9a-f])/gi, "$1$1").slice(1) : value.slice(1);
  var rgb = [0, 2, 4].map(function (i) {
    var c = parseInt(h.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  });
  var lum = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
  // the text colour with the higher contrast on the brand colour (white while lum <= 0.179), and the brand colour
  // as text (links, chips) only while it keeps 4.5:1 on the answers' #f1f4f8 (lum <= 0.16)
  var onAccent = lum > 0.179 ? "#000000" : "#ffffff";
  var accentText = lum > 0.16 ? "#1b1f24" : "#" + h;
  return { accent: "#" + h, onAccent: onAccent, accentText: accentText };
}
