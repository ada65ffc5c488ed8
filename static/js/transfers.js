// The new-transfer form: show the sections of the chosen kind; fill 党费交至 when a member is
// chosen; filter the destination 党支部 as the user types. Without JavaScript every section shows and the server uses the chosen kind's.
(function () {
  "use strict";
  var form = document.getElementById("transfer-form");
  if (!form) return;

  function showKind(kind) {
    form.dataset.kind = kind;
    form.querySelectorAll("[data-kinds]").forEach(function (el) {
      el.hidden = el.dataset.kinds.split(" ").indexOf(kind) === -1;
    });
  }
  form.addEventListener("change", function (ev) {
    if (ev.target.name === "kind") showKind(ev.target.value);
  });
  var checked = form.querySelector("input[name='kind']:checked");
  if (checked) showKind(checked.value);

  // 党费交至: filled from the chosen member's dues records, unless the user has typed another month.
  var member = document.getElementById("id_member");
  var dues = document.getElementById("id_dues_paid_to");
  if (member && dues && member.dataset.duesUrl) {
    var filled = dues.value;
    member.addEventListener("change", function () {
      if (!member.value) return;
      var url = member.dataset.duesUrl + "?member=" + encodeURIComponent(member.value);
      fetch(url, { credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.text() : null;
        })
        .then(function (month) {
          if (month === null || (dues.value !== "" && dues.value !== filled)) return;
          dues.value = month.trim();
          filled = dues.value;
        })
        .catch(function () {});
    });
  }

  var filter = document.getElementById("id_to_org_q");
  var select = document.getElementById("id_to_org");
  if (filter && select) {
    filter.addEventListener("input", function () {
      var words = filter.value.trim();
      select.querySelectorAll("optgroup").forEach(function (group) {
        var groupMatches = words !== "" && group.label.indexOf(words) !== -1;
        var shown = 0;
        group.querySelectorAll("option").forEach(function (option) {
          var match = words === "" || groupMatches || option.textContent.indexOf(words) !== -1 || option.selected;
          option.hidden = !match;
          if (match) shown += 1;
        });
        group.hidden = shown === 0;
      });
    });
  }
})();
