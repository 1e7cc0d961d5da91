/* Trợ lý dịch vụ công số: the embeddable chat widget.
 *
 * Embed with one tag:
 *   <script src="https://HOST/widget.js" data-api="https://HOST" defer></script>
 * Optional: data-title, data-greeting, data-color (#rgb or #rrggbb), data-lang (vi | en),
 * data-position (bottom-right | bottom-left).
 *
 * Rules this file keeps: everything from the service is written with textContent (never innerHTML),
 * links open only for http(s) URLs, and the widget lives in a shadow root so the host page and the
 * widget cannot restyle each other.
 */
(function () {
  "use strict";

  var script = document.currentScript || document.querySelector("script[src*='widget.js']");
  if (!script || window.__dvcWidgetLoaded) return;
  window.__dvcWidgetLoaded = true;

  var STRINGS = {
    vi: {
      title: "Hỏi đáp dịch vụ công số",
      greeting: "Xin chào! Tôi trả lời câu hỏi về dịch vụ công trực tuyến, tài khoản định danh điện tử (VNeID) " +
        "và chuyển đổi số, kèm nguồn trích dẫn. Bạn muốn hỏi gì?",
      starters: ["Đề án 06 là gì?", "Đăng ký tài khoản định danh điện tử mức 2 ở đâu?",
        "Địa chỉ Cổng Dịch vụ công quốc gia là gì?", "Làm sao đăng nhập Cổng Dịch vụ công?"],
      startersTitle: "Câu hỏi thường gặp",
      open: "Hỏi đáp",
      openLabel: "Mở hộp hỏi đáp dịch vụ công",
      close: "Đóng hộp hỏi đáp",
      reset: "Hỏi lại từ đầu",
      resetLabel: "Xoá cuộc trò chuyện và hỏi lại từ đầu",
      inputLabel: "Câu hỏi của bạn",
      placeholder: "Nhập câu hỏi…",
      send: "Gửi",
      sendLabel: "Gửi câu hỏi",
      you: "Bạn hỏi",
      bot: "Trợ lý trả lời",
      thinking: "Đang tìm câu trả lời…",
      sources: "Nguồn",
      source: "Nguồn",
      published: "Ngày: ",
      retrieved: "Biên tập viên xem lại ngày ",
      inForce: "Đang có hiệu lực",
      amended: "Đã được sửa đổi, bổ sung",
      supersededBy: "Đã được thay thế bởi ",
      superseded: "Đã được thay thế",
      expired: "Hết hiệu lực",
      partial: "Trả lời một phần: tôi chưa có thông tin về chi tiết bạn hỏi",
      nearest: "Nội dung gần nhất tôi có",
      opensNewTab: " (mở trong thẻ mới)",
      suggestions: "Bạn có thể hỏi thêm",
      noAnswer: "Chưa có câu trả lời — nơi bạn có thể hỏi",
      helpful: "Câu trả lời này có hữu ích không?",
      yes: "Hữu ích",
      no: "Không hữu ích",
      thanks: "Cảm ơn bạn đã góp ý.",
      feedbackFailed: "Chưa gửi được góp ý, bạn thử lại nhé.",
      errNetwork: "Không kết nối được tới máy chủ. Bạn kiểm tra mạng rồi bấm \"Thử lại\" nhé. " +
        "Câu hỏi của bạn vẫn còn trong ô nhập.",
      errBusy: "Bạn hỏi hơi nhanh, hệ thống cần nghỉ một chút. Bạn đợi {s} giây rồi bấm \"Thử lại\" nhé. " +
        "Câu hỏi của bạn vẫn còn trong ô nhập.",
      errUnavailable: "Hệ thống đang bận hoặc đang bảo trì. Bạn thử lại sau ít phút nhé. " +
        "Câu hỏi của bạn vẫn còn trong ô nhập.",
      errOther: "Đã có lỗi, bạn thử lại sau nhé. Câu hỏi của bạn vẫn còn trong ô nhập.",
      retry: "Thử lại",
      footer: "Thông tin tham khảo; thủ tục chính thức theo cơ quan có thẩm quyền."
    },
    en: {
      title: "Digital public services help",
      greeting: "Hello! I answer questions about online public services, the electronic identity account " +
        "(VNeID) and digital transformation, with cited sources. What would you like to ask?",
      starters: ["What is Project 06?", "Where do I register a level 2 electronic identity account?",
        "What is the address of the National Public Service Portal?", "How do I log in to the public service portal?"],
      startersTitle: "Common questions",
      open: "Ask us",
      openLabel: "Open the public services help chat",
      close: "Close the help chat",
      reset: "Start over",
      resetLabel: "Clear the conversation and start over",
      inputLabel: "Your question",
      placeholder: "Type a question…",
      send: "Send",
      sendLabel: "Send question",
      you: "You asked",
      bot: "Assistant answered",
      thinking: "Looking for an answer…",
      sources: "Sources",
      source: "Source",
      published: "Date: ",
      retrieved: "Checked by editors on ",
      inForce: "In force",
      amended: "Amended",
      supersededBy: "Replaced by ",
      superseded: "Replaced",
      expired: "No longer in force",
      partial: "Partial answer: I have no information on the detail you asked",
      nearest: "The closest topic I have",
      opensNewTab: " (opens in a new tab)",
      suggestions: "You could also ask",
      noAnswer: "No answer yet: where you can ask",
      helpful: "Was this answer helpful?",
      yes: "Helpful",
      no: "Not helpful",
      thanks: "Thank you for your feedback.",
      feedbackFailed: "Your feedback was not sent, please try again.",
      errNetwork: "Cannot reach the server. Please check your connection and press \"Try again\". " +
        "Your question is still in the input box.",
      errBusy: "Too many questions at once. Please wait {s} seconds and press \"Try again\". " +
        "Your question is still in the input box.",
      errUnavailable: "The service is busy or under maintenance. Please try again in a few minutes. " +
        "Your question is still in the input box.",
      errOther: "Something went wrong, please try again later. Your question is still in the input box.",
      retry: "Try again",
      footer: "For reference only; official procedures are set by the competent authorities."
    }
  };

  var ICONS = {
    chat: "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z",
    up: "M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3a1.5 1.5 0 0 0-.4-1L13.2 1 6.6 7.6A2 2 0 0 0 6 9v10a2 2 0 0 0 2 2h9a2 2 0 0 0 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z",
    down: "M22 3h-4v12h4V3zM2 14a2 2 0 0 0 2 2h6.3l-1 4.6v.3c0 .4.2.8.4 1l1.1 1.1 6.6-6.6c.4-.4.6-.9.6-1.4V5a2 2 0 0 0-2-2H7a2 2 0 0 0-1.8 1.2l-3 7.1c-.1.2-.2.5-.2.7v2z"
  };
  var MAX_MESSAGES = 60;

  var data = script.dataset || {};
  var lang = data.lang === "en" ? "en" : "vi";
  var T = STRINGS[lang];
  var api = apiBase(data.api, script.src);
  var storageKey = "dvc-widget:" + api;
  var title = data.title || T.title;
  var greeting = data.greeting || T.greeting;

  var state = loadState();
  var busy = false;
  var composing = false;

  /* ---------- small helpers ---------- */

  function apiBase(attr, src) {
    try {
      return new URL(attr || ".", src || location.href).href.replace(/\/+$/, "");
    } catch (e) {
      return location.origin;
    }
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /* Icons are drawn as SVG rather than emoji, which not every phone or kiosk has a font for. */
  function icon(path) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "1.25em");
    svg.setAttribute("height", "1.25em");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "icon");
    var shape = document.createElementNS(ns, "path");
    shape.setAttribute("d", path);
    shape.setAttribute("fill", "currentColor");
    svg.appendChild(shape);
    return svg;
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

  function formatDate(p) {
    return (p.d < 10 ? "0" : "") + p.d + "/" + (p.m < 10 ? "0" : "") + p.m + "/" + p.y;
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

  /* The service writes "Vietnamese / English"; show the half in the widget's language. */
  function localDetail(detail) {
    if (typeof detail !== "string") return "";
    var parts = detail.split(" / ");
    return (lang === "en" && parts.length > 1 ? parts.slice(1).join(" / ") : parts[0]).trim();
  }

  function hexColour(value) {
    if (typeof value !== "string" || !/^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(value)) return null;
    var h = value.length === 4 ? value.replace(/([0-9a-f])/gi, "$1$1").slice(1) : value.slice(1);
    var rgb = [0, 2, 4].map(function (i) {
      var c = parseInt(h.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var lum = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    // pick the text colour with the higher contrast so a host's brand colour stays readable
    var onAccent = (1.05 / (lum + 0.05)) >= ((lum + 0.05) / 0.05) ? "#ffffff" : "#000000";
    return { accent: "#" + h, onAccent: onAccent };
  }

  function loadState() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(storageKey) || "null");
      if (saved && Array.isArray(saved.messages)) return saved;
    } catch (e) { /* storage blocked or corrupt: start fresh */ }
    return { sessionId: null, messages: [], open: false };
  }

  function saveState() {
    state.messages = state.messages.slice(-MAX_MESSAGES);
    try {
      sessionStorage.setItem(storageKey, JSON.stringify(state));
    } catch (e) { /* storage full or blocked: the conversation still works in this page */ }
  }

  /* ---------- the DOM ---------- */

  var host = el("div");
  host.setAttribute("data-dvc-widget", "");
  var shadow = host.attachShadow({ mode: "open" });

  var link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = api + "/widget.css";
  shadow.appendChild(link);

  var root = el("div", "dvc" + (data.position === "bottom-left" ? " left" : ""));
  root.lang = lang;
  root.hidden = true; // shown once the stylesheet has loaded, so nothing flashes unstyled
  link.addEventListener("load", function () { root.hidden = false; });
  link.addEventListener("error", function () { root.hidden = false; });
  var colours = hexColour(data.color);
  if (colours) {
    root.style.setProperty("--accent", colours.accent);
    root.style.setProperty("--on-accent", colours.onAccent);
  }
  shadow.appendChild(root);

  var bubble = el("button", "bubble");
  bubble.type = "button";
  bubble.setAttribute("aria-label", T.openLabel);
  bubble.setAttribute("aria-expanded", "false");
  bubble.setAttribute("aria-controls", "dvc-panel");
  bubble.appendChild(icon(ICONS.chat));
  bubble.appendChild(el("span", "bubble-text", T.open));
  root.appendChild(bubble);

  var panel = el("div", "panel");
  panel.id = "dvc-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", title);
  panel.hidden = true;
  root.appendChild(panel);

  var head = el("div", "head");
  head.appendChild(el("h2", null, title));
  var resetBtn = el("button", "icon-btn", T.reset);
  resetBtn.type = "button";
  resetBtn.setAttribute("aria-label", T.resetLabel);
  head.appendChild(resetBtn);
  var closeBtn = el("button", "icon-btn close", "×");
  closeBtn.type = "button";
  closeBtn.setAttribute("aria-label", T.close);
  head.appendChild(closeBtn);
  panel.appendChild(head);

  var log = el("div", "log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-label", title);
  log.tabIndex = -1;
  panel.appendChild(log);

  var live = el("div", "sr-only");
  live.setAttribute("aria-live", "polite");
  live.setAttribute("aria-atomic", "true");
  panel.appendChild(live);

  var form = el("form", "form");
  form.noValidate = true;
  var inputId = "dvc-input";
  var label = el("label", "sr-only", T.inputLabel);
  label.htmlFor = inputId;
  var input = el("textarea", "input");
  input.id = inputId;
  input.rows = 1;
  input.maxLength = 1000;
  input.placeholder = T.placeholder;
  input.setAttribute("enterkeyhint", "send");
  input.autocomplete = "off";
  var send = el("button", "send", T.send);
  send.type = "submit";
  send.setAttribute("aria-label", T.sendLabel);
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(form);
  panel.appendChild(el("p", "foot", T.footer));

  /* ---------- rendering messages (textContent only) ---------- */

  function renderGreeting() {
    var box = el("div", "msg bot greeting");
    box.appendChild(el("p", "msg-text", greeting));
    if (!state.messages.length) {
      box.appendChild(el("p", "sugg-title", T.startersTitle));
      box.appendChild(chipList(T.starters));
    }
    log.appendChild(box);
  }

  function chipList(questions) {
    var list = el("ul", "chips");
    questions.forEach(function (q) {
      if (typeof q !== "string" || !q) return;
      var item = el("li");
      var chip = el("button", "chip", q);
      chip.type = "button";
      chip.addEventListener("click", function () { ask(q); });
      item.appendChild(chip);
      list.appendChild(item);
    });
    return list;
  }

  function renderUser(text) {
    var box = el("div", "msg user");
    box.appendChild(el("span", "sr-only", T.you + ": "));
    box.appendChild(el("p", "msg-text", text));
    log.appendChild(box);
    return box;
  }

  function renderAnswer(msg) {
    var r = msg.reply || {};
    var noAnswer = r.status === "no_answer";
    var partial = r.status === "partial";
    var box = el("div", "msg bot" + (noAnswer ? " noanswer" : "") + (partial ? " noanswer partial" : ""));
    box.appendChild(el("span", "sr-only", T.bot + ": "));
    if (noAnswer) box.appendChild(el("p", "noanswer-label", T.noAnswer));
    if (partial) box.appendChild(el("p", "noanswer-label", T.partial));

    var citations = Array.isArray(r.citations) ? r.citations : [];
    var items = {};
    var textNode = el("p", "msg-text");
    appendWithMarkers(textNode, typeof r.answer === "string" ? r.answer : "", citations, items);
    box.appendChild(textNode);

    if (citations.length) {
      box.appendChild(el("p", "cites-title", T.sources));
      var list = el("ol", "cites");
      citations.forEach(function (c) {
        var li = renderCitation(c);
        items[c.n] = li;
        list.appendChild(li);
      });
      box.appendChild(list);
    }
    if (Array.isArray(r.suggestions) && r.suggestions.length) {
      box.appendChild(el("p", "sugg-title", partial ? T.nearest : T.suggestions));
      box.appendChild(chipList(r.suggestions));
    }
    if (r.message_id) box.appendChild(renderFeedback(msg));
    log.appendChild(box);
    return box;
  }

  function appendWithMarkers(node, text, citations, items) {
    var byN = {};
    citations.forEach(function (c) { byN[c.n] = c; });
    var re = /\[(\d+)\]/g;
    var last = 0;
    var m;
    while ((m = re.exec(text)) !== null) {
      var c = byN[+m[1]];
      if (!c) continue;
      node.appendChild(document.createTextNode(text.slice(last, m.index)));
      node.appendChild(markerButton(c, items));
      last = re.lastIndex;
    }
    node.appendChild(document.createTextNode(text.slice(last)));
  }

  function markerButton(c, items) {
    var b = el("button", "marker", String(c.n));
    b.type = "button";
    b.setAttribute("aria-label", T.source + " " + c.n + ": " + (c.title || ""));
    b.addEventListener("click", function () {
      var target = items[c.n];
      if (target) {
        scrollLogTo(target);
        target.focus({ preventScroll: true });
      }
    });
    return b;
  }

  function renderCitation(c) {
    var li = el("li", "cite");
    li.tabIndex = 0;
    li.appendChild(el("span", "cite-n", "[" + c.n + "]"));
    var body = el("div", "cite-body");
    var url = safeHttpUrl(c.url);
    var titleEl;
    if (url) {
      titleEl = el("a", "cite-title", c.title);
      titleEl.href = url;
      titleEl.target = "_blank";
      titleEl.rel = "noopener noreferrer";
      titleEl.appendChild(el("span", "sr-only", T.opensNewTab));
    } else {
      titleEl = el("span", "cite-title", c.title);
    }
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

  function renderFeedback(msg) {
    var wrap = el("div", "fb");
    wrap.setAttribute("role", "group");
    wrap.setAttribute("aria-label", T.helpful);
    wrap.appendChild(el("span", "fb-q", T.helpful));
    var status = el("span", "fb-status");
    status.setAttribute("role", "status");
    var buttons = [[true, ICONS.up, T.yes], [false, ICONS.down, T.no]].map(function (spec) {
      var b = el("button", "fb-btn");
      b.appendChild(icon(spec[1]));
      b.type = "button";
      b.setAttribute("aria-label", spec[2]);
      b.setAttribute("aria-pressed", String(msg.feedback === spec[0]));
      b.disabled = msg.feedback === true || msg.feedback === false;
      b.addEventListener("click", function () { sendFeedback(msg, spec[0], buttons, status); });
      wrap.appendChild(b);
      return b;
    });
    if (msg.feedback === true || msg.feedback === false) status.textContent = T.thanks;
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
      saveState();
      buttons[0].setAttribute("aria-pressed", String(helpful === true));
      buttons[1].setAttribute("aria-pressed", String(helpful === false));
      status.textContent = T.thanks;
    }).catch(function () {
      buttons.forEach(function (b) { b.disabled = false; });
      status.textContent = T.feedbackFailed;
    });
  }

  function renderError(message, question) {
    var box = el("div", "msg bot error");
    box.setAttribute("role", "alert");
    box.appendChild(el("p", "msg-text", message));
    var retry = el("button", "retry", T.retry);
    retry.type = "button";
    retry.addEventListener("click", function () {
      var typed = input.value.trim();
      box.remove();
      ask(typed || question);
    });
    box.appendChild(retry);
    log.appendChild(box);
    return box;
  }

  function renderAll() {
    log.textContent = "";
    renderGreeting();
    state.messages.forEach(function (msg) {
      if (msg.role === "user") renderUser(msg.text);
      else renderAnswer(msg);
    });
  }

  // scroll the conversation only: scrollIntoView would also scroll the panel and the host page
  function scrollLogTo(node) {
    log.scrollTop += node.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
  }

  /* ---------- talking to the service ---------- */

  function ask(question) {
    var text = (question || "").trim();
    if (!text || busy) return;
    busy = true;
    send.disabled = true;
    log.querySelectorAll(".msg.error").forEach(function (n) { n.remove(); });
    var greetingChips = log.querySelector(".greeting .chips");
    if (greetingChips) {
      greetingChips.previousSibling.remove();
      greetingChips.remove();
    }
    var userBox = renderUser(text);
    input.value = "";
    var typing = el("p", "msg bot typing", T.thinking);
    log.appendChild(typing);
    scrollLogTo(userBox);
    live.textContent = T.thinking;

    fetch(api + "/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question: text, session_id: state.sessionId })
    }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (body) {
        return { res: res, body: body };
      });
    }).then(function (r) {
      typing.remove();
      if (!r.res.ok || !r.body || typeof r.body.answer !== "string") {
        fail(text, userBox, errorMessage(r.res, r.body));
        return;
      }
      var reply = r.body;
      state.sessionId = typeof reply.session_id === "string" ? reply.session_id : state.sessionId;
      state.messages.push({ role: "user", text: text });
      var msg = { role: "bot", reply: pickReply(reply), feedback: null };
      state.messages.push(msg);
      saveState();
      renderAnswer(msg);
      scrollLogTo(userBox);
      live.textContent = T.bot + ": " + reply.answer.replace(/\[\d+\]/g, "");
    }).catch(function () {
      typing.remove();
      fail(text, userBox, T.errNetwork);
    }).then(function () {
      busy = false;
      send.disabled = false;
    });
  }

  function pickReply(r) {
    return {
      answer: r.answer, status: r.status, answer_type: r.answer_type, citations: r.citations,
      suggestions: r.suggestions, message_id: r.message_id
    };
  }

  function errorMessage(res, body) {
    if (res.status === 429) {
      var wait = parseInt(res.headers.get("Retry-After") || "", 10);
      return T.errBusy.replace("{s}", isFinite(wait) && wait > 0 ? String(wait) : "30");
    }
    if (res.status === 503) return T.errUnavailable;
    if (res.status === 422 && body && body.detail) return localDetail(body.detail) || T.errOther;
    return T.errOther;
  }

  function fail(question, userBox, message) {
    userBox.remove();
    input.value = question;
    var box = renderError(message, question);
    scrollLogTo(box);
    live.textContent = "";
  }

  /* ---------- opening, closing, keys ---------- */

  function openPanel(focus) {
    panel.hidden = false;
    bubble.setAttribute("aria-expanded", "true");
    state.open = true;
    saveState();
    log.scrollTop = log.scrollHeight;
    if (focus) input.focus({ preventScroll: true });
  }

  function closePanel() {
    panel.hidden = true;
    bubble.setAttribute("aria-expanded", "false");
    state.open = false;
    saveState();
    bubble.focus();
  }

  bubble.addEventListener("click", function () { openPanel(true); });
  closeBtn.addEventListener("click", closePanel);
  resetBtn.addEventListener("click", function () {
    state = { sessionId: null, messages: [], open: true };
    saveState();
    renderAll();
    live.textContent = "";
    input.focus({ preventScroll: true });
  });
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !e.isComposing) {
      e.preventDefault();
      closePanel();
    }
  });

  // Telex / VNI input methods compose words with the keyboard; Enter while composing must not send.
  input.addEventListener("compositionstart", function () { composing = true; });
  input.addEventListener("compositionend", function () { composing = false; });
  input.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || e.shiftKey) return;
    if (e.isComposing || composing || e.keyCode === 229) return;
    e.preventDefault();
    ask(input.value);
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    ask(input.value);
  });

  renderAll();
  if (state.open) openPanel(false);

  function mount() { document.body.appendChild(host); }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
