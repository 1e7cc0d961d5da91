/* The help desk for a team at a desk (needs a team member's admin token, kept in sessionStorage only):
 * - a help session per resident: what they were helped with (topic or the hit used, outcome, a short note the
 *   service redacts), nothing about who they are; the team's report by date range, on screen or as CSV;
 * - "Báo câu trả lời sai" on every hit: the search and the entry go to the editors' queue with a reason.
 * Plain search (helpdesk.js) needs none of this; hits reach this module through the "helpdesk:hit" event.
 * Everything from the service is written with textContent. */
(function () {
  "use strict";

  var TOKEN_KEY = "helpdesk-token";
  var SESSION_KEY = "helpdesk-session";
  var desk = document.getElementById("desk");
  var tokenForm = document.getElementById("desk-token-form");
  var tokenInput = document.getElementById("desk-token");
  var signout = document.getElementById("desk-signout");
  var who = document.getElementById("desk-who");
  var sessionBox = document.getElementById("desk-session");
  var sessionState = document.getElementById("desk-session-state");
  var startButton = document.getElementById("desk-start");
  var endButton = document.getElementById("desk-end");
  var itemForm = document.getElementById("desk-item-form");
  var topicSelect = document.getElementById("desk-topic");
  var entryBox = document.getElementById("desk-entry");
  var entryText = document.getElementById("desk-entry-text");
  var outcomes = document.getElementById("desk-outcomes");
  var note = document.getElementById("desk-note");
  var itemList = document.getElementById("desk-items");
  var status = document.getElementById("desk-status");
  var reportBox = document.getElementById("desk-report");
  var reportForm = document.getElementById("desk-report-form");
  var reportStatus = document.getElementById("desk-report-status");
  var reportTable = document.getElementById("desk-report-table");
  var since = document.getElementById("desk-since");
  var until = document.getElementById("desk-until");

  var token = sessionStorage.getItem(TOKEN_KEY) || "";
  var me = null;
  var session = null;
  var entry = null;
  var labels = { topics: {}, outcomes: {} };
  var hits = [];
  var flagForms = 0;

  var el = Staff.el;

  function button(label, cls, onClick) {
    var b = el("button", cls, label);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function errorText(res, body) {
    if (res.status === 401) return "Mã tổ viên không đúng hoặc không còn hiệu lực.";
    if (res.status === 404 && !token) return "Máy chủ chưa bật tính năng dành cho tổ viên.";
    if (res.status === 503) return "Cơ sở dữ liệu đang tạm gián đoạn, xin thử lại sau ít phút.";
    return Staff.detail(body, "Không thực hiện được (mã " + res.status + ").");
  }

  function api(method, path, body) { return Staff.request(method, path, body, token, errorText); }

  function clock(iso) {
    var d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" });
  }

  // Signing in -----------------------------------------------------------------------------------------------

  function signIn() {
    who.textContent = "Đang kiểm tra mã…";
    return api("GET", "/admin/me").then(function (data) {
      me = data;
      who.textContent = "Bạn: " + me.name + " (" + me.role + ")";
      signout.hidden = false;
      sessionBox.hidden = false;
      reportBox.hidden = false;
      hits = hits.filter(function (h) { return document.contains(h.item); });
      hits.forEach(addHitControls);
      return Promise.all([loadTopics(), restoreSession()]);
    }).catch(function (err) {
      me = null;
      who.textContent = err.message;
    });
  }

  function signOut() {
    token = "";
    me = null;
    session = null;
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(SESSION_KEY);
    tokenInput.value = "";
    who.textContent = "Đã thoát.";
    signout.hidden = true;
    sessionBox.hidden = true;
    reportBox.hidden = true;
    Array.prototype.forEach.call(document.querySelectorAll(".desk-hit"), function (node) { node.remove(); });
    hits.forEach(function (h) { h.flagButton = null; });
  }

  function loadTopics() {
    return api("GET", "/api/helpdesk/topics").then(function (data) {
      topicSelect.textContent = "";
      var first = el("option", null, "— Chọn chủ đề —");
      first.value = "";
      topicSelect.appendChild(first);
      data.topics.forEach(function (t) {
        labels.topics[t.id] = t.label;
        var o = el("option", null, t.label);
        o.value = t.id;
        topicSelect.appendChild(o);
      });
      outcomes.textContent = "";
      data.outcomes.forEach(function (o) {
        labels.outcomes[o.id] = o.label;
        var id = "desk-outcome-" + o.id;
        var input = el("input");
        input.type = "radio";
        input.name = "outcome";
        input.value = o.id;
        input.id = id;
        input.required = true;
        var label = el("label", null, o.label);
        label.htmlFor = id;
        var row = el("div", "outcome");
        row.appendChild(input);
        row.appendChild(label);
        outcomes.appendChild(row);
      });
    });
  }

  // The session ----------------------------------------------------------------------------------------------

  function showSession() {
    var open = !!(session && !session.ended_at);
    startButton.hidden = open;
    endButton.hidden = !open;
    itemForm.hidden = !open;
    itemList.textContent = "";
    if (!open) {
      sessionState.textContent = "Chưa có phiên nào đang mở.";
      return;
    }
    sessionState.textContent = "Phiên số " + session.id + ", bắt đầu lúc " + clock(session.started_at) + ". Đã ghi "
      + session.items.length + " việc.";
    session.items.forEach(function (item) { itemList.appendChild(itemLine(item)); });
  }

  function itemLine(item) {
    var parts = [clock(item.created_at), item.topic_label || labels.topics[item.topic] || item.topic,
      labels.outcomes[item.outcome] || item.outcome];
    if (item.entry_id) parts.push("mục " + item.entry_id);
    if (item.note) parts.push("“" + item.note + "”");
    return el("li", null, parts.join(" · "));
  }

  function restoreSession() {
    var id = sessionStorage.getItem(SESSION_KEY);
    if (!id) { showSession(); return Promise.resolve(); }
    return api("GET", "/api/helpdesk/sessions/" + encodeURIComponent(id)).then(function (data) {
      session = data.session.ended_at ? null : data.session;
      if (!session) sessionStorage.removeItem(SESSION_KEY);
      showSession();
    }).catch(function () {
      session = null;
      sessionStorage.removeItem(SESSION_KEY);
      showSession();
    });
  }

  function startSession() {
    return api("POST", "/api/helpdesk/sessions").then(function (data) {
      session = data.session;
      sessionStorage.setItem(SESSION_KEY, String(session.id));
      showSession();
      status.textContent = "Đã bắt đầu phiên hỗ trợ số " + session.id + ".";
    });
  }

  function chooseEntry(hit) {
    entry = { id: hit.id, title: hit.title };
    entryText.textContent = "Mục đã dùng: " + hit.title + " (" + hit.id + "). Chủ đề theo mục này nếu bạn không chọn.";
    entryBox.hidden = false;
    var ready = session && !session.ended_at ? Promise.resolve() : startSession();
    return ready.then(function () {
      status.textContent = "Đã chọn mục “" + hit.title + "”. Chọn kết quả rồi bấm Ghi lại.";
      var firstOutcome = outcomes.querySelector("input");
      if (firstOutcome) firstOutcome.focus();
    });
  }

  function clearEntry() {
    entry = null;
    entryBox.hidden = true;
    entryText.textContent = "";
  }

  startButton.addEventListener("click", function () {
    startSession().then(function () { topicSelect.focus(); })
      .catch(function (err) { status.textContent = err.message; });
  });

  endButton.addEventListener("click", function () {
    api("POST", "/api/helpdesk/sessions/" + session.id + "/end").then(function (data) {
      status.textContent = "Đã kết thúc phiên số " + data.session.id + ": " + data.session.items.length + " việc đã ghi.";
      session = null;
      sessionStorage.removeItem(SESSION_KEY);
      clearEntry();
      showSession();
      startButton.focus();
    }).catch(function (err) { status.textContent = err.message; });
  });

  document.getElementById("desk-entry-clear").addEventListener("click", clearEntry);

  itemForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var chosen = itemForm.querySelector("input[name=outcome]:checked");
    if (!topicSelect.value && !entry) {
      status.textContent = "Hãy chọn chủ đề, hoặc bấm “Ghi vào phiên” ở một kết quả tìm kiếm.";
      topicSelect.focus();
      return;
    }
    var body = { outcome: chosen ? chosen.value : "", note: note.value.trim() || null };
    if (topicSelect.value) body.topic = topicSelect.value;
    if (entry) body.entry_id = entry.id;
    api("POST", "/api/helpdesk/sessions/" + session.id + "/items", body).then(function (data) {
      session.items.push(data.item);
      showSession();
      status.textContent = "Đã ghi: " + data.item.topic_label + ", " + labels.outcomes[data.item.outcome] + "."
        + (data.note_redacted ? " Một số thông tin trong ghi chú đã được ẩn trước khi lưu." : "");
      note.value = "";
      topicSelect.value = "";
      if (chosen) chosen.checked = false;
      clearEntry();
    }).catch(function (err) {
      status.textContent = err.message;
      if (err.status === 404 || err.status === 409) {
        session = null;
        sessionStorage.removeItem(SESSION_KEY);
        showSession();
      }
    });
  });

  // Flags and hits -------------------------------------------------------------------------------------------

  function flagForm(detail) {
    var hit = detail.hit;
    var form = el("form", "flag desk-hit");
    flagForms += 1;
    var id = "flag-reason-" + flagForms;
    var label = el("label", null, "Vì sao câu trả lời này sai? (không bắt buộc, không ghi thông tin cá nhân)");
    label.htmlFor = id;
    var reason = el("textarea");
    reason.id = id;
    reason.rows = 2;
    reason.maxLength = 500;
    var done = el("p", "flag-status");
    done.setAttribute("role", "status");
    var send = el("button", null, "Gửi báo sai");
    send.type = "submit";
    var row = el("div", "actions");
    row.appendChild(send);
    row.appendChild(button("Hủy", "secondary", function () { form.remove(); detail.flagButton.focus(); }));
    form.appendChild(label);
    form.appendChild(reason);
    form.appendChild(row);
    form.appendChild(done);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      send.disabled = true;
      api("POST", "/api/helpdesk/flags", { question: detail.query || hit.title, entry_id: hit.id,
                                           reason: reason.value.trim() || null, origin: "helpdesk" })
        .then(function () {
          done.textContent = "Đã gửi cho biên tập viên. Cảm ơn bạn!";
          reason.disabled = true;
          row.remove();
          detail.flagButton.disabled = true;
          detail.flagButton.textContent = "Đã báo sai";
        }).catch(function (err) {
          done.textContent = err.message;
          send.disabled = false;
        });
    });
    return form;
  }

  function addHitControls(detail) {
    if (detail.flagButton || !me) return;
    var hit = detail.hit;
    var use = button("Ghi vào phiên", "copy desk-hit", function () {
      desk.open = true;
      chooseEntry(hit).catch(function (err) { status.textContent = err.message; });
    });
    use.setAttribute("aria-label", "Ghi vào phiên: kết quả " + hit.rank);
    detail.actions.appendChild(use);
    var flag = button("Báo câu trả lời sai", "copy flag-button desk-hit", function () {
      var open = detail.item.querySelector("form.flag");
      if (open) { open.querySelector("textarea").focus(); return; }
      var form = flagForm(detail);
      detail.item.appendChild(form);
      form.querySelector("textarea").focus();
    });
    flag.setAttribute("aria-label", "Báo câu trả lời sai: kết quả " + hit.rank);
    detail.flagButton = flag;
    detail.actions.appendChild(flag);
  }

  document.addEventListener("helpdesk:hit", function (e) {
    hits.push(e.detail);
    addHitControls(e.detail);
  });

  // The team's report ----------------------------------------------------------------------------------------

  function reportQuery(extra) {
    var params = new URLSearchParams();
    if (since.value) params.set("since", since.value);
    if (until.value) params.set("until", until.value);
    if (extra) params.set("format", extra);
    var text = params.toString();
    return "/api/helpdesk/report" + (text ? "?" + text : "");
  }

  reportForm.addEventListener("submit", function (e) {
    e.preventDefault();
    reportStatus.textContent = "Đang tải…";
    api("GET", reportQuery()).then(function (r) {
      reportStatus.textContent = r.residents + " người dân được hỗ trợ, " + r.items + " việc: đã giải quyết "
        + r.by_outcome.resolved + ", hướng dẫn nơi khác " + r.by_outcome.referred + ", chưa giải quyết "
        + r.by_outcome.not_resolved + ".";
      var body = reportTable.querySelector("tbody");
      body.textContent = "";
      r.by_topic.forEach(function (t) {
        var row = el("tr");
        [t.label, t.residents, t.resolved, t.referred, t.not_resolved].forEach(function (v) {
          row.appendChild(el("td", null, v));
        });
        body.appendChild(row);
      });
      reportTable.hidden = !r.by_topic.length;
    }).catch(function (err) { reportStatus.textContent = err.message; });
  });

  document.getElementById("desk-report-csv").addEventListener("click", function () {
    fetch(reportQuery("csv"), { headers: { "Authorization": "Bearer " + token } }).then(function (res) {
      if (!res.ok) throw new Error(errorText(res, null));
      return res.blob();
    }).then(function (blob) {
      var a = el("a");
      a.href = URL.createObjectURL(blob);
      a.download = "bao-cao-ho-tro" + (since.value ? "-tu-" + since.value : "") + (until.value ? "-den-" + until.value : "")
        + ".csv";
      document.body.appendChild(a);
      a.click();
      a.remove();
      URL.revokeObjectURL(a.href);
      reportStatus.textContent = "Đã tải báo cáo CSV.";
    }).catch(function (err) { reportStatus.textContent = err.message; });
  });

  /* One sign-in for the page: the tickets section hears of this one's, and this one of the tickets'. */
  function announceToken() {
    document.dispatchEvent(new CustomEvent("helpdesk:token", { detail: { token: token, from: "desk" } }));
  }

  tokenForm.addEventListener("submit", function (e) {
    e.preventDefault();
    token = tokenInput.value.trim();
    sessionStorage.setItem(TOKEN_KEY, token);
    announceToken();
    signIn();
  });
  signout.addEventListener("click", function () {
    signOut();
    announceToken();
  });
  document.addEventListener("helpdesk:token", function (e) {
    if (e.detail.from === "desk" || e.detail.token === token) return;
    if (!e.detail.token) {
      signOut();
      return;
    }
    token = e.detail.token;
    tokenInput.value = token;
    signIn();
  });

  if (token) {
    tokenInput.value = token;
    desk.open = true;
    signIn();
  }
})();
