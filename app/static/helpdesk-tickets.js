/* The help desk's "Câu hỏi người dân gửi" section: questions residents sent from the widget when the assistant
 * had no answer (hand-off tickets). A team member with an editor's or publisher's admin token (kept in
 * sessionStorage only, shared with the desk section) lists open tickets, answers one (the resident sees the
 * reply in the widget when they come back), closes it (its contact is deleted), and can turn the answer into a
 * draft entry for the editors. Everything from the service is written with textContent. */
(function () {
  "use strict";

  var TOKEN_KEY = "helpdesk-token";
  var box = document.getElementById("tickets");
  var tokenForm = document.getElementById("tickets-token-form");
  var tokenInput = document.getElementById("tickets-token");
  var section = document.getElementById("tickets-section");
  var filter = document.getElementById("tickets-filter");
  var areaSelect = document.getElementById("tickets-area");
  var AREA_KEY = "helpdesk-area";
  var areasLoaded = false;
  var refresh = document.getElementById("tickets-refresh");
  var status = document.getElementById("tickets-status");
  var list = document.getElementById("tickets-list");
  if (!box || !tokenForm) return;

  function storedToken() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || "";
    } catch (e) {
      return "";
    }
  }

  var token = storedToken();

  var el = Staff.el;

  function when(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? "" : d.toLocaleString("vi-VN");
  }

  function spaced(code) { return String(code).replace(/^(.{4})(.+)$/, "$1 $2"); }

  function call(method, path, body) {
    return Staff.request(method, path, body, token, function (res, data) {
      return res.status === 401 ? "Mã không đúng. Bạn nhập lại mã nhé."
        : res.status === 403 ? "Mã này chỉ được xem. Cần mã biên tập viên hoặc người duyệt."
          : res.status === 404 && path.indexOf("/admin/handoff?") === 0 ? "Máy chủ chưa bật tính năng dành cho tổ viên."
            : Staff.detail(data, "Đã có lỗi (" + res.status + "), bạn thử lại nhé.");
    });
  }

  function say(node, text, isError) {
    node.textContent = text;
    node.classList.toggle("error", !!isError);
  }

  /* The areas a widget can name (GET /api/areas), once: a commune's team keeps its own chosen on this device. */
  function loadAreas() {
    if (areasLoaded) return;
    areasLoaded = true;
    var kept = "";
    try {
      kept = localStorage.getItem(AREA_KEY) || "";
    } catch (e) { /* nothing kept */ }
    fetch("/api/areas").then(function (res) { return res.ok ? res.json() : { areas: [] }; }).then(function (data) {
      (Array.isArray(data.areas) ? data.areas : []).forEach(function (a) {
        var option = el("option", null, a.level === "commune" ? "— " + a.name : a.name);
        option.value = a.id;
        areaSelect.appendChild(option);
      });
      var known = Array.prototype.some.call(areaSelect.options, function (o) { return o.value === kept; });
      if (kept && known) {
        areaSelect.value = kept;
        load();
      }
    }).catch(function () { /* the list stays "Tất cả địa bàn" */ });
  }

  /* List the tickets in the chosen status; `done` says what was just done, before the count. */
  function load(done) {
    if (!token) return;
    say(status, "Đang tải…");
    loadAreas();
    var area = areaSelect.value ? "&area=" + encodeURIComponent(areaSelect.value) : "";
    call("GET", "/admin/handoff?status=" + encodeURIComponent(filter.value) + area).then(function (data) {
      section.hidden = false;
      list.textContent = "";
      var items = Array.isArray(data.items) ? data.items : [];
      items.forEach(function (t) { list.appendChild(renderTicket(t)); });
      var count = items.length ? items.length + " yêu cầu." : "Không có yêu cầu nào.";
      say(status, typeof done === "string" ? done + " " + count : count);
    }).catch(function (err) {
      say(status, err.message, true);
      if (err.status === 401 || err.status === 403) {
        section.hidden = true;
        token = "";
        showTokenForm();
        tokenInput.focus();
      }
    });
  }

  function renderTicket(t) {
    var item = el("li", "hit ticket");
    item.setAttribute("data-id", String(t.id));
    var head = el("div", "hit-head");
    var title = el("h3", null, "Yêu cầu " + spaced(t.code));
    title.id = "ticket-" + t.id;
    item.setAttribute("aria-labelledby", title.id);
    head.appendChild(title);
    head.appendChild(el("span", "meta", "Gửi lúc " + when(t.created_at) + (t.area ? " · địa bàn " + t.area : "")));
    item.appendChild(head);
    item.appendChild(el("p", "hit-text ticket-question", t.question));
    if (t.contact) {
      item.appendChild(el("p", "meta ticket-contact", "Liên hệ của người dân (chỉ dùng để trả lời, tự xóa khi " +
        "đóng yêu cầu): " + t.contact));
    }
    if (t.reply) {
      item.appendChild(el("p", "meta", "Đã trả lời" + (t.answered_by ? " (" + t.answered_by + ")" : "") + " lúc " +
        when(t.answered_at) + ":"));
      item.appendChild(el("p", "hit-text ticket-reply", t.reply));
    }
    var note = el("p", "status");
    note.setAttribute("role", "status");
    if (t.status !== "closed") item.appendChild(replyForm(t, note));
    var actions = el("div", "actions");
    if (t.status !== "closed") {
      var close = el("button", "secondary", "Đóng yêu cầu");
      close.type = "button";
      close.addEventListener("click", function () {
        close.disabled = true;
        call("POST", "/admin/handoff/" + t.id + "/close").then(function () {
          load("Đã đóng yêu cầu " + spaced(t.code) + ".");
        }).catch(function (err) {
          close.disabled = false;
          say(note, err.message, true);
        });
      });
      actions.appendChild(close);
    }
    if (t.reply && !t.draft_id) {
      var draft = el("button", "secondary", "Tạo bản nháp");
      draft.type = "button";
      draft.setAttribute("aria-describedby", title.id);
      draft.addEventListener("click", function () {
        draft.disabled = true;
        call("POST", "/admin/handoff/" + t.id + "/draft").then(function (data) {
          draft.remove();
          say(note, "Đã tạo bản nháp số " + data.draft.id + " cho biên tập viên (trang /admin): họ bổ sung cách " +
            "hỏi khác, nguồn và chủ đề trước khi đăng.");
        }).catch(function (err) {
          draft.disabled = false;
          say(note, err.message, true);
        });
      });
      actions.appendChild(draft);
    } else if (t.draft_id) {
      actions.appendChild(el("span", "meta", "Đã có bản nháp số " + t.draft_id + "."));
    }
    item.appendChild(actions);
    item.appendChild(note);
    return item;
  }

  function replyForm(t, note) {
    var form = el("form", "ticket-answer");
    var id = "ticket-reply-" + t.id;
    var label = el("label", null, t.reply ? "Sửa câu trả lời" : "Trả lời người dân");
    label.htmlFor = id;
    var text = el("textarea");
    text.id = id;
    text.rows = 4;
    text.maxLength = 4000;
    text.required = true;
    text.value = t.reply || "";
    var hint = el("p", "meta", "Người dân đọc câu trả lời trong hộp hỏi đáp khi quay lại. Không ghi số giấy tờ " +
      "hay thông tin cá nhân của người dân vào câu trả lời.");
    hint.id = id + "-hint";
    text.setAttribute("aria-describedby", hint.id);
    var send = el("button", null, "Gửi trả lời");
    send.type = "submit";
    form.appendChild(label);
    form.appendChild(text);
    form.appendChild(hint);
    form.appendChild(send);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (!text.value.trim()) {
        say(note, "Bạn nhập câu trả lời trước khi gửi nhé.", true);
        text.focus();
        return;
      }
      send.disabled = true;
      call("POST", "/admin/handoff/" + t.id + "/answer", { reply: text.value }).then(function () {
        load("Đã gửi trả lời cho yêu cầu " + spaced(t.code) + ".");
      }).catch(function (err) {
        send.disabled = false;
        say(note, err.message, true);
      });
    });
    return form;
  }

  /* Signed in once on the page (here or in the desk section above): this section's own code field hides. */
  function showTokenForm() {
    tokenForm.hidden = !!token;
  }

  tokenForm.addEventListener("submit", function (e) {
    e.preventDefault();
    token = tokenInput.value.trim();
    try {
      sessionStorage.setItem(TOKEN_KEY, token);
    } catch (err) { /* kept for this page only */ }
    tokenInput.value = "";
    showTokenForm();
    document.dispatchEvent(new CustomEvent("helpdesk:token", { detail: { token: token, from: "tickets" } }));
    load();
  });
  document.addEventListener("helpdesk:token", function (e) {
    if (e.detail.from === "tickets") return;
    token = e.detail.token;
    showTokenForm();
    if (!token) section.hidden = true;
    else if (box.open) load();
  });
  showTokenForm();
  filter.addEventListener("change", function () { load(); });
  areaSelect.addEventListener("change", function () {
    try {
      localStorage.setItem(AREA_KEY, areaSelect.value);
    } catch (e) { /* chosen for this page only */ }
    load();
  });
  refresh.addEventListener("click", function () { load(); });
  box.addEventListener("toggle", function () {
    if (!box.open) return;
    token = token || storedToken();
    if (token) load();
    else tokenInput.focus();
  });
})();
