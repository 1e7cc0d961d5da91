/* Widget module 8 of 9: asking the service, never stuck and never blaming the resident for the server.
 * A question gives up after data-timeout seconds (20 by default) with "Thử lại"; it can be cancelled.
 * When fetch fails without an HTTP status, the widget finds out why before saying anything:
 *   - the host page blocked the call (its CSP, or an https page calling an http API): the site's setting;
 *   - navigator.onLine is false: the device is offline;
 *   - a CORS GET to the API answers: the connection dropped mid-way, try again;
 *   - it fails but the same GET in no-cors mode (which reaches the server without asking CORS) answers:
 *     the server is up and refuses this site, i.e. the site is missing from ALLOWED_ORIGINS;
 *   - both fail: the server cannot be reached. */

var busy = null; // the question in flight: {controller, timer}
var blockedByPage = false;
var PROBE_SECONDS = 5;

document.addEventListener("securitypolicyviolation", function (e) {
  if (String(e.blockedURI || "").indexOf(api) === 0) blockedByPage = true;
});

function ask(question) {
  var text = (question || "").trim();
  if (!text || busy) return;
  log.querySelectorAll(".msg.error").forEach(function (n) { n.remove(); });
  var starters = log.querySelector(".greeting .starters");
  if (starters) starters.remove();
  var userBox = renderUser(text);
  input.value = "";
  var typing = renderTyping();
  scrollLogTo(userBox);
  announce(T.thinking);
  send.disabled = true;

  var job = { controller: new AbortController() };
  busy = job;
  job.timer = setTimeout(function () {
    fail(text, userBox, T.errTimeout.replace("{s}", String(timeoutSeconds)), null, settle(job, typing));
  }, timeoutSeconds * 1000);
  typing.querySelector(".cancel").addEventListener("click", function () {
    settle(job, typing);
    userBox.remove();
    input.value = text;
    input.focus({ preventScroll: true });
    announce(T.cancelled + " " + T.stillThere);
  });

  fetch(api + "/api/chat", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ question: text, session_id: state.sessionId, area: data.area }),
    credentials: "omit",
    signal: job.controller.signal
  }).then(function (res) {
    return res.json().catch(function () { return null; }).then(function (body) { return { res: res, body: body }; });
  }).then(function (r) {
    if (busy !== job) return; // timed out or cancelled meanwhile
    var refocus = settle(job, typing);
    if (!r.res.ok || !r.body || typeof r.body.answer !== "string") {
      fail(text, userBox, errorMessage(r.res, r.body), null, refocus);
      return;
    }
    answered(text, userBox, r.body);
    if (refocus) input.focus({ preventScroll: true });
  }).catch(function () {
    if (busy !== job) return;
    var refocus = settle(job, typing);
    whyUnreachable().then(function (why) { fail(text, userBox, why.message, why.link, refocus); });
  });
}

/* The question is over (answered, failed, timed out or cancelled): stop waiting for it. Returns whether focus
 * was on "Hủy", which goes away with the waiting message, so the caller puts it somewhere useful. */
function settle(job, typing) {
  var hadFocus = typing.contains(shadow.activeElement);
  clearTimeout(job.timer);
  if (busy === job) busy = null;
  job.controller.abort();
  typing.remove();
  send.disabled = false;
  return hadFocus;
}

function answered(text, userBox, reply) {
  state.sessionId = typeof reply.session_id === "string" ? reply.session_id : state.sessionId;
  state.messages.push({ role: "user", text: text });
  var msg = { role: "bot", question: text, reply: pickReply(reply), feedback: null };
  state.messages.push(msg);
  saveHistory();
  renderAnswer(msg);
  scrollLogTo(userBox);
  announce(T.bot + ": " + plainAnswer(reply.answer).replace(/\s*\[\d+\]/g, ""));
}

function pickReply(r) {
  return {
    answer: r.answer, status: r.status, answer_type: r.answer_type, citations: r.citations,
    suggestions: r.suggestions, message_id: r.message_id
  };
}

function errorMessage(res, body) {
  if (res.status === 429) {
    var wait = parseInt(res.headers.get("Retry-After") || "", 10);
    return T.errBusy.replace("{s}", isFinite(wait) && wait > 0 ? String(wait) : "30");
  }
  if (res.status === 503) return T.errUnavailable;
  if (res.status === 422 && body && body.detail) return localDetail(body.detail) || T.errOther;
  if (res.status >= 500) return T.errServer;
  return T.errOther;
}

function probe(mode) {
  var controller = new AbortController();
  var timer = setTimeout(function () { controller.abort(); }, PROBE_SECONDS * 1000);
  // GET on the chat route answers 405 at once: a reply of any status proves the server is reachable
  return fetch(api + "/api/chat", {
    method: "GET", mode: mode, cache: "no-store", credentials: "omit",
    signal: controller.signal
  }).then(function () {
    clearTimeout(timer);
    return true;
  }, function () {
    clearTimeout(timer);
    return false;
  });
}

function whyUnreachable() {
  if (blockedByPage || (location.protocol === "https:" && api.indexOf("http:") === 0)) {
    return Promise.resolve(siteSetting("this page's Content-Security-Policy (connect-src) or mixed content blocks " +
      api));
  }
  if (navigator.onLine === false) return Promise.resolve({ message: T.errOffline });
  return probe("cors").then(function (reachable) {
    if (reachable) return { message: T.errNetwork };
    return probe("no-cors").then(function (up) {
      if (!up) return { message: T.errUnreachable };
      return siteSetting(api + " refuses calls from " + location.origin + ": add this origin to ALLOWED_ORIGINS");
    });
  });
}

/* The site's own setting stops the widget: the resident is told so (and where to ask instead), the site's
 * administrator finds the cause in the console. */
function siteSetting(cause) {
  if (window.console) console.warn("[dvc-widget] " + cause);
  return { message: T.errRefused, link: api + "/" };
}

function fail(question, userBox, message, askThere, refocus) {
  userBox.remove();
  input.value = question;
  var box = el("div", "msg bot error");
  message += " " + T.stillThere;
  box.appendChild(el("p", "msg-text", message));
  var retry = button("retry", T.retry);
  retry.addEventListener("click", function () {
    var typed = input.value.trim();
    box.remove();
    ask(typed || question);
  });
  box.appendChild(retry);
  if (askThere) box.appendChild(link(askThere, T.askThere, true));
  log.appendChild(box);
  if (refocus) retry.focus({ preventScroll: true });
  scrollLogTo(box);
  announce(message);
}
