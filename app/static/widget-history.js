/* Widget module 4 of 9: the conversation kept on this device. It lives in localStorage, so a new tab or a
 * reopened in-app browser (Zalo) finds it, for HISTORY_HOURS after the last message; then it is dropped.
 * Whether the panel is open is remembered per tab only (sessionStorage). */

var HISTORY_HOURS = 24;
var MAX_MESSAGES = 60;
var historyKey = "dvc-widget:" + api;
var openKey = historyKey + ":open";
var state = loadHistory();
var historyKept = true; // false once the device refuses to store: the conversation then lives in this page only

function emptyHistory() { return { sessionId: null, messages: [] }; }

function loadHistory() {
  try {
    var saved = JSON.parse(localStorage.getItem(historyKey) || "null");
    var age = saved ? Date.now() - saved.savedAt : Infinity;
    if (saved && Array.isArray(saved.messages) && age >= 0 && age < HISTORY_HOURS * 3600 * 1000) {
      return {
        sessionId: typeof saved.sessionId === "string" ? saved.sessionId : null,
        messages: saved.messages.filter(function (m) { return m && (m.role === "user" || m.reply); })
      };
    }
    if (saved) localStorage.removeItem(historyKey);
  } catch (e) { /* storage blocked or corrupt: start fresh */ }
  return emptyHistory();
}

function saveHistory() {
  state.messages = state.messages.slice(-MAX_MESSAGES);
  try {
    localStorage.setItem(historyKey, JSON.stringify({
      savedAt: Date.now(), sessionId: state.sessionId, messages: state.messages
    }));
  } catch (e) {
    historyKept = false; // storage full or blocked: the conversation still works in this page
  }
}

function clearHistory() {
  state = emptyHistory();
  try {
    localStorage.removeItem(historyKey);
  } catch (e) { /* nothing stored */ }
}

function openInThisTab() {
  try {
    return sessionStorage.getItem(openKey) === "1";
  } catch (e) {
    return false;
  }
}

function rememberOpen(open) {
  try {
    sessionStorage.setItem(openKey, open ? "1" : "0");
  } catch (e) { /* storage blocked */ }
}

/* Another tab asked or cleared: show the same conversation here. */
function followOtherTabs(onChange) {
  window.addEventListener("storage", function (e) {
    if (e.key === historyKey || e.key === null) onChange();
  });
}
