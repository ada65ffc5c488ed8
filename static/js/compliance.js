// Compliance pages: a changed picker (党组织, 月份, 期间) shows the new choice at once.
(function () {
  "use strict";
  document.querySelectorAll("form.pb-autosubmit").forEach(function (form) {
    form.addEventListener("change", function (ev) {
      if (ev.target.matches("select, input[type=month]") && ev.target.value) form.requestSubmit();
    });
  });
})();
