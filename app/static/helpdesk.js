/* Help-desk search over the knowledge base (GET /api/search), for community digital-technology teams.
 * Everything from the service is written with textContent; links open only for http(s) URLs. */
(function () {
  "use strict";

  var form = document.getElementById("search-form");
  var q = document.getElementById("q");
  var k = document.getElementById("k");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var kb = document.getElementById("kb");
  var pending = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
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

  /* A legal document's status in words: in force, amended, or replaced (by what). */
  function legalStatus(s) {
    if (s.status === "in_force") return "đang có hiệu lực";
    if (s.status === "amended") return "đã được sửa đổi, bổ sung";
    if (s.status === "superseded") {
      var by = s.superseded_by_title || s.superseded_by;
      return by ? "đã được thay thế bởi " + by : "đã được thay thế";
    }
    if (s.status === "expired") return "hết hiệu lực";
    return "";
  }

  function setStatus(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", !!isError);
  }

  /* One source as a line of plain text, for pasting into a chat app. */
  function sourceLine(s) {
    var parts = ["[" + s.n + "] " + s.title];
    var date = parseDate(s.published);
    var meta = [];
    if (s.publisher) meta.push(s.publisher);
    if (date) meta.push(formatDate(date));
    if (legalStatus(s)) meta.push(legalStatus(s));
    if (meta.length) parts.push(meta.join(", "));
    var url = safeHttpUrl(s.url);
    if (url) parts.push(url);
    return parts.join(" — ");
  }

  function plainText(hit) {
    var body = hit.kind === "faq" && hit.answer ? hit.answer : hit.text;
    var lines = [hit.title, "", body];
    if (hit.sources && hit.sources.length) {
      lines.push("", "Nguồn:");
      hit.sources.forEach(function (s) { lines.push(sourceLine(s)); });
    }
    return lines.join("\n");
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
    }
    return legacyCopy(text);
  }

  // Plain-HTTP pages (a ward's intranet) have no Clipboard API: fall back to a hidden textarea.
  function legacyCopy(text) {
    return new Promise(function (resolve, reject) {
      var area = el("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.left = "-9999px";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      if (ok) resolve(); else reject(new Error("copy failed"));
    });
  }

  function renderSource(s) {
    var li = el("li");
    var url = safeHttpUrl(s.url);
    var title;
    if (url) {
      title = el("a", null, s.title);
      title.href = url;
      title.target = "_blank";
      title.rel = "noopener noreferrer";
      title.appendChild(el("span", "sr-only", " (mở trong thẻ mới)"));
    } else {
      title = el("span", null, s.title);
    }
    li.appendChild(title);
    var date = parseDate(s.published);
    if (s.publisher) li.appendChild(el("span", "meta", " — " + s.publisher));
    if (date) li.appendChild(el("span", "meta", ", " + formatDate(date)));
    var legal = legalStatus(s);
    if (legal) {
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", s.status === "superseded" || s.status === "expired" ? "old" : "in-force", legal));
    }
    return li;
  }

  function renderHit(hit) {
    var li = el("li", "hit");
    var headId = "hit-" + hit.rank;
    var head = el("div", "hit-head");
    var h = el("h2");
    h.id = headId;
    h.appendChild(el("span", "badge " + (hit.kind === "faq" ? "faq" : "article"),
      hit.kind === "faq" ? "Hỏi đáp" : "Đoạn bài viết"));
    h.appendChild(document.createTextNode(hit.rank + ". " + hit.title));
    head.appendChild(h);

    var copy = el("button", "copy", "Sao chép");
    copy.type = "button";
    copy.setAttribute("aria-label", "Sao chép kết quả " + hit.rank + " kèm nguồn");
    var copied = el("span", "copied");
    copied.setAttribute("role", "status");
    copy.addEventListener("click", function () {
      copyText(plainText(hit)).then(function () {
        copied.textContent = "Đã sao chép";
      }, function () {
        copied.textContent = "Không sao chép được, hãy chọn và sao chép thủ công";
      });
    });
    var actions = el("div");
    actions.appendChild(copy);
    actions.appendChild(copied);
    head.appendChild(actions);
    li.appendChild(head);

    li.appendChild(el("p", "scores", "Điểm " + hit.score.toFixed(3) + " · ngữ nghĩa " + hit.dense.toFixed(3) +
      " · từ khoá " + hit.lexical.toFixed(3)));
    if (hit.kind === "faq" && hit.answer) {
      if (hit.text && hit.text !== hit.answer) li.appendChild(el("p", "phrasing", "Khớp với: " + hit.text));
      li.appendChild(el("p", "hit-text", hit.answer));
    } else {
      li.appendChild(el("p", "hit-text", hit.text));
    }
    if (hit.sources && hit.sources.length) {
      li.appendChild(el("p", "sources-title", "Nguồn"));
      var list = el("ol", "sources");
      hit.sources.forEach(function (s) { list.appendChild(renderSource(s)); });
      li.appendChild(list);
    }
    li.setAttribute("aria-labelledby", headId);
    return li;
  }

  function errorText(res, body) {
    if (res.status === 429) return "Bạn tìm hơi nhanh, đợi một chút rồi thử lại nhé.";
    if (res.status === 503) return "Hệ thống đang bận hoặc đang bảo trì, thử lại sau ít phút nhé.";
    if (body && typeof body.detail === "string") return body.detail.split(" / ")[0];
    return "Đã có lỗi, thử lại sau nhé.";
  }

  function search(text, count) {
    var query = text.trim();
    if (!query) {
      setStatus("Hãy nhập câu hỏi hoặc từ khoá.", true);
      q.focus();
      return;
    }
    if (pending) pending.abort();
    pending = new AbortController();
    setStatus("Đang tìm…");
    var url = "/api/search?q=" + encodeURIComponent(query) + "&k=" + encodeURIComponent(count);
    fetch(url, { signal: pending.signal }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (body) {
        if (!res.ok || !body || !Array.isArray(body.hits)) throw new Error(errorText(res, body));
        return body;
      });
    }).then(function (body) {
      results.textContent = "";
      body.hits.forEach(function (hit) { results.appendChild(renderHit(hit)); });
      setStatus(body.hits.length ? "Tìm thấy " + body.hits.length + " kết quả cho “" + body.query + "”."
        : "Không tìm thấy kết quả cho “" + body.query + "”.");
      kb.textContent = "Phiên bản cơ sở tri thức: " + body.kb_version;
      history.replaceState(null, "", "?q=" + encodeURIComponent(query) + "&k=" + encodeURIComponent(count));
    }).catch(function (err) {
      if (err && err.name === "AbortError") return;
      var msg = err instanceof TypeError ? "Không kết nối được tới máy chủ. Kiểm tra mạng rồi thử lại nhé."
        : (err && err.message) || "Đã có lỗi, thử lại sau nhé.";
      setStatus(msg, true);
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    search(q.value, k.value);
  });

  var params = new URLSearchParams(location.search);
  if (params.get("k") && k.querySelector("option[value='" + params.get("k").replace(/[^0-9]/g, "") + "']")) {
    k.value = params.get("k");
  }
  if (params.get("q")) {
    q.value = params.get("q");
    search(q.value, k.value);
  }
})();
