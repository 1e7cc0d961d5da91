// Editors' page: asks for the admin token, then lists grouped unanswered questions.
// Everything from the API is written with textContent, never as HTML.
(function () {
  "use strict";
  var form = document.getElementById("admin-form");
  var tokenInput = document.getElementById("token");
  var since = document.getElementById("since");
  var status = document.getElementById("status");
  var list = document.getElementById("groups");
  var saved = sessionStorage.getItem("admin-token");
  if (saved) { tokenInput.value = saved; }

  function headers() {
    return { "Authorization": "Bearer " + tokenInput.value };
  }

  function query() {
    return since.value ? "?since=" + encodeURIComponent(since.value) : "";
  }

  function render(data) {
    list.textContent = "";
    status.textContent = data.groups.length + " nhóm từ " + data.questions + " câu hỏi.";
    data.groups.forEach(function (group) {
      var item = document.createElement("li");
      item.className = "result";
      var title = document.createElement("h2");
      title.textContent = group.example + " (" + group.count + " lần)";
      item.appendChild(title);
      var meta = document.createElement("p");
      meta.textContent = "Lần gần nhất: " + group.last_asked +
        (group.partial ? " · " + group.partial + " lần trả lời một phần, mục gần nhất: " +
          (group.related_ids || []).join(", ") : "");
      item.appendChild(meta);
      var variants = document.createElement("ul");
      group.questions.forEach(function (q) {
        var li = document.createElement("li");
        li.textContent = q;
        variants.appendChild(li);
      });
      item.appendChild(variants);
      list.appendChild(item);
    });
  }

  function load() {
    status.textContent = "Đang tải…";
    fetch("/admin/unanswered/groups" + query(), { headers: headers() })
      .then(function (r) {
        if (r.status === 401) { throw new Error("Mã quản trị không đúng."); }
        if (!r.ok) { throw new Error("Không tải được (mã " + r.status + ")."); }
        return r.json();
      })
      .then(render)
      .catch(function (err) { status.textContent = err.message; });
  }

  function download(path, name) {
    fetch(path + (query() ? query() + "&" : "?") + "format=csv&limit=1000", { headers: headers() })
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
