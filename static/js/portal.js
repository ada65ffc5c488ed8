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
})();
