// Editors' page: asks for the admin token, lists grouped unanswered questions, and runs the editors' loop:
// draft an entry from a group, preview the answers, save it for review, publish it, see what is now answered.
// Everything from the API is written with textContent, never as HTML.
(function () {
  "use strict";
  var form = document.getElementById("admin-form");
  var tokenInput = document.getElementById("token");
  var since = document.getElementById("since");
  var status = document.getElementById("status");
  var list = document.getElementById("groups");
  var who = document.getElementById("who");
  var editor = document.getElementById("editor");
  var draftForm = document.getElementById("draft-form");
  var editorStatus = document.getElementById("editor-status");
  var previewTable = document.getElementById("preview-table");
  var publishStatus = document.getElementById("publish-status");
  var RANK = { viewer: 0, editor: 1, publisher: 2 };
  var STATUS = { answered: "trả lời được", partial: "trả lời một phần", no_answer: "chưa trả lời được" };
  var role = "viewer";
  var draft = { action: "add", entry_id: "", questions: [] };
  var saved = sessionStorage.getItem("admin-token");
  if (saved) { tokenInput.value = saved; }

  function headers(json) {
    var h = { "Authorization": "Bearer " + tokenInput.value };
    if (json) { h["Content-Type"] = "application/json"; }
    return h;
  }

  function query() {
    return since.value ? "?since=" + encodeURIComponent(since.value) : "";
  }

  function api(method, path, body) { return Staff.request(method, path, body, tokenInput.value, Staff.adminMessage); }

  function el(tag, text, cls) { return Staff.el(tag, cls, text); }

  function button(text, onClick) {
    var b = el("button", text, "copy");
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function may(needed) { return RANK[role] >= RANK[needed]; }

  function render(data) {
    list.textContent = "";
    status.textContent = data.groups.length + " nhóm từ " + data.questions + " câu hỏi.";
    data.groups.forEach(function (group) {
      var item = el("li", undefined, "result hit");
      item.appendChild(el("h2", group.example + " (" + group.count + " lần)"));
      item.appendChild(el("p", "Lần gần nhất: " + group.last_asked +
        (group.partial ? " · " + group.partial + " lần trả lời một phần, mục gần nhất: " +
          (group.related_ids || []).join(", ") : "")));
      var variants = el("ul");
      group.questions.forEach(function (q) { variants.appendChild(el("li", q)); });
      item.appendChild(variants);
      if (may("editor")) {
        item.appendChild(button("Soạn mục mới từ nhóm này", function () { draftFromGroup(group); }));
      }
      list.appendChild(item);
    });
  }

  // Draft form ---------------------------------------------------------------------------------

  function field(id) { return document.getElementById(id); }

  function fillForm(entry, action, questions) {
    draft = { action: action, entry_id: entry.id || "", questions: questions || [] };
    field("editor-action").textContent = action === "add" ? "Mục mới (ghi vào faq/editor-drafts.yaml)"
      : "Sửa mục " + entry.id;
    field("f-id").value = entry.id || "";
    field("f-id").readOnly = action !== "add";
    field("f-question").value = entry.question || "";
    field("f-phrasings").value = (entry.phrasings || []).join("\n");
    field("f-answer").value = entry.answer || "";
    field("f-topics").value = (entry.topics || []).join(", ");
    field("f-as-of").value = entry.as_of || "";
    field("f-review-by").value = entry.review_by || "";
    field("f-referral").checked = !!entry.referral;
    Array.prototype.forEach.call(field("f-sources").options, function (o) {
      o.selected = (entry.sources || []).indexOf(o.value) >= 0;
    });
    var qs = field("f-questions");
    qs.textContent = "";
    draft.questions.forEach(function (q) { qs.appendChild(el("li", q)); });
    editor.hidden = false;
    previewTable.hidden = true;
    editorStatus.textContent = "";
    editor.scrollIntoView();
  }

  function formEntry() {
    var entry = {
      id: field("f-id").value.trim(),
      question: field("f-question").value.trim(),
      phrasings: field("f-phrasings").value.split("\n").map(function (s) { return s.trim(); })
        .filter(Boolean),
      answer: field("f-answer").value.trim(),
      sources: Array.prototype.filter.call(field("f-sources").options, function (o) { return o.selected; })
        .map(function (o) { return o.value; }),
      topics: field("f-topics").value.split(",").map(function (s) { return s.trim(); }).filter(Boolean),
      as_of: field("f-as-of").value
    };
    if (field("f-review-by").value) { entry.review_by = field("f-review-by").value; }
    if (field("f-referral").checked) { entry.referral = true; }
    if (draft.en) { entry.en = draft.en; }
    return entry;
  }

  function draftBody() {
    return { action: draft.action, entry_id: draft.entry_id, entry: formEntry(), questions: draft.questions };
  }

  function draftFromGroup(group) {
    api("POST", "/admin/drafts/prefill", { questions: group.questions })
      .then(function (data) { fillForm(data.entry, "add", group.questions); })
      .catch(function (err) { status.textContent = err.message; });
  }

  function outcome(o) {
    return (STATUS[o.status] || o.status) + (o.matched_id ? " · " + o.matched_id : "");
  }

  function showPreview(data) {
    var body = previewTable.querySelector("tbody");
    body.textContent = "";
    if (data.problems.length) {
      editorStatus.textContent = "Chưa đạt kiểm tra (check-kb): " + data.problems.join("; ");
      previewTable.hidden = true;
      return;
    }
    data.after.forEach(function (after, i) {
      var row = el("tr");
      row.appendChild(el("td", after.question));
      row.appendChild(el("td", data.before[i] ? outcome(data.before[i]) : ""));
      row.appendChild(el("td", outcome(after), after.status === "answered" ? "in-force" : "old"));
      body.appendChild(row);
    });
    previewTable.hidden = false;
    editorStatus.textContent = "Xem trước xong (" + data.seconds + " giây)." +
      (data.warnings.length ? " Lưu ý: " + data.warnings.join("; ") : "");
  }

  field("preview").addEventListener("click", function () {
    editorStatus.textContent = "Đang dựng chỉ mục tạm để xem trước…";
    api("POST", "/admin/preview", draftBody()).then(showPreview)
      .catch(function (err) { editorStatus.textContent = err.message; });
  });

  draftForm.addEventListener("submit", function (event) {
    event.preventDefault();
    api("POST", "/admin/drafts", draftBody())
      .then(function (data) {
        editorStatus.textContent = "Đã lưu bản nháp số " + data.draft.id + ", chờ người duyệt đăng.";
        loadDrafts();
        loadAudit();
      })
      .catch(function (err) { editorStatus.textContent = err.message; });
  });

  // Review and publication ---------------------------------------------------------------------

  var ACTIONS = { add: "Thêm mục", edit: "Sửa mục", retire: "Gỡ mục", ingest: "Thêm tài liệu" };
  // a module of this page (admin-documents.js) saved or changed a draft
  document.addEventListener("admin:drafts-changed", function () { loadDrafts(); loadAudit(); });
  // a module of this page (admin-flags.js) opens an entry in the draft form, with the questions it concerns
  document.addEventListener("admin:edit-entry", function (e) {
    fillForm(e.detail.entry, "edit", e.detail.questions || []);
    draft.en = e.detail.entry.en;
  });

  function loadDrafts() {
    api("GET", "/admin/drafts").then(function (data) {
      var box = field("drafts");
      box.textContent = "";
      if (!data.items.length) { box.appendChild(el("li", "Không có bản nháp nào chờ duyệt.", "meta")); }
      data.items.forEach(function (d) {
        var item = el("li", undefined, "hit draft");
        item.appendChild(el("h3", ACTIONS[d.action] + " " + d.entry_id + " — số " + d.id));
        item.appendChild(el("p", "Soạn bởi " + d.author + " lúc " + d.created_at, "meta"));
        var diff = el("pre", "", "hit-text");
        item.appendChild(button("Xem khác biệt", function () {
          api("GET", "/admin/drafts/" + d.id).then(function (r) { diff.textContent = r.diff || "(không đổi)"; })
            .catch(function (err) { diff.textContent = err.message; });
        }));
        if (may("publisher")) {
          item.appendChild(button(d.action === "retire" ? "Gỡ mục này" : "Đăng", function () { publish(d); }));
        }
        item.appendChild(diff);
        document.dispatchEvent(new CustomEvent("admin:draft-listed", { detail: { draft: d, item: item } }));
        box.appendChild(item);
      });
    }).catch(function (err) { publishStatus.textContent = err.message; });
  }

  function publish(d) {
    publishStatus.textContent = "Đang kiểm tra, ghi vào kho kiến thức và dựng lại chỉ mục…";
    var done = field("published");
    done.textContent = "";
    api("POST", "/admin/drafts/" + d.id + "/publish").then(function (r) {
      publishStatus.textContent = "Đã đăng " + d.entry_id + " (chỉ mục " + r.index_version + ").";
      r.after.forEach(function (o) {
        done.appendChild(el("li", o.question + " — " + outcome(o), o.status === "answered" ? "in-force" : "old"));
      });
      loadDrafts();
      loadAudit();
      loadDue();
    }).catch(function (err) { publishStatus.textContent = err.message; });
  }

  function loadDue() {
    api("GET", "/admin/review").then(function (data) {
      var box = field("due");
      box.textContent = "";
      if (!data.items.length) { box.appendChild(el("li", "Không có mục nào đến hạn.", "meta")); }
      data.items.forEach(function (e) {
        var item = el("li", undefined, "hit");
        item.appendChild(el("h3", e.id + ": " + e.question));
        item.appendChild(el("p", "Hạn rà soát: " + (e.review_by || "(chưa có)") + " · " + e.path, "meta"));
        if (may("editor")) {
          item.appendChild(button("Sửa", function () {
            api("GET", "/admin/entries/" + encodeURIComponent(e.id)).then(function (r) {
              fillForm(r.entry, "edit", []);
              draft.en = r.entry.en;
            }).catch(function (err) { status.textContent = err.message; });
          }));
          item.appendChild(button("Đề nghị gỡ", function () {
            api("POST", "/admin/drafts", { action: "retire", entry_id: e.id, questions: [] })
              .then(function () { loadDrafts(); loadAudit(); })
              .catch(function (err) { status.textContent = err.message; });
          }));
        }
        box.appendChild(item);
      });
    }).catch(function (err) { status.textContent = err.message; });
  }

  var AUDIT = { draft: "soạn nháp", publish: "đăng", retire: "gỡ", flag: "báo sai",
                "flag-resolved": "xử lý báo sai" };

  function loadAudit() {
    api("GET", "/admin/audit?limit=50").then(function (data) {
      var body = field("audit").querySelector("tbody");
      body.textContent = "";
      data.items.forEach(function (a) {
        var row = el("tr");
        [a.at, a.who, a.role, AUDIT[a.action] || a.action, a.entry_id, a.index_version || ""].forEach(function (v) {
          row.appendChild(el("td", v));
        });
        body.appendChild(row);
      });
    }).catch(function () { /* the audit log is secondary: the page works without it */ });
  }

  function loadSources() {
    api("GET", "/admin/sources").then(function (data) {
      var select = field("f-sources");
      select.textContent = "";
      data.items.forEach(function (s) {
        var o = el("option", s.id + " — " + s.title + (s.openable ? "" : " (ghi chú, không mở được)"));
        o.value = s.id;
        select.appendChild(o);
      });
    }).catch(function () { /* shown empty: the draft then fails its check with a clear message */ });
  }

  // Loading ------------------------------------------------------------------------------------

  function load() {
    status.textContent = "Đang tải…";
    api("GET", "/admin/me").then(function (me) {
      role = me.role;
      who.textContent = "Bạn: " + me.name + " (" + me.role + ")";
      document.dispatchEvent(new CustomEvent("admin:signed-in", { detail: { role: me.role } }));
      return api("GET", "/admin/unanswered/groups" + query());
    }).then(function (data) {
      render(data);
      loadSources();
      loadDrafts();
      loadDue();
      loadAudit();
    }).catch(function (err) { status.textContent = err.message; });
  }

  function download(path, name) {
    fetch(path + (query() ? query() + "&" : "?") + "format=csv&limit=1000", { headers: headers(false) })
      .then(function (r) { if (!r.ok) { throw new Error("Không tải được (mã " + r.status + ")."); } return r.blob(); })
      .then(function (blob) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = name;
        a.click();
        URL.revokeObjectURL(a.href);
      })
      .catch(function (err) { status.textContent = err.message; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    sessionStorage.setItem("admin-token", tokenInput.value);
    load();
  });
  document.getElementById("csv-unanswered").addEventListener("click", function (e) {
    e.preventDefault(); download("/admin/unanswered", "unanswered.csv");
  });
  document.getElementById("csv-feedback").addEventListener("click", function (e) {
    e.preventDefault(); download("/admin/feedback", "feedback.csv");
  });
}());
