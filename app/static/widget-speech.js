/* Widget module 7 of 9: speech, only with what the device offers. Read-aloud uses speechSynthesis with a
 * voice of the answer's language; without one the button is hidden and a note says why. Voice input uses the
 * browser's SpeechRecognition (vi-VN) and only fills the input box: the resident reads it and presses Send.
 * The widget never records or sends audio itself. */

var synth = window.speechSynthesis || null;
var voices = { vi: null, en: null };
var reading = null; // the read-aloud button of the answer being read
var Recognition = window.SpeechRecognition || window.webkitSpeechRecognition || null;
var listening = null;

function findVoices() {
  var list = [];
  try {
    list = synth ? synth.getVoices() || [] : [];
  } catch (e) { /* no voices */ }
  ["vi", "en"].forEach(function (code) {
    var matching = list.filter(function (v) {
      return String(v.lang || "").toLowerCase().replace("_", "-").split("-")[0] === code;
    });
    voices[code] = matching.filter(function (v) { return v.localService; })[0] || matching[0] || null;
  });
  log.querySelectorAll(".act.read").forEach(function (b) { b.hidden = !voices[b.getAttribute("data-lang")]; });
  noVoiceNote.hidden = !!voices[lang];
}

function watchVoices() {
  findVoices();
  if (synth && synth.addEventListener) synth.addEventListener("voiceschanged", findVoices);
}

function readAloudButton(msg, messageLang) {
  if (!synth) return null;
  var b = button("act read", T.read, T.readLabel);
  b.setAttribute("data-lang", messageLang);
  b.hidden = !voices[messageLang];
  b.addEventListener("click", function () { toggleReading(msg, b, messageLang); });
  return b;
}

function toggleReading(msg, b, messageLang) {
  var again = reading === b;
  stopReading();
  if (again) return;
  var text = plainAnswer(msg.reply.answer).replace(/\s*\[\d+\]/g, "").replace(/([.!?;:])\s+/g, "$1\n");
  var parts = text.split(/\n+/).filter(function (p) { return p.trim(); });
  if (!parts.length) return;
  reading = b;
  setReadingState(b, true);
  // one utterance per sentence: some engines stop reading a long utterance after about 15 seconds
  parts.forEach(function (part, i) {
    var u = new SpeechSynthesisUtterance(part);
    u.lang = messageLang === "en" ? "en-US" : "vi-VN";
    try {
      u.voice = voices[messageLang];
    } catch (e) { /* the engine picks a voice for u.lang */ }
    if (i === parts.length - 1) u.onend = function () { if (reading === b) stopReading(); };
    u.onerror = function () { if (reading === b) stopReading(); };
    synth.speak(u);
  });
}

function setReadingState(b, on) {
  b.classList.toggle("on", on);
  b.setAttribute("aria-label", on ? T.stopReading : T.readLabel);
  b.textContent = on ? T.stopReading : T.read;
}

function stopReading() {
  if (!synth || !reading) return;
  var b = reading;
  reading = null;
  synth.cancel();
  setReadingState(b, false);
}

function micButton() {
  if (!Recognition) return null;
  var b = button("mic", null, T.mic);
  b.appendChild(icon(ICONS.mic));
  b.addEventListener("click", function () { toggleListening(b); });
  return b;
}

function toggleListening(b) {
  if (listening) {
    listening.stop();
    return;
  }
  var rec;
  try {
    rec = new Recognition();
  } catch (e) {
    announce(T.micFailed);
    return;
  }
  var before = input.value.trim();
  rec.lang = lang === "en" ? "en-US" : "vi-VN";
  rec.interimResults = true;
  rec.continuous = false;
  rec.maxAlternatives = 1;
  rec.onresult = function (e) {
    var heard = "";
    for (var i = 0; i < e.results.length; i++) heard += e.results[i][0].transcript;
    input.value = (before ? before + " " : "") + heard.trim();
  };
  rec.onerror = function (e) {
    var denied = e && (e.error === "not-allowed" || e.error === "service-not-allowed");
    if (e && e.error !== "aborted") announce(denied ? T.micDenied : T.micFailed);
  };
  rec.onend = function () {
    listening = null;
    b.classList.remove("on");
    b.setAttribute("aria-label", T.mic);
    input.focus({ preventScroll: true });
  };
  listening = rec;
  b.classList.add("on");
  b.setAttribute("aria-label", T.micStop);
  announce(T.listening);
  try {
    rec.start();
  } catch (e) {
    rec.onend();
    announce(T.micFailed);
  }
}

function stopListening() {
  if (listening) listening.abort();
}
