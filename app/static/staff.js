/* Shared by the staff pages (/admin and /helpdesk), loaded before their own scripts: building elements whose
 * text is set with textContent (never as HTML), and calling the API with the staff member's token. Each page
 * words its own errors: `message(res, data)` turns a failed response into the text it shows. */
(function () {
  "use strict";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /* The Vietnamese half of the service's "Vietnamese / English" message, or `fallback`. */
  function detail(data, fallback) {
    var text = data && typeof data.detail === "string" ? data.detail : "";
    return text ? text.split(" / ")[0] : fallback;
  }

  /* A JSON request with the token; resolves to the parsed body ({} when there is none), rejects with an
   * Error carrying the page's message and the HTTP status, or a connection message when nothing came back. */
  function request(method, path, body, token, message) {
    var headers = { "Authorization": "Bearer " + token };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (res) {
        return res.json().catch(function () { return null; }).then(function (data) {
          if (res.ok) return data || {};
          var error = new Error(message(res, data));
          error.status = res.status;
          throw error;
        });
      }, function () {
        throw new Error("Không kết nối được tới máy chủ. Kiểm tra mạng rồi thử lại nhé.");
      });
  }

  /* How the editors' pages word a failed response. */
  function adminMessage(res, data) {
    return res.status === 401 ? "Mã quản trị không đúng."
      : detail(data, "Không thực hiện được (mã " + res.status + ").");
  }

  window.Staff = { el: el, detail: detail, request: request, adminMessage: adminMessage };
})();
