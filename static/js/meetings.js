// The meeting form: held or planned, and the attendance table (everyone pre-set 出席; one click per
// change; the counts and the quorum follow as you click). The table itself is re-drawn by htmx.
(function () {
  "use strict";
  function form() { return document.getElementById("meeting-form"); }

  function showStatus() {
    var f = form();
    if (!f) return;
    var checked = f.querySelector('input[name="status"]:checked');
    var planned = checked && checked.value === "planned";
    f.querySelectorAll(".js-held, .js-attendance").forEach(function (el) { el.hidden = planned; });
    f.querySelectorAll(".js-planned, .js-planned-note").forEach(function (el) { el.hidden = !planned; });
  }

  function recount() {
    var f = form();
    if (!f) return;
    var counts = { present: 0, leave: 0, absent: 0, "voting-present": 0 };
    f.querySelectorAll('input[name^="att-"]:checked').forEach(function (radio) {
      counts[radio.value] = (counts[radio.value] || 0) + 1;
      var row = radio.closest("tr");
      if (radio.value === "present" && row && row.dataset.voting === "1") counts["voting-present"] += 1;
    });
    Object.keys(counts).forEach(function (key) {
      var el = f.querySelector('[data-count="' + key + '"]');
      if (el) el.textContent = counts[key];
    });
  }

  function showReason(radio) {
    var row = radio.closest("tr");
    var input = row && row.querySelector(".js-reason");
    if (!input) return;
    input.hidden = radio.value !== "leave";
    if (radio.value === "leave" && !input.value) input.focus();
  }

  document.addEventListener("change", function (ev) {
    var t = ev.target;
    if (!form() || !form().contains(t)) return;
    if (t.name === "status") showStatus();
    if (t.name && t.name.indexOf("att-") === 0) { showReason(t); recount(); }
  });

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest(".js-all-present");
    if (!btn) return;
    form().querySelectorAll('input[name^="att-"][value="present"]').forEach(function (radio) {
      radio.checked = true;
      showReason(radio);
    });
    recount();
  });

  document.addEventListener("htmx:afterSwap", function () { showStatus(); recount(); });
  showStatus();
})();
