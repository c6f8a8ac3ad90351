// Keyboard shortcuts for reviewing tips. The forms work without this script.
// j/k: move the current tip; x: select it; c/d/s/u: mark the selected tips (or the current one)
// credible/doubtful/spam/duplicate.
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(form.querySelectorAll("tr.tip"));
  var all = document.getElementById("select-all");
  var current = -1;
  var keys = { c: "credible", d: "doubtful", s: "spam", u: "duplicate" };

  function box(row) { return row.querySelector("input[type=checkbox][name=tip_id]"); }
  function focusRow(i) {
    if (!rows.length) { return; }
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, j) { r.classList.toggle("current", j === current); });
    rows[current].scrollIntoView({ block: "nearest" });
  }
  if (all) {
    all.addEventListener("change", function () {
      rows.forEach(function (r) { var b = box(r); if (b) { b.checked = all.checked; } });
    });
  }
  rows.forEach(function (r, i) {
    r.addEventListener("click", function (ev) {
      if (ev.target.tagName !== "A" && ev.target.tagName !== "INPUT") { focusRow(i); }
    });
  });
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    if (t && (t.tagName === "INPUT" && t.type !== "checkbox" || t.tagName === "SELECT" ||
        t.tagName === "TEXTAREA")) { return; }
    var k = ev.key.toLowerCase();
    if (k === "j") { focusRow(current + 1); ev.preventDefault(); }
    else if (k === "k") { focusRow(current - 1); ev.preventDefault(); }
    else if (k === "x" && current >= 0) {
      var b = box(rows[current]); if (b) { b.checked = !b.checked; } ev.preventDefault();
    } else if (keys[k]) {
      var button = form.querySelector("button[name=status][value=" + keys[k] + "]");
      if (!button) { return; }
      var any = rows.some(function (r) { var b = box(r); return b && b.checked; });
      if (!any && current >= 0) { var cb = box(rows[current]); if (cb) { cb.checked = true; } }
      ev.preventDefault();
      button.click();
    }
  });
})();
