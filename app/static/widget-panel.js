/* Widget module 9 of 9: the bubble, the panel and its keyboard rules. On a small screen the panel covers the
 * page, so it is a modal dialog there (aria-modal, focus kept inside); focus goes back to the bubble on close. */

var host = el("div");
host.setAttribute("data-dvc-widget", "");
host.setAttribute("role", "complementary");
host.setAttribute("aria-label", T.region);
var shadow = host.attachShadow({ mode: "open" });
// the stylesheet comes inside the script (CSS, added by the bundle): no second request before the bubble shows
if ("adoptedStyleSheets" in shadow && typeof CSSStyleSheet.prototype.replaceSync === "function") {
  var sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  shadow.adoptedStyleSheets = [sheet];
} else {
  shadow.appendChild(el("style", null, CSS));
}

var root = el("div", "dvc" + (data.position === "bottom-left" ? " left" : ""));
root.lang = lang;
var colours = hexColour(data.color);
if (colours) {
  root.style.setProperty("--accent", colours.accent);
  root.style.setProperty("--on-accent", colours.onAccent);
  root.style.setProperty("--accent-text", colours.accentText);
}
shadow.appendChild(root);

var bubble = iconButton("bubble", ICONS.chat, T.open, T.openLabel);
bubble.setAttribute("aria-expanded", "false");
bubble.setAttribute("aria-controls", "dvc-panel");
root.appendChild(bubble);

var panel = el("div", "panel");
panel.id = "dvc-panel";
panel.setAttribute("role", "dialog");
panel.setAttribute("aria-labelledby", "dvc-title");
panel.hidden = true;
root.appendChild(panel);

var head = el("div", "head");
var heading = el("h2", null, title);
heading.id = "dvc-title";
head.appendChild(heading);
head.appendChild(textSizeControls());
var closeBtn = button("icon-btn close", "×", T.close);
head.appendChild(closeBtn);
panel.appendChild(head);

var printedAt = el("p", "print-only");
panel.appendChild(printedAt);

var log = el("div", "log");
log.setAttribute("role", "region");
log.setAttribute("aria-label", T.conversation);
log.tabIndex = -1;
panel.appendChild(log);

var bar = el("div", "bar");
var keptNote = el("p", "kept", T.kept);
var printBtn = button("text-btn", T.print, T.printLabel);
var clearBtn = button("text-btn", T.clear);
bar.appendChild(keptNote);
bar.appendChild(printBtn);
bar.appendChild(clearBtn);
var confirmBox = el("div", "confirm");
confirmBox.setAttribute("role", "group");
confirmBox.setAttribute("aria-labelledby", "dvc-confirm");
confirmBox.hidden = true;
var confirmText = el("p", "confirm-q", T.clearConfirm);
confirmText.id = "dvc-confirm";
var clearYes = button("text-btn danger", T.clearYes);
var clearNo = button("text-btn", T.clearNo);
confirmBox.appendChild(confirmText);
confirmBox.appendChild(clearYes);
confirmBox.appendChild(clearNo);
bar.appendChild(confirmBox);
panel.appendChild(bar);

var form = el("form", "form");
form.noValidate = true;
var label = el("label", "sr-only", T.inputLabel);
label.htmlFor = "dvc-input";
var input = el("textarea", "input");
input.id = "dvc-input";
input.rows = 1;
input.maxLength = 1000;
input.placeholder = T.placeholder;
input.setAttribute("enterkeyhint", "send");
input.autocomplete = "off";
var send = el("button", "send", T.send);
send.type = "submit";
send.setAttribute("aria-label", T.sendLabel);
var mic = micButton();
if (mic) form.appendChild(mic);
form.appendChild(label);
form.appendChild(input);
form.appendChild(send);
panel.appendChild(form);
var foot = el("div", "foot");
foot.appendChild(el("p", null, T.footer));
var noVoiceNote = el("p", "note", T.noVoice);
foot.appendChild(noVoiceNote);
panel.appendChild(foot);

// the widget's one live region, outside the panel so it exists whether the panel is open or not
live = el("div", "sr-only");
live.setAttribute("aria-live", "polite");
root.appendChild(live);
var newTabNote = el("span", null, T.opensNewTab);
newTabNote.id = "dvc-newtab";
newTabNote.hidden = true;
root.appendChild(newTabNote);

/* ---------- messages ---------- */

function renderGreeting() {
  var box = el("div", "msg bot greeting");
  box.appendChild(el("p", "msg-text", greeting));
  if (!state.messages.length) {
    var starters = el("div", "starters");
    starters.appendChild(el("p", "sugg-title", T.startersTitle));
    starters.appendChild(chipList(T.starters));
    box.appendChild(starters);
  }
  log.appendChild(box);
}

function chipList(questions) {
  var list = el("ul", "chips");
  questions.forEach(function (q) {
    if (typeof q !== "string" || !q) return;
    var item = el("li");
    var chip = button("chip", q);
    chip.lang = textLang(q);
    chip.addEventListener("click", function () { ask(q); });
    item.appendChild(chip);
    list.appendChild(item);
  });
  return list;
}

function renderUser(text) {
  var box = el("div", "msg user");
  box.lang = textLang(text);
  box.appendChild(el("span", "sr-only", T.you + ": "));
  box.appendChild(el("p", "msg-text", text));
  log.appendChild(box);
  return box;
}

function renderTyping() {
  var box = el("div", "msg bot typing");
  box.appendChild(el("span", null, T.thinking));
  box.appendChild(button("cancel", T.cancel, T.cancelLabel));
  log.appendChild(box);
  return box;
}

function renderAll() {
  stopReading();
  log.textContent = "";
  renderGreeting();
  state.messages.forEach(function (msg) {
    if (msg.role === "user") renderUser(msg.text);
    else renderAnswer(msg);
  });
}

// scroll the conversation only: scrollIntoView would also scroll the panel and the host page
function scrollLogTo(node) {
  log.scrollTop += node.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
}

/* ---------- opening, closing, the modal on small screens ---------- */

var smallScreen = window.matchMedia ? window.matchMedia("(max-width: 480px)") : { matches: false };

function isModal() { return !panel.hidden && smallScreen.matches; }

function updateModal() {
  if (isModal()) panel.setAttribute("aria-modal", "true");
  else panel.removeAttribute("aria-modal");
}

function openPanel(focus) {
  var kept = loadHistory();
  if (historyKept && !busy && kept.messages.length !== state.messages.length) {
    state = kept; // another tab asked meanwhile, or the history has expired
    renderAll();
  }
  panel.hidden = false;
  bubble.setAttribute("aria-expanded", "true");
  rememberOpen(true);
  updateModal();
  log.scrollTop = log.scrollHeight;
  if (focus) input.focus({ preventScroll: true });
}

function closePanel() {
  stopReading();
  stopListening();
  endConfirm(false);
  panel.hidden = true;
  bubble.setAttribute("aria-expanded", "false");
  rememberOpen(false);
  updateModal();
  bubble.focus();
}

function focusables() {
  return Array.prototype.filter.call(
    panel.querySelectorAll("button, a[href], textarea, [tabindex='0']"),
    function (n) { return !n.disabled && n.getClientRects().length > 0; });
}

function trapFocus(e) {
  var items = focusables();
  if (!items.length) return;
  var first = items[0];
  var last = items[items.length - 1];
  var current = shadow.activeElement;
  if (e.shiftKey && (current === first || !panel.contains(current))) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (current === last || !panel.contains(current))) {
    e.preventDefault();
    first.focus();
  }
}

/* ---------- clearing the history, with a confirm step inside the widget ---------- */

function startConfirm() {
  keptNote.hidden = printBtn.hidden = clearBtn.hidden = true;
  confirmBox.hidden = false;
  clearNo.focus();
}

function endConfirm(refocus) {
  if (confirmBox.hidden) return;
  confirmBox.hidden = true;
  keptNote.hidden = printBtn.hidden = clearBtn.hidden = false;
  if (refocus) clearBtn.focus();
}

clearBtn.addEventListener("click", startConfirm);
clearNo.addEventListener("click", function () { endConfirm(true); });
clearYes.addEventListener("click", function () {
  endConfirm(false);
  clearHistory();
  renderAll();
  input.focus({ preventScroll: true });
  announce(T.cleared);
});
printBtn.addEventListener("click", printConversation);

bubble.addEventListener("click", function () { openPanel(true); });
closeBtn.addEventListener("click", closePanel);
panel.addEventListener("keydown", function (e) {
  if (e.key === "Escape" && !e.isComposing) {
    e.preventDefault();
    if (!confirmBox.hidden) endConfirm(true);
    else closePanel();
  } else if (e.key === "Tab" && isModal()) {
    trapFocus(e);
  }
});
// a modal panel keeps focus: anything that moves it to the host page brings it back
document.addEventListener("focusin", function (e) {
  if (isModal() && e.target !== host) {
    var items = focusables();
    if (items.length) items[0].focus();
  }
});
if (smallScreen.addEventListener) smallScreen.addEventListener("change", updateModal);

// Telex / VNI input methods compose words with the keyboard; Enter while composing must not send.
var composing = false;
input.addEventListener("compositionstart", function () { composing = true; });
input.addEventListener("compositionend", function () { composing = false; });
input.addEventListener("keydown", function (e) {
  if (e.key !== "Enter" || e.shiftKey) return;
  if (e.isComposing || composing || e.keyCode === 229) return;
  e.preventDefault();
  ask(input.value);
});
form.addEventListener("submit", function (e) {
  e.preventDefault();
  ask(input.value);
});

followOtherTabs(function () {
  if (busy) return;
  state = loadHistory();
  renderAll();
});

applyTextSize(root);
watchVoices();
renderAll();
if (openInThisTab()) openPanel(false);

function mount() { document.body.appendChild(host); }
if (document.body) mount();
else document.addEventListener("DOMContentLoaded", mount);
