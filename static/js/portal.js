// Small behaviours shared by every page. No framework beyond htmx and Bootstrap.
(function () {
  "use strict";
  // Tree expand/collapse: the toggle loads children once via htmx, then just shows/hides them.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest(".pb-tree-toggle");
    if (!btn) return;
    var target = document.getElementById(btn.getAttribute("aria-controls"));
    if (!target) return;
    var expanded = btn.getAttribute("aria-expanded") === "true";
    var item = btn.closest('[role="treeitem"]');
    if (item) item.setAttribute("aria-expanded", expanded ? "false" : "true");
    if (expanded) {
      btn.setAttribute("aria-expanded", "false");
      target.hidden = true;
      ev.preventDefault();
      ev.stopPropagation();
    } else {
      btn.setAttribute("aria-expanded", "true");
      target.hidden = false;
      if (target.dataset.loaded === "1") { ev.preventDefault(); ev.stopPropagation(); }
    }
  }, true);
  document.addEventListener("htmx:afterSwap", function (ev) {
    if (ev.detail.target && ev.detail.target.classList.contains("pb-tree-children")) {
      ev.detail.target.dataset.loaded = "1";
    }
  });
  // Confirm before destructive-looking submits.
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) ev.preventDefault();
  });
  // Filter chips: a group with data-pb-filter-for="<list id>" shows the list's items whose
  // data-category equals the chip's data-filter ("" shows all).
  document.addEventListener("click", function (ev) {
    var chip = ev.target.closest(".pb-filter-chip");
    if (!chip) return;
    var group = chip.closest("[data-pb-filter-for]");
    var list = group && document.getElementById(group.getAttribute("data-pb-filter-for"));
    if (!list) return;
    var value = chip.getAttribute("data-filter");
    group.querySelectorAll(".pb-filter-chip").forEach(function (c) {
      c.classList.toggle("active", c === chip);
      c.setAttribute("aria-pressed", c === chip ? "true" : "false");
    });
    list.querySelectorAll("[data-category]").forEach(function (item) {
      item.hidden = value !== "" && item.getAttribute("data-category") !== value;
    });
  });
})();
