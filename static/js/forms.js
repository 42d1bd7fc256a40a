// Forms: after a save or submit that went wrong, focus lands on the error summary so keyboard and
// screen reader users meet the problems first (NHS.UK error summary pattern); its links take focus
// to the field they name. Loaded on every page; does nothing where there is no error summary.
(function () {
  "use strict";

  function focusSummary() {
    var summary = document.querySelector(".nhsuk-error-summary");
    if (!summary || summary.contains(document.activeElement)) {
      return;
    }
    if (!summary.hasAttribute("tabindex")) {
      summary.setAttribute("tabindex", "-1");
    }
    summary.focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".nhsuk-error-summary a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) {
      return;
    }
    event.preventDefault();
    var group = field.closest("fieldset") || field.closest(".nhsuk-form-group") || field;
    group.scrollIntoView();
    field.focus({ preventScroll: true });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
