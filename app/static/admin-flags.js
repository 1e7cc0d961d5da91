// Editors' page: the queue of answers that help-desk team members flagged as wrong ("Báo sai từ tổ công nghệ
// số"). Every role reads it; editors open the flagged entry in the draft form (admin.js, through the
// "admin:edit-entry" event) with the question that went wrong, and mark the flag resolved.
// Everything from the API is written with textContent, never as HTML.
(function () {
  "use strict";
  var section = document.getElementById("flags-section");
  var list = document.getElementById("flags");
  var status = document.getElementById("flags-status");
  var filter = document.getElementById("flags-filter");
  var title = document.getElementById("flags-title");
  var tokenInput = document.getElementById("token");
  var RANK = { viewer: 0, editor: 1, publisher: 2 };
  var RESOLUTION = { corrected: "đã sửa mục", no_change: "không cần sửa" };
  var ORIGIN = { helpdesk: "trang tra cứu", admin: "trang quản trị" };
  var role = "viewer";

  function el(tag, text, cls) { return Staff.el(tag, cls, text); }

  function api(method, path, body) { return Staff.request(method, path, body, tokenInput.value, Staff.adminMessage); }

  function when(iso) {
    var d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString("vi-VN");
  }

  function button(text, label, onClick) {
    var b = el("button", text, "copy");
    b.type = "button";
    b.setAttribute("aria-label", label);
    b.addEventListener("click", onClick);
    return b;
  }

  function openEntry(flag) {
    status.textContent = "Đang mở mục " + flag.entry_id + "…";
    api("GET", "/admin/entries/" + encodeURIComponent(flag.entry_id)).then(function (r) {
      document.dispatchEvent(new CustomEvent("admin:edit-entry", { detail: { entry: r.entry, questions: [flag.question] } }));
      status.textContent = "Đã mở mục " + flag.entry_id + " trong khung soạn. Sau khi lưu bản nháp, đánh dấu báo sai là đã sửa.";
    }).catch(function (err) { status.textContent = err.message; });
  }

  function resolve(flag, resolution) {
    api("POST", "/api/helpdesk/flags/" + flag.id + "/resolve", { resolution: resolution }).then(function () {
      status.textContent = "Đã đánh dấu báo sai số " + flag.id + ": " + RESOLUTION[resolution] + ".";
      document.dispatchEvent(new CustomEvent("admin:drafts-changed"));
      load();
    }).catch(function (err) { status.textContent = err.message; });
  }

  function render(flag) {
    var item = el("li", undefined, "hit flag-item");
    item.appendChild(el("h3", (flag.entry_title || "(mục không còn trong chỉ mục)") + " — " + flag.entry_id));
    item.appendChild(el("p", "Câu hỏi đã tra: " + flag.question));
    if (flag.reason) { item.appendChild(el("p", "Lý do: " + flag.reason)); }
    item.appendChild(el("p", "Báo bởi " + flag.reporter + " (" + flag.reporter_role + ") lúc " + when(flag.created_at) +
      ", từ " + (ORIGIN[flag.origin] || flag.origin) + " · số " + flag.id, "meta"));
    if (flag.status !== "open") {
      item.appendChild(el("p", "Đã xử lý bởi " + flag.resolved_by + " lúc " + when(flag.resolved_at) + ": " +
        (RESOLUTION[flag.resolution] || flag.resolution), "in-force"));
    } else if (RANK[role] >= RANK.editor) {
      var actions = el("div", undefined, "actions");
      if (flag.entry_kind === "faq") {
        actions.appendChild(button("Mở mục để sửa", "Mở mục để sửa: " + flag.entry_id + " (báo sai số " + flag.id + ")",
          function () { openEntry(flag); }));
      } else {
        item.appendChild(el("p", "Đoạn bài viết: sửa trong tệp bài viết của kho kiến thức.", "meta"));
      }
      actions.appendChild(button("Đã sửa xong", "Đã sửa xong: báo sai số " + flag.id,
        function () { resolve(flag, "corrected"); }));
      actions.appendChild(button("Không cần sửa", "Không cần sửa: báo sai số " + flag.id,
        function () { resolve(flag, "no_change"); }));
      item.appendChild(actions);
    }
    return item;
  }

  function load() {
    api("GET", "/api/helpdesk/flags?status=" + encodeURIComponent(filter.value)).then(function (data) {
      section.hidden = false;
      list.textContent = "";
      if (!data.items.length) {
        list.appendChild(el("li", filter.value === "open" ? "Không có báo sai nào chờ xử lý." : "Không có báo sai nào.",
          "meta"));
      }
      data.items.forEach(function (flag) { list.appendChild(render(flag)); });
      if (filter.value === "open") {
        title.textContent = "Báo sai từ tổ công nghệ số" + (data.count ? " (" + data.count + " chờ xử lý)" : "");
      }
    }).catch(function (err) {
      section.hidden = false;
      status.textContent = err.message;
    });
  }

  document.addEventListener("admin:signed-in", function (e) {
    role = e.detail.role;
    load();
  });
  filter.addEventListener("change", load);
}());
