/* The widget's hand-off module, fetched only when needed (widget-answer.js `handoff`): the form that sends an
 * unanswered question to the local digital-technology team, and the replies to tickets kept on this device.
 * A ticket's code and secret are kept in localStorage (the code alone reads nothing). It runs outside the
 * widget's closure, so the widget hands it what it needs (see `window.__dvcHandoff` at the end).
 * Same rules as the widget: text from the service goes in with textContent, never innerHTML. */

(function () {
  "use strict";

  var VI = {
    title: "Gửi câu hỏi cho tổ công nghệ số",
    intro: "Tổ công nghệ số ở địa phương sẽ đọc câu hỏi và trả lời bạn ngay trong hộp hỏi đáp này. Khi quay " +
      "lại trang, bạn sẽ thấy câu trả lời.",
    question: "Câu hỏi gửi tổ",
    questionHelp: "Số CCCD, số điện thoại, mã OTP… viết trong câu hỏi sẽ được ẩn đi trước khi lưu.",
    contact: "Số điện thoại hoặc email để tổ liên hệ lại (không bắt buộc)",
    contactHelp: "Chỉ điền nếu bạn muốn được gọi hoặc nhắn lại. Thông tin này chỉ dùng để trả lời bạn, được " +
      "lưu riêng, không gắn vào câu hỏi, và tự xóa sau {n} ngày hoặc ngay khi bạn đóng yêu cầu.",
    contactHelpNoDays: "Chỉ điền nếu bạn muốn được gọi hoặc nhắn lại. Thông tin này chỉ dùng để trả lời bạn, " +
      "được lưu riêng, không gắn vào câu hỏi, và tự xóa sau một thời hạn ngắn hoặc ngay khi bạn đóng yêu cầu.",
    send: "Gửi cho tổ",
    cancel: "Không gửi",
    sending: "Đang gửi…",
    empty: "Bạn nhập câu hỏi trước khi gửi nhé.",
    sent: "Đã gửi câu hỏi. Mã yêu cầu của bạn là {c}. Bạn có thể đọc mã này khi liên hệ tổ công nghệ số. " +
      "Câu trả lời sẽ hiện ở đây khi bạn quay lại.",
    failed: "Chưa gửi được, bạn thử lại sau ít phút nhé.",
    tickets: "Câu hỏi bạn đã gửi tổ công nghệ số",
    ticket: "Yêu cầu {c}",
    waiting: "Đang chờ tổ công nghệ số trả lời.",
    replied: "Tổ công nghệ số đã trả lời:",
    repliedNote: "Tổ công nghệ số đã trả lời câu hỏi bạn gửi.",
    close: "Đóng yêu cầu",
    closeLabel: "Đóng yêu cầu {c} (xóa cả thông tin liên hệ)",
    closed: "Đã đóng yêu cầu {c}.",
    closeFailed: "Chưa đóng được yêu cầu, bạn thử lại nhé."
  };
  var MAX_KEPT = 5;
  var CSS = ".ho,.ho-band{margin:.5em 0;padding:.625em .75em;border:1px solid var(--soft-line);border-radius:.5em;" +
    "background:var(--surface);color:var(--text)}.ho-band{flex:none;max-height:40%;overflow:auto;margin:0 .75em .5em}" +
    ".ho h3,.ho-band h3{margin:0 0 .375em;font-size:1em}.ho p,.ho-band p{margin:.25em 0}" +
    ".ho label{display:block;margin-top:.5em;font-weight:600}.ho-help{font-size:.875em;color:var(--muted)}" +
    ".ho textarea,.ho input{box-sizing:border-box;width:100%;min-height:var(--target);padding:.5em .625em;" +
    "border:1px solid var(--line);border-radius:.5em;font:inherit;color:inherit;background:var(--surface)}" +
    ".ho-acts{display:flex;flex-wrap:wrap;gap:.5em;margin-top:.625em}.ho-acts button,.ho-band button{" +
    "min-height:var(--target);padding:0 .875em;border:1px solid var(--accent-text);border-radius:.5em;" +
    "background:var(--surface);color:var(--accent-text);font:inherit;cursor:pointer}" +
    ".ho-acts .ho-send{background:var(--accent);color:var(--on-accent);border-color:var(--accent);font-weight:600}" +
    ".ho-reply{white-space:pre-line;padding:.5em;background:var(--bot);border-radius:.375em}" +
    ".ho-item+.ho-item{border-top:1px solid var(--soft-line);margin-top:.5em;padding-top:.5em}";
  var uid = 0;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function fill(text, values) {
    return String(text).replace(/\{(\w)\}/g, function (m, k) { return values[k] !== undefined ? values[k] : m; });
  }

  /* "ABCDEFGH" as "ABCD EFGH": easier to read aloud and to copy down */
  function spaced(code) { return String(code).replace(/^(.{4})(.+)$/, "$1 $2"); }

  function localDetail(detail, en) {
    if (typeof detail !== "string") return "";
    var parts = detail.split(" / ");
    return (en && parts.length > 1 ? parts.slice(1).join(" / ") : parts[0]).trim();
  }

  function post(ctx, path, body) {
    return fetch(ctx.api + path, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (data) {
        return { ok: res.ok, status: res.status, body: data || {} };
      });
    });
  }

  function storageKey(ctx) { return ctx.key + ":handoff"; }

  function kept(ctx) {
    try {
      var list = JSON.parse(localStorage.getItem(storageKey(ctx)) || "[]");
      return Array.isArray(list) ? list.filter(function (t) {
        // the code goes into a selector: only what the service issues is kept
        return t && /^[0-9A-Z]{8}$/.test(t.code) && typeof t.secret === "string";
      }) : [];
    } catch (e) {
      return [];
    }
  }

  function keep(ctx, list) {
    try {
      if (list.length) localStorage.setItem(storageKey(ctx), JSON.stringify(list.slice(-MAX_KEPT)));
      else localStorage.removeItem(storageKey(ctx));
    } catch (e) { /* storage blocked: the ticket's code was shown to the resident */ }
  }

  function addStyles(ctx) {
    var root = ctx.bar.getRootNode();
    if (root.querySelector && root.querySelector("style[data-ho]")) return;
    var style = el("style", null, CSS);
    style.setAttribute("data-ho", "");
    root.appendChild(style);
  }

  /* ---------- the form, under the answer whose button was pressed ---------- */

  function field(form, tag, labelText, helpText, id) {
    var label = el("label", null, labelText);
    label.htmlFor = id;
    var input = el(tag);
    input.id = id;
    var help = el("p", "ho-help", helpText);
    help.id = id + "-help";
    input.setAttribute("aria-describedby", help.id);
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(help);
    return { input: input, help: help };
  }

  function openForm(ctx, S, en) {
    var at = ctx.at;
    var existing = at.parentNode.querySelector(".ho");
    if (existing) {
      existing.querySelector("textarea").focus();
      return;
    }
    var id = "dvc-ho-" + (++uid);
    var form = el("form", "ho");
    form.noValidate = true;
    form.setAttribute("aria-labelledby", id + "-title");
    var heading = el("h3", null, S.title);
    heading.id = id + "-title";
    form.appendChild(heading);
    form.appendChild(el("p", null, S.intro));
    var question = field(form, "textarea", S.question, S.questionHelp, id + "-q").input;
    question.rows = 3;
    question.maxLength = 1000;
    question.value = ctx.q || "";
    var contactField = field(form, "input", S.contact, S.contactHelpNoDays, id + "-c");
    var contact = contactField.input;
    contact.type = "text";
    contact.maxLength = 200;
    contact.autocomplete = "off";
    var acts = el("div", "ho-acts");
    var send = el("button", "ho-send", S.send);
    send.type = "submit";
    var cancel = el("button", null, S.cancel);
    cancel.type = "button";
    acts.appendChild(send);
    acts.appendChild(cancel);
    form.appendChild(acts);
    var status = el("p", "ho-help");
    status.setAttribute("role", "status");
    form.appendChild(status);
    at.hidden = true;
    at.parentNode.insertBefore(form, at.nextSibling);
    question.focus();

    fetch(ctx.api + "/api/handoff").then(function (res) { return res.ok ? res.json() : null; }).then(function (p) {
      if (p && p.contact_days > 0) contactField.help.textContent = fill(S.contactHelp, { n: p.contact_days });
    }).catch(function () { /* the wording without the number stays */ });

    cancel.addEventListener("click", function () {
      form.remove();
      at.hidden = false;
      at.focus();
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = question.value.trim();
      if (!text) {
        status.textContent = S.empty;
        question.setAttribute("aria-invalid", "true");
        question.focus();
        return;
      }
      question.removeAttribute("aria-invalid");
      send.disabled = true;
      status.textContent = S.sending;
      post(ctx, "/api/handoff", {
        question: text, contact: contact.value.trim(), session_id: ctx.sid || null,
        area: ctx.d && ctx.d.area ? ctx.d.area : null, lang: en ? "en" : "vi"
      }).then(function (r) {
        if (!r.ok) {
          send.disabled = false;
          status.textContent = localDetail(r.body.detail, en) || S.failed;
          return;
        }
        keep(ctx, kept(ctx).concat([{ code: r.body.code, secret: r.body.secret }]));
        var done = el("p", "ho-done", fill(S.sent, { c: spaced(r.body.code) }));
        done.tabIndex = -1;
        form.replaceWith(done);
        done.focus();
        ctx.say(done.textContent);
        showTickets(ctx, S, en);
      }).catch(function () {
        send.disabled = false;
        status.textContent = S.failed;
      });
    });
  }

  /* ---------- the kept tickets, above the conversation's tools ---------- */

  function band(ctx, S) {
    var panel = ctx.bar.parentNode;
    var box = panel.querySelector(".ho-band");
    if (!box) {
      box = el("section", "ho-band");
      box.setAttribute("aria-labelledby", "dvc-ho-band");
      var heading = el("h3", null, S.tickets);
      heading.id = "dvc-ho-band";
      box.appendChild(heading);
      panel.insertBefore(box, ctx.bar);
    }
    return box;
  }

  function showTickets(ctx, S, en) {
    kept(ctx).forEach(function (t) {
      post(ctx, "/api/handoff/status", { code: t.code, secret: t.secret }).then(function (r) {
        // unknown (deleted, purged) or closed elsewhere: nothing more to wait for
        if (r.status === 404 || (r.ok && r.body.status === "closed")) forget(ctx, t.code);
        else if (r.ok) renderTicket(ctx, S, en, band(ctx, S), t, r.body);
      }).catch(function () { /* offline: the next visit checks again */ });
    });
  }

  function forget(ctx, code) {
    keep(ctx, kept(ctx).filter(function (t) { return t.code !== code; }));
    var box = ctx.bar.parentNode.querySelector(".ho-band");
    if (!box) return;
    var item = box.querySelector("[data-code='" + code + "']");
    if (item) item.remove();
    if (!box.querySelector(".ho-item, .ho-done")) box.remove();
  }

  function renderTicket(ctx, S, en, box, t, view) {
    var item = box.querySelector("[data-code='" + t.code + "']") || el("div", "ho-item");
    item.textContent = "";
    item.setAttribute("data-code", t.code);
    item.appendChild(el("p", null, fill(S.ticket, { c: spaced(t.code) })));
    if (view.status === "answered" && view.reply) {
      item.appendChild(el("p", null, S.replied));
      item.appendChild(el("p", "ho-reply", view.reply));
      ctx.say(S.repliedNote);
    } else {
      item.appendChild(el("p", "ho-help", S.waiting));
    }
    var close = el("button", null, S.close);
    close.type = "button";
    close.setAttribute("aria-label", fill(S.closeLabel, { c: spaced(t.code) }));
    close.addEventListener("click", function () {
      close.disabled = true;
      post(ctx, "/api/handoff/close", { code: t.code, secret: t.secret }).then(function (r) {
        if (!r.ok && r.status !== 404) throw new Error("HTTP " + r.status);
        var done = el("p", "ho-done", fill(S.closed, { c: spaced(t.code) }));
        done.tabIndex = -1;
        box.insertBefore(done, item);
        forget(ctx, t.code);
        if (done.isConnected) done.focus();
        ctx.say(done.textContent);
      }).catch(function () {
        close.disabled = false;
        ctx.say(S.closeFailed);
      });
    });
    item.appendChild(close);
    if (!item.parentNode) box.appendChild(item);
  }

  /* The chat's session token, from the conversation the widget keeps (widget-history.js), if any. */
  function sessionToken(key) {
    try {
      var saved = JSON.parse(localStorage.getItem(key) || "null");
      return saved && typeof saved.sessionId === "string" ? saved.sessionId : null;
    } catch (e) {
      return null;
    }
  }

  /* Announced through the widget's one live region (widget-panel.js), cleared first so a repeat is read again. */
  function announcer(root) {
    var live = root.querySelector("[aria-live]");
    return function (text) {
      if (!live) return;
      live.textContent = "";
      setTimeout(function () { live.textContent = text; }, 50);
    };
  }

  /* Called by the widget with its API base, its texts, its storage key, its root element, the button pressed
   * (none at start-up: then only the kept tickets are checked), the question and the embedding script's data
   * attributes. The kept tickets are shown above the panel's tool bar. */
  window.__dvcHandoff = function (api, T, key, root, at, q, data) {
    var ctx = { api: api, key: key, at: at, q: q, sid: sessionToken(key), d: data || {}, say: announcer(root),
      bar: root.querySelector(".bar") };
    var en = !!(T && T.handoffTexts);
    var S = en ? T.handoffTexts : VI;
    addStyles(ctx);
    if (ctx.at) openForm(ctx, S, en);
    else showTickets(ctx, S, en);
  };
})();
