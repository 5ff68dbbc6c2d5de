/* Analytics tab: the chart legend shows and hides a variant's series, and focus
   stays on the control that changed the panel.
   Delegated from the document, so panels swapped in by htmx work as they arrive.
   The hidden series are kept in the form (and so in the URL) for bookmarks. */
(function () {
  "use strict";

  // The panel's controls carry no ids (htmx would copy attributes between old and
  // new elements with the same id), so focus is restored by name and value.
  var refocus = null;

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    refocus = null;
    if (target && target.id === "analytics-panel" && active && active.name && target.contains(active)) {
      refocus = { name: active.name, value: active.type === "radio" ? active.value : null };
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!refocus) return;
    var panel = document.getElementById("analytics-panel");
    var selector = '[name="' + CSS.escape(refocus.name) + '"]' +
      (refocus.value === null ? "" : '[value="' + CSS.escape(refocus.value) + '"]');
    var control = panel && panel.querySelector(selector);
    refocus = null;
    if (control) control.focus();
  });

  function hiddenKeys(panel) {
    var keys = [];
    panel.querySelectorAll("[data-series-toggle][aria-pressed=false]").forEach(function (button) {
      keys.push(button.getAttribute("data-series-toggle"));
    });
    return keys;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-series-toggle]");
    if (!button) return;
    var panel = button.closest("#analytics-panel") || document;
    var key = button.getAttribute("data-series-toggle");
    var shown = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", shown ? "true" : "false");
    panel.querySelectorAll('[data-series="' + CSS.escape(key) + '"]').forEach(function (series) {
      series.classList.toggle("is-hidden", !shown);
    });
    var keys = hiddenKeys(panel);
    var input = panel.querySelector("[data-hidden-series]");
    if (input) input.value = keys.join(",");
    var url = new URL(window.location.href);
    if (keys.length) url.searchParams.set("hide", keys.join(","));
    else url.searchParams.delete("hide");
    window.history.replaceState(window.history.state, "", url.toString());
  });
})();
