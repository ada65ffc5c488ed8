// 党费 pages. The month's ledger: 全部已交 ticks every row with nothing recorded yet, and the count
// and sum of the ticked rows follow as you click. A changed picker shows the new choice. (The
// year's table asks the server for the amount the dues table gives as an income is typed: htmx
// attributes on its inputs, members.dues.views.dues_year_preview; no dues arithmetic here.)
(function () {
  "use strict";

  document.querySelectorAll("form.pb-autosubmit").forEach(function (form) {
    form.addEventListener("change", function (ev) {
      if (ev.target.matches("select, input[type=month], input[type=number]") && ev.target.value) form.requestSubmit();
    });
  });

  // --- the month's ledger --------------------------------------------------------------------
  function toFen(text) {
    var s = String(text || "").trim().replace(/,/g, "");
    if (!/^\d+(\.\d{0,2})?$/.test(s)) return null;
    var parts = s.split(".");
    return parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }
  function yuan(fen) { return (fen / 100).toFixed(2); }

  function recountLedger(form) {
    var count = 0, fen = 0;
    form.querySelectorAll("input.js-paid").forEach(function (box) {
      var row = box.closest("tr");
      if (row) row.classList.toggle("pb-ticked", box.checked);
      if (!box.checked) return;
      count += 1;
      var amount = row && row.querySelector("input.js-amount");
      var value = amount ? toFen(amount.value) : null;
      if (value !== null) fen += value;
    });
    var c = form.querySelector("[data-ticked='count']");
    var s = form.querySelector("[data-ticked='sum']");
    if (c) c.textContent = count;
    if (s) s.textContent = yuan(fen);
  }

  var ledger = document.getElementById("dues-month-form");
  if (ledger) {
    ledger.addEventListener("change", function (ev) {
      if (ev.target.matches("input.js-paid, input.js-amount")) recountLedger(ledger);
    });
    ledger.addEventListener("input", function (ev) {
      var row = ev.target.closest("tr");
      // Typing in a row means it is being recorded.
      if (row && ev.target.matches("input.js-amount, input.js-date, input.js-by")) {
        var box = row.querySelector("input.js-paid");
        if (box && !box.disabled) box.checked = true;
      }
      recountLedger(ledger);
    });
    ledger.addEventListener("click", function (ev) {
      var btn = ev.target.closest(".js-all-paid");
      if (!btn) return;
      // Every row with nothing recorded yet; recorded rows are ticked one by one, to correct them.
      ledger.querySelectorAll("tr[data-state='unpaid'] input.js-paid:not(:disabled)").forEach(function (box) { box.checked = true; });
      recountLedger(ledger);
    });
    recountLedger(ledger);
  }
})();
