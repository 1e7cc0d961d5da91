/* Help-desk search over the knowledge base (POST /api/search), for community digital-technology teams.
 * Everything from the service is written with textContent; links open only for http(s) URLs.
 * The resident's words never go in a URL the server or a proxy sees: the search is a POST body, and the
 * page remembers it in the fragment (#q=...), which browsers never send.
 * Hits the service marks relevant come first; the others (all of them for an off-topic search) wait in a
 * collapsed "nearest but maybe unrelated" section, and the page says there is no relevant result. */
(function () {
  "use strict";

  var form = document.getElementById("search-form");
  var q = document.getElementById("q");
  var k = document.getElementById("k");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var nearby = document.getElementById("nearby");
  var nearbyTitle = document.getElementById("nearby-title");
  var nearbyResults = document.getElementById("nearby-results");
  var kb = document.getElementById("kb");
  var pending = null;
  // the search the shown hits answer, as the service returned it (redacted)
  var shownQuery = "";
  // a chat message residents read on a phone: the answer is cut near this length, at a sentence if it can
  var SHORT_ANSWER_CHARS = 500;

  var el = Staff.el;

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

  /* The answer cut to SHORT_ANSWER_CHARS at most: at the end of a sentence or line when one ends past
   * half of it, otherwise at a word, with an ellipsis. */
  function shortAnswer(text) {
    var t = String(text || "").replace(/[ \t]+/g, " ").replace(/ ?\n ?/g, "\n").replace(/\n{3,}/g, "\n\n").trim();
    if (t.length <= SHORT_ANSWER_CHARS) return t;
    var cut = t.slice(0, SHORT_ANSWER_CHARS - 2);
    var end = Math.max(cut.lastIndexOf(". "), cut.lastIndexOf(".\n"), cut.lastIndexOf("\n"));
    if (end >= SHORT_ANSWER_CHARS / 2) return cut.slice(0, end + 1).trim() + " …";
    var space = cut.lastIndexOf(" ");
    return (space > 0 ? cut.slice(0, space) : cut) + "…";
  }

  /* The short form for Zalo and other chat apps: question or title, a short answer, then each source's
   * title and link. */
  function shortText(hit) {
    var lines = [String(hit.title), "", shortAnswer(hit.kind === "faq" && hit.answer ? hit.answer : hit.text)];
    if (hit.sources && hit.sources.length) {
      lines.push("", "Nguồn:");
      hit.sources.forEach(function (s) {
        var url = safeHttpUrl(s.url);
        lines.push("- " + s.title + (url ? ": " + url : ""));
      });
    }
    return lines.join("\n");
  }

  function score(value) {
    return typeof value === "number" && isFinite(value) ? value.toFixed(3) : "—";
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
      var focused = document.activeElement;
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      // the keyboard user stays on the button they pressed
      if (focused && focused.focus) focused.focus();
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

    var copied = el("span", "copied");
    copied.setAttribute("role", "status");
    function copyButton(label, name, text) {
      var button = el("button", "copy", label);
      button.type = "button";
      button.setAttribute("aria-label", name);
      button.addEventListener("click", function () {
        copyText(text()).then(function () {
          copied.textContent = "Đã sao chép";
        }, function () {
          copied.textContent = "Không sao chép được, hãy chọn và sao chép thủ công";
        });
      });
      return button;
    }
    var actions = el("div", "actions");
    actions.appendChild(copyButton("Sao chép", "Sao chép kết quả " + hit.rank + " kèm nguồn",
      function () { return plainText(hit); }));
    actions.appendChild(copyButton("Sao chép cho Zalo",
      "Sao chép cho Zalo kết quả " + hit.rank + " (bản ngắn kèm nguồn)", function () { return shortText(hit); }));
    actions.appendChild(copied);
    head.appendChild(actions);
    li.appendChild(head);

    li.appendChild(el("p", "hit-text", hit.kind === "faq" && hit.answer ? hit.answer : hit.text));
    if (hit.sources && hit.sources.length) {
      li.appendChild(el("p", "sources-title", "Nguồn"));
      var list = el("ol", "sources");
      hit.sources.forEach(function (s) { list.appendChild(renderSource(s)); });
      li.appendChild(list);
    }

    // how the hit was found, for whoever tunes the search: closed by default
    var details = el("details", "scores");
    var summary = el("summary", null, "Chi tiết điểm");
    summary.appendChild(el("span", "sr-only", " của kết quả " + hit.rank));
    details.appendChild(summary);
    details.appendChild(el("p", null, "Điểm " + score(hit.score) + " · ngữ nghĩa " + score(hit.dense) +
      " · từ khoá " + score(hit.lexical)));
    // the phrasing that matched, when it is neither the question shown nor the answer
    if (hit.kind === "faq" && hit.text && hit.text !== hit.answer && hit.text !== hit.title) {
      details.appendChild(el("p", "phrasing", "Khớp với cách hỏi: " + hit.text));
    }
    li.appendChild(details);
    li.setAttribute("aria-labelledby", headId);
    // other modules (helpdesk-desk.js: record a hit used, flag a wrong answer) add their controls here
    document.dispatchEvent(new CustomEvent("helpdesk:hit", {
      detail: { hit: hit, query: shownQuery, item: li, actions: actions }
    }));
    return li;
  }

  /* Relevant hits in the list, the others in the collapsed section; the status says which case it is.
   * A hit without the `relevant` field (an older service) counts as relevant. */
  function showHits(body) {
    var relevant = body.hits.filter(function (hit) { return hit.relevant !== false; });
    var others = body.hits.filter(function (hit) { return hit.relevant === false; });
    shownQuery = body.query;
    results.textContent = "";
    nearbyResults.textContent = "";
    relevant.forEach(function (hit) { results.appendChild(renderHit(hit)); });
    others.forEach(function (hit) { nearbyResults.appendChild(renderHit(hit)); });
    nearby.hidden = !others.length;
    nearby.open = false;
    nearbyTitle.textContent = "Kết quả gần nhất nhưng có thể không liên quan (" + others.length + ")";
    var query = "“" + body.query + "”";
    if (!relevant.length) {
      setStatus("Không tìm thấy kết quả phù hợp cho " + query + ". Hãy thử cách diễn đạt khác hoặc từ khoá ngắn hơn.");
    } else {
      setStatus("Tìm thấy " + relevant.length + " kết quả phù hợp cho " + query + "." + (others.length
        ? " " + others.length + " kết quả khác có thể không liên quan được thu gọn bên dưới." : ""));
    }
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
    fetch("/api/search", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ query: query, k: parseInt(count, 10) || 5 }),
      signal: pending.signal
    }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (body) {
        if (!res.ok || !body || !Array.isArray(body.hits)) throw new Error(errorText(res, body));
        return body;
      });
    }).then(function (body) {
      showHits(body);
      kb.textContent = "Phiên bản cơ sở tri thức: " + body.kb_version;
      history.replaceState(null, "", location.pathname + "#q=" + encodeURIComponent(query) + "&k="
        + encodeURIComponent(count));
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

  // links written before searches moved to the fragment still open (and are rewritten to it)
  var params = new URLSearchParams(location.hash.slice(1) || location.search);
  if (params.get("k") && k.querySelector("option[value='" + params.get("k").replace(/[^0-9]/g, "") + "']")) {
    k.value = params.get("k");
  }
  if (params.get("q")) {
    q.value = params.get("q");
    search(q.value, k.value);
  }
})();
