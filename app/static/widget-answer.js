/* Widget module 5 of 9: an answer as readable, tappable DOM. The service sends plain text; a small markup is
 * read from it and built node by node (never innerHTML): lines "1." / "2)" become a numbered list, lines
 * "-" / "•" / "*" a bulleted one, **x** is bold, [n] a citation marker, and web addresses (with or without
 * https://, like dichvucong.gov.vn), e-mail addresses and Vietnamese phone numbers become links. */

var INLINE = [
  "\\*\\*([^*\\n]+?)\\*\\*",
  "\\[(\\d{1,2})\\]",
  "(https?:\\/\\/[^\\s<>\"'`]+)",
  "([\\w.+-]+@[a-z0-9-]+(?:\\.[a-z0-9-]+)+)",
  "((?:[a-z0-9-]+\\.)+(?:vn|com|org|net|gov|edu|info)(?![a-z0-9-])(?:\\/[^\\s<>\"'`]*)?)",
  "((?:\\+84|0|1[89]00)[\\d .]{4,14}\\d)",
  "((?:gọi|call|dial)(?: (?:ngay|số|tới|đến|the))? )(11[1-5])(?![\\d\\/]|[.,]\\d)"
].join("|");
var TRAILING = /[.,;:!?)\]}'"»…]+$/;

/* A Vietnamese phone number at the start of a digit run: 1800/1900 lines (8 or 10 digits), numbers from 0
 * (10 or 11) or +84 (11 or 12), cut at a space or dot if the run goes on. An ID-card number (12 digits), an
 * amount or a date is not one. */
function phoneAt(run) {
  var groups = run.split(/(?=[ .])/);
  for (var k = groups.length; k > 0; k--) {
    var shown = groups.slice(0, k).join("");
    var digits = shown.replace(/[ .]/g, "");
    var n = digits.replace("+", "").length;
    var ok = /^1[89]00/.test(digits) ? n === 8 || n === 10
      : /^\+84/.test(digits) ? n === 11 || n === 12 : n === 10 || n === 11;
    if (ok && !/[ .]{2}/.test(shown)) return { shown: shown, digits: digits };
  }
  return null;
}

function link(href, text, newTab) {
  var a = el("a", "link", text);
  a.href = href;
  if (newTab) {
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.setAttribute("aria-describedby", "dvc-newtab");
  }
  return a;
}

/* One markup token from a match, as {node, start, end}, or null when the match is not one after all. */
function inlineToken(m, text, ctx, inBold) {
  var start = m.index;
  var before = text.charAt(start - 1);
  if (m[1]) {
    if (inBold) return null;
    var strong = el("strong");
    renderInline(strong, m[1], ctx, true);
    return { node: strong, start: start, end: start + m[0].length };
  }
  if (m[2]) return ctx.byN[+m[2]] ? { node: markerButton(ctx.byN[+m[2]], ctx), start: start, end: start + m[0].length } : null;
  if (m[3] || m[5]) {
    if (m[5] && /[\w@.\/-]/.test(before)) return null;
    var shown = (m[3] || m[5]).replace(TRAILING, "");
    var url = safeHttpUrl(m[3] ? shown : "https://" + shown);
    return url ? { node: link(url, shown, true), start: start, end: start + shown.length } : null;
  }
  if (m[4]) return { node: link("mailto:" + m[4], m[4], false), start: start, end: start + m[0].length };
  if (m[6]) {
    var phone = /[\w+]/.test(before) ? null : phoneAt(m[6]);
    if (!phone || /\d/.test(text.charAt(start + phone.shown.length))) return null;
    return { node: link("tel:" + phone.digits, phone.shown, false), start: start, end: start + phone.shown.length };
  }
  start += m[7].length;
  return { node: link("tel:" + m[8], m[8], false), start: start, end: start + m[8].length };
}

function renderInline(parent, text, ctx, inBold) {
  var re = new RegExp(INLINE, "gi");
  var last = 0;
  var m;
  while ((m = re.exec(text)) !== null) {
    var token = inlineToken(m, text, ctx, inBold);
    if (!token) {
      re.lastIndex = m.index + 1;
      continue;
    }
    parent.appendChild(document.createTextNode(text.slice(last, token.start)));
    parent.appendChild(token.node);
    last = re.lastIndex = token.end;
  }
  parent.appendChild(document.createTextNode(text.slice(last)));
}

function renderAnswerText(container, text, ctx) {
  var list = null;
  String(text).split(/\r?\n/).forEach(function (line) {
    var num = /^\s*(\d{1,2})[.)]\s+(\S.*)$/.exec(line);
    var dot = num ? null : /^\s*[-•*]\s+(\S.*)$/.exec(line);
    if (num || dot) {
      var tag = num ? "OL" : "UL";
      if (!list || list.tagName !== tag) {
        list = el(tag.toLowerCase(), "steps");
        if (num && +num[1] > 1) list.start = +num[1];
        container.appendChild(list);
      }
      var item = el("li");
      renderInline(item, num ? num[2] : dot[1], ctx);
      list.appendChild(item);
    } else if (list && /^\s{2,}\S/.test(line)) {
      renderInline(list.lastChild, " " + line.trim(), ctx);
    } else if (line.trim()) {
      list = null;
      var p = el("p");
      renderInline(p, line.trim(), ctx);
      container.appendChild(p);
    }
  });
}

/* The marker's number is CSS-generated content, so copying the answer never picks it up ("phí. 12"). */
function markerButton(c, ctx) {
  var b = button("marker", null, T.source + " " + c.n + ": " + (c.title || ""));
  b.setAttribute("data-n", String(c.n));
  b.addEventListener("click", function () { ctx.onMarker(c.n); });
  return b;
}

/* A legal document's status as [label, class]: in force, amended, or replaced (by what). */
function legalStatus(c) {
  if (c.status === "in_force") return [T.inForce, "legal in-force"];
  if (c.status === "amended") return [T.amended, "legal amended"];
  if (c.status === "superseded") {
    var by = c.superseded_by_title || c.superseded_by;
    return [by ? T.supersededBy + by : T.superseded, "legal old"];
  }
  if (c.status === "expired") return [T.expired, "legal old"];
  return null;
}

function renderCitation(c) {
  var li = el("li", "cite");
  li.tabIndex = 0;
  li.appendChild(el("span", "cite-n", "[" + c.n + "]"));
  var body = el("div", "cite-body");
  var url = safeHttpUrl(c.url);
  var titleEl = url ? link(url, c.title, true) : el("span", null, c.title);
  titleEl.className = "cite-title";
  body.appendChild(titleEl);
  var date = parseDate(c.published);
  var checked = parseDate(c.retrieved);
  var meta = [];
  if (c.publisher) meta.push(String(c.publisher));
  if (date) meta.push(T.published + formatDate(date));
  if (checked) meta.push(T.retrieved + formatDate(checked));
  if (meta.length) body.appendChild(el("span", "cite-meta", meta.join(" · ")));
  var legal = legalStatus(c);
  if (legal) body.appendChild(el("span", legal[1], legal[0]));
  if (c.snippet) body.appendChild(el("span", "cite-snippet", c.snippet));
  li.appendChild(body);
  return li;
}

function citationsOf(reply) {
  return (Array.isArray(reply.citations) ? reply.citations : []).filter(function (c) {
    return c && typeof c.n === "number";
  });
}

function renderAnswer(msg) {
  var r = msg.reply || {};
  var noAnswer = r.status === "no_answer";
  var partial = r.status === "partial";
  var answer = typeof r.answer === "string" ? r.answer : "";
  var box = el("div", "msg bot" + (noAnswer ? " noanswer" : "") + (partial ? " noanswer partial" : ""));
  box.lang = textLang(answer);
  box.appendChild(el("span", "sr-only", T.bot + ": "));
  if (noAnswer) box.appendChild(el("p", "noanswer-label", T.noAnswer));
  if (partial) box.appendChild(el("p", "noanswer-label", T.partial));

  var citations = citationsOf(r);
  var items = {};
  var ctx = { byN: {}, onMarker: function (n) {
    var target = items[n];
    if (target) {
      scrollLogTo(target);
      target.focus({ preventScroll: true });
    }
  } };
  citations.forEach(function (c) { ctx.byN[c.n] = c; });
  var text = el("div", "msg-text");
  renderAnswerText(text, answer, ctx);
  box.appendChild(text);

  if (citations.length) {
    box.appendChild(el("p", "cites-title", T.sources));
    var list = el("ol", "cites");
    citations.forEach(function (c) {
      items[c.n] = renderCitation(c);
      list.appendChild(items[c.n]);
    });
    box.appendChild(list);
  }
  box.appendChild(answerActions(msg, box.lang));
  if (noAnswer || partial) {
    box.appendChild(button("chip", T.handoff)).onclick = function () { handoff(this, msg.question); };
  }
  if (r.message_id) box.appendChild(renderFeedback(msg));
  if (Array.isArray(r.suggestions) && r.suggestions.length) {
    box.appendChild(el("p", "sugg-title", partial ? T.nearest : T.suggestions));
    box.appendChild(chipList(r.suggestions));
  }
  log.appendChild(box);
  return box;
}

/* The answer as plain text for copying and sharing: the question, the answer, then its sources. */
function plainAnswer(text) {
  return String(text || "").replace(/\*\*([^*\n]+?)\*\*/g, "$1").trim();
}

function citationLine(c) {
  var details = [];
  var date = parseDate(c.published);
  var legal = legalStatus(c);
  if (c.publisher) details.push(String(c.publisher));
  if (date) details.push(formatDate(date));
  if (legal) details.push(legal[0]);
  var url = safeHttpUrl(c.url);
  return "[" + c.n + "] " + (c.title || "") + (details.length ? " (" + details.join(", ") + ")" : "") +
    (url ? " — " + url : "");
}

function shareText(msg) {
  var lines = [];
  if (msg.question) lines.push(T.asked + msg.question);
  lines.push((msg.question ? T.answered : "") + plainAnswer(msg.reply.answer));
  var citations = citationsOf(msg.reply);
  if (citations.length) {
    lines.push("", T.sources + ":");
    citations.forEach(function (c) { lines.push(citationLine(c)); });
  }
  return lines.join("\n");
}

function renderFeedback(msg) {
  var wrap = el("div", "fb");
  wrap.setAttribute("role", "group");
  wrap.setAttribute("aria-label", T.helpful);
  wrap.appendChild(el("span", "fb-q", T.helpful));
  var status = el("span", "fb-status");
  var voted = msg.feedback === true || msg.feedback === false;
  var buttons = [[true, "fb-btn", T.yes], [false, "fb-btn down", T.no]].map(function (spec) {
    var b = button(spec[1], null, spec[2]);
    b.appendChild(icon(ICONS.up));
    b.setAttribute("aria-pressed", String(msg.feedback === spec[0]));
    b.disabled = voted;
    b.addEventListener("click", function () { sendFeedback(msg, spec[0], buttons, status); });
    wrap.appendChild(b);
    return b;
  });
  if (voted) status.textContent = T.thanks;
  wrap.appendChild(status);
  return wrap;
}

function sendFeedback(msg, helpful, buttons, status) {
  buttons.forEach(function (b) { b.disabled = true; });
  fetch(api + "/api/feedback", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ message_id: msg.reply.message_id, helpful: helpful })
  }).then(function (res) {
    if (!res.ok) throw new Error("HTTP " + res.status);
    msg.feedback = helpful;
    saveHistory();
    buttons[0].setAttribute("aria-pressed", String(helpful === true));
    buttons[1].setAttribute("aria-pressed", String(helpful === false));
    status.textContent = T.thanks;
    announce(T.thanks);
  }).catch(function () {
    buttons.forEach(function (b) { b.disabled = false; });
    status.textContent = T.feedbackFailed;
    announce(T.feedbackFailed);
  });
}

/* Hand-off to the local team: the form, and the replies to tickets kept on this device, are widget-handoff.js
 * (HANDOFF, content-named), fetched only when a resident asks for the form or this device keeps a ticket. */
function handoff(at, question) {
  var s = el("script");
  s.src = new URL(HANDOFF, script.src);
  s.onload = function () { __dvcHandoff(api, T, historyKey, root, at, question, data); };
  document.head.appendChild(s);
}
try {
  if (localStorage[historyKey + ":handoff"]) handoff();
} catch (e) { /* storage blocked: no ticket kept */ }
