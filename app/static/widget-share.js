/* Widget module 6 of 9: passing an answer on and keeping it. "Sao chép" copies the answer with its sources
 * as plain text; "Chia sẻ" opens the phone's share sheet (Web Share API) and copies where there is none;
 * "In" prints the conversation alone (the print rules in widget.css, plus a sheet hiding the host page). */

function answerActions(msg, messageLang) {
  var row = el("div", "acts");
  var status = el("span", "acts-status");
  var copy = button("act", T.copy, T.copyLabel);
  copy.addEventListener("click", function () {
    copyText(shareText(msg), copy).then(function (ok) { tell(status, ok ? T.copied : T.copyFailed); });
  });
  var share = button("act", T.share, T.shareLabel);
  share.addEventListener("click", function () { shareAnswer(msg, share, status); });
  row.appendChild(copy);
  row.appendChild(share);
  var read = readAloudButton(msg, messageLang);
  if (read) row.appendChild(read);
  row.appendChild(status);
  return row;
}

/* Shown next to the buttons and said once through the live region. */
function tell(status, text) {
  status.textContent = text;
  announce(text);
}

function shareAnswer(msg, trigger, status) {
  var text = shareText(msg);
  if (typeof navigator.share !== "function") {
    copyText(text, trigger).then(function (ok) { tell(status, ok ? T.sharedByCopy : T.copyFailed); });
    return;
  }
  navigator.share({ title: title, text: text }).catch(function (e) {
    if (e && e.name === "AbortError") return; // the resident closed the share sheet
    copyText(text, trigger).then(function (ok) { tell(status, ok ? T.sharedByCopy : T.copyFailed); });
  });
}

/* The Clipboard API where the page may use it; else a selected textarea and execCommand("copy"). */
function copyText(text, trigger) {
  if (navigator.clipboard && window.isSecureContext) {
    return navigator.clipboard.writeText(text).then(function () { return true; }, function () {
      return copyBySelection(text, trigger);
    });
  }
  return Promise.resolve(copyBySelection(text, trigger));
}

function copyBySelection(text, trigger) {
  var area = el("textarea", "offscreen");
  area.value = text;
  area.setAttribute("readonly", "");
  area.setAttribute("aria-hidden", "true");
  area.tabIndex = -1;
  root.appendChild(area);
  area.select();
  var ok = false;
  try {
    ok = document.execCommand("copy");
  } catch (e) { /* not allowed here */ }
  area.remove();
  trigger.focus({ preventScroll: true });
  return ok;
}

/* Print the conversation only: the widget's print rules lay the log out on paper, and a sheet adopted into
 * the host document (constructable, so the host's CSP allows it) hides the rest of the page meanwhile. */
var hostPrintSheet = null;

function printConversation() {
  printedAt.textContent = T.printedAt + new Date().toLocaleDateString(lang === "en" ? "en-GB" : "vi-VN") + " — " +
    location.hostname;
  host.setAttribute("data-printing", "");
  if (!hostPrintSheet && "adoptedStyleSheets" in document) {
    hostPrintSheet = new CSSStyleSheet();
    hostPrintSheet.replaceSync("@media print { body > :not([data-dvc-widget]) { display: none !important; } }");
  }
  if (hostPrintSheet) document.adoptedStyleSheets = document.adoptedStyleSheets.concat([hostPrintSheet]);
  window.addEventListener("afterprint", endPrint);
  window.print();
}

function endPrint() {
  window.removeEventListener("afterprint", endPrint);
  host.removeAttribute("data-printing");
  if (hostPrintSheet) {
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter(function (s) { return s !== hostPrintSheet; });
  }
}
