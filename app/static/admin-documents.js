// Editors' page, "Thêm tài liệu": upload a file (read in the browser as base64) with what it does not state,
// show what was read from it and what is missing, and preview the answers with it in place. The upload is a
// pending draft in the page's drafts list, reviewed and published there like any other edit.
// Everything from the API is written with textContent, never as HTML.
(function () {
  "use strict";
  var section = document.getElementById("documents");
  var form = document.getElementById("doc-form");
  var statusLine = document.getElementById("doc-status-line");
  var result = document.getElementById("doc-result");
  var previewTable = document.getElementById("doc-preview-table");
  var STATUS = { answered: "trả lời được", partial: "trả lời một phần", no_answer: "chưa trả lời được" };
  var LEGAL = { in_force: "còn hiệu lực", amended: "đã được sửa đổi", superseded: "đã bị thay thế",
                expired: "hết hiệu lực" };
  var FIELDS = { title: "Tiêu đề", publisher: "Cơ quan ban hành", published: "Ngày đăng", kind: "Loại",
                 number: "Số hiệu", issued: "Ngày ban hành", status: "Hiệu lực", source: "Nguồn", url: "Địa chỉ" };
  var FROM = { file: "đọc từ tệp", options: "do bạn nhập" };
  var KINDS = { law: "Luật", decree: "Nghị định", circular: "Thông tư", decision: "Quyết định",
                resolution: "Nghị quyết", notice: "Thông báo", guidance: "Hướng dẫn", media: "Báo chí nhà nước",
                service: "Dịch vụ", note: "Ghi chú" };
  var OUTCOME = { added: "tài liệu mới", replaced: "thay bản đã đăng", unchanged: "không đổi" };
  var draftId = null;
  var mayEdit = false;

  function field(id) { return document.getElementById(id); }

  function el(tag, text, cls) { return Staff.el(tag, cls, text); }

  function api(method, path, body) {
    return Staff.request(method, path, body, field("token").value, Staff.adminMessage);
  }

  function readBase64(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () {
        var url = String(reader.result);
        resolve(url.slice(url.indexOf(",") + 1));  // a data: URL, its base64 after the comma
      };
      reader.onerror = function () { reject(new Error("Không đọc được tệp trên máy của bạn.")); };
      reader.readAsDataURL(file);
    });
  }

  function options() {
    var body = {};
    [["publisher", "doc-publisher"], ["published", "doc-published"], ["url", "doc-url"], ["kind", "doc-kind"],
     ["status", "doc-status"], ["source", "doc-source"], ["article_id", "doc-id"]].forEach(function (pair) {
      var value = field(pair[1]).value.trim();
      if (value) { body[pair[0]] = value; }
    });
    body.topics = field("doc-topics").value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    return body;
  }

  function show(data) {
    var doc = data.document;
    field("doc-title").textContent = doc.title + " — " + doc.file_name + " (" + (OUTCOME[doc.outcome] || doc.outcome) +
      ", " + doc.passages + " đoạn)";
    var body = field("doc-fields").querySelector("tbody");
    body.textContent = "";
    Object.keys(FIELDS).forEach(function (name) {
      var f = doc.fields[name];
      var row = el("tr");
      row.appendChild(el("th", FIELDS[name]));
      var names = name === "status" ? LEGAL : name === "kind" ? KINDS : {};
      var value = f.value && names[f.value] ? names[f.value] : f.value;
      row.appendChild(el("td", value === null ? "(chưa có)" : value));
      row.appendChild(el("td", f.from ? FROM[f.from] : "", f.from ? "" : "old"));
      body.appendChild(row);
    });
    var notes = field("doc-notes");
    notes.textContent = "";
    doc.missing.forEach(function (m) {
      notes.appendChild(el("li", "Thiếu: " + m + " (tệp không ghi, bạn chưa nhập).", "old"));
    });
    doc.notes.forEach(function (n) { notes.appendChild(el("li", n)); });
    field("doc-questions").value = (data.draft ? data.draft.questions : doc.questions).join("\n");
    draftId = data.draft ? data.draft.id : null;
    field("doc-preview").disabled = draftId === null;
    previewTable.hidden = true;
    result.hidden = false;
    statusLine.textContent = data.draft
      ? "Đã lưu bản nháp số " + data.draft.id + " (" + doc.article_id + "), chờ người duyệt đăng."
      : "Tệp này đã được đăng với cùng nội dung và tùy chọn: không có gì thay đổi.";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = field("doc-file").files[0];
    if (!file) { statusLine.textContent = "Hãy chọn một tệp."; return; }
    statusLine.textContent = "Đang tải lên và đọc tài liệu…";
    result.hidden = true;
    readBase64(file).then(function (content) {
      var body = options();
      body.file_name = file.name;
      body.content_base64 = content;
      return api("POST", "/admin/documents", body);
    }).then(function (data) {
      show(data);
      if (data.draft) { document.dispatchEvent(new CustomEvent("admin:drafts-changed")); }
    }).catch(function (err) { statusLine.textContent = err.message; });
  });

  function outcome(o) {
    return (STATUS[o.status] || o.status) + (o.matched_id ? " · " + o.matched_id : "");
  }

  // a saved draft's preview into `table`, its progress and problems into `line`
  function preview(id, questions, table, line) {
    line.textContent = "Đang dựng chỉ mục tạm để xem trước…";
    return api("POST", "/admin/drafts/" + id + "/preview", { questions: questions }).then(function (data) {
      var body = table.querySelector("tbody");
      body.textContent = "";
      if (data.problems.length) {
        line.textContent = "Chưa đạt kiểm tra (check-kb): " + data.problems.join("; ");
        table.hidden = true;
        return;
      }
      data.after.forEach(function (after, i) {
        var row = el("tr");
        row.appendChild(el("td", after.question));
        row.appendChild(el("td", data.before[i] ? outcome(data.before[i]) : ""));
        row.appendChild(el("td", outcome(after), after.status === "answered" ? "in-force" : "old"));
        row.appendChild(el("td", after.cited
          ? after.cited + (after.cited_status ? " (" + (LEGAL[after.cited_status] || after.cited_status) + ")" : "")
          : ""));
        body.appendChild(row);
      });
      table.hidden = false;
      line.textContent = "Xem trước xong (" + data.seconds + " giây)." +
        (data.warnings.length ? " Lưu ý: " + data.warnings.join("; ") : "");
    }).catch(function (err) { line.textContent = err.message; });
  }

  field("doc-preview").addEventListener("click", function () {
    if (draftId === null) { return; }
    var questions = field("doc-questions").value.split("\n").map(function (s) { return s.trim(); })
      .filter(Boolean);
    preview(draftId, questions, previewTable, statusLine);
  });

  // a pending document in the drafts list: its reviewer previews it with the questions saved with it
  document.addEventListener("admin:draft-listed", function (event) {
    var d = event.detail.draft;
    var item = event.detail.item;
    if (d.action !== "ingest" || !mayEdit) { return; }
    var line = el("p", "", "meta");
    var table = previewTable.cloneNode(true);
    table.removeAttribute("id");
    table.hidden = true;
    var b = el("button", "Xem trước câu trả lời", "copy");
    b.type = "button";
    b.addEventListener("click", function () { preview(d.id, d.questions, table, line); });
    item.appendChild(b);
    item.appendChild(line);
    item.appendChild(table);
  });

  document.addEventListener("admin:signed-in", function (event) {
    mayEdit = event.detail.role === "editor" || event.detail.role === "publisher";
    section.hidden = !mayEdit;
  });
}());
