// 党费 pages. The month's ledger: 全部已交 ticks every row with nothing recorded yet, and the count
// and sum of the ticked rows follow as you click. The year's table: the amount the dues table
// gives is shown as an income or a flat amount is typed (computed in fen, rounded half up, as
// the server does; the server's figure is the one saved). A changed picker shows the new choice.
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

  // --- the year's table ----------------------------------------------------------------------
  var sheet = document.getElementById("dues-year-form");
  var rulesEl = document.getElementById("dues-rules");
  if (sheet && rulesEl) {
    var rules = JSON.parse(rulesEl.textContent);
    var compute = function (category, incomeText, flatText) {
      var rule = rules[category];
      if (!rule) return "";
      if (rule.kind === "flat") {
        var flat = toFen(flatText || rule.min);
        if (flat === null) return "";
        if ((rule.min && flat < toFen(rule.min)) || (rule.max && flat > toFen(rule.max))) return "";
        return yuan(flat);
      }
      var income = toFen(incomeText);
      if (income === null || income <= 0) return "";
      for (var i = 0; i < rule.bands.length; i++) {
        var b = rule.bands[i];
        if (income > b.above && (b.upTo === null || income <= b.upTo)) {
          // fen × rate/10000, half up: integers all the way.
          return yuan(Math.floor((income * b.rate + 5000) / 10000));
        }
      }
      return "";
    };
    var update = function (row) {
      var out = row.querySelector(".js-preview");
      if (!out) return;
      var income = row.querySelector("input.js-income");
      var flat = row.querySelector("input.js-flat");
      var value = compute(row.dataset.category, income ? income.value : "", flat ? flat.value : "");
      out.textContent = value || "—";
    };
    sheet.addEventListener("input", function (ev) {
      var row = ev.target.closest("tr[data-category]");
      if (row && ev.target.matches("input.js-income, input.js-flat")) update(row);
    });
  }
})();
