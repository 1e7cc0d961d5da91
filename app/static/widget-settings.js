/* Widget module 3 of 9: the resident's text size. Every size in widget.css is in em of the widget's base,
 * which is the browser's default text size (so the phone's large-text setting applies) times this step. */

var TEXT_SIZES = [1, 1.2, 1.4, 1.6];
var SIZE_KEY = "dvc-widget:text-size";
var sizeIndex = loadTextSize();
var sizeButtons = [];

function loadTextSize() {
  try {
    var i = parseInt(localStorage.getItem(SIZE_KEY) || "0", 10);
    return i >= 0 && i < TEXT_SIZES.length ? i : 0;
  } catch (e) {
    return 0;
  }
}

/* A− and A+; at either end the button stays focusable but says it is unavailable. */
function textSizeControls() {
  var group = el("div", "sizes");
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", T.sizeNow.replace(" {p}%", ""));
  sizeButtons = [[-1, "A−", T.smaller], [1, "A+", T.larger]].map(function (spec) {
    // the name holds what the button shows, for voice control ("bấm A+")
    var b = button("icon-btn size", spec[1], spec[2] + " " + spec[1]);
    b.addEventListener("click", function () { changeTextSize(spec[0]); });
    group.appendChild(b);
    return b;
  });
  return group;
}

function applyTextSize(rootNode) {
  rootNode.style.setProperty("--scale", String(TEXT_SIZES[sizeIndex]));
  sizeButtons.forEach(function (b, i) {
    var atEnd = i === 0 ? sizeIndex === 0 : sizeIndex === TEXT_SIZES.length - 1;
    b.setAttribute("aria-disabled", String(atEnd));
  });
}

function changeTextSize(step) {
  var next = sizeIndex + step;
  if (next < 0 || next >= TEXT_SIZES.length) return;
  sizeIndex = next;
  try {
    localStorage.setItem(SIZE_KEY, String(sizeIndex));
  } catch (e) { /* storage blocked: the size holds for this page */ }
  applyTextSize(root);
  announce(T.sizeNow.replace("{p}", String(Math.round(TEXT_SIZES[sizeIndex] * 100))));
}
