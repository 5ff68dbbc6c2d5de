/* Audiences, attributes and events pages: focus after the rules builder is
   swapped, and dialogs loaded from an Actions menu. Delegated from the
   document, so swapped fragments need no set-up. */
(function () {
  "use strict";

  // After the builder is swapped, the server marks the control that should have
  // focus (the new rule's attribute, or "Add Rule" after a removal).
  document.addEventListener("htmx:afterSettle", function () {
    var target = document.querySelector("[data-focus-after-swap]");
    if (!target) return;
    target.removeAttribute("data-focus-after-swap");
    target.focus();
  });

  // Typing goes on while a builder change is on its way; the server's answer
  // carries the values as they were sent, so anything typed meanwhile is put back.
  var TYPED = '#rules-builder input[type="text"], #rules-builder input[type="datetime-local"], ' +
    '#rules-builder textarea, #test-panel input[type="text"], #test-panel input[type="datetime-local"]';
  var sentValues = null;
  var typedValues = null;

  function snapshot() {
    var values = {};
    document.querySelectorAll(TYPED).forEach(function (input) { values[input.name] = input.value; });
    return values;
  }

  function isBuilderRequest(event) {
    var elt = event.detail.elt;
    return Boolean(elt.closest && (elt.closest("#rules-builder") || elt.closest("#test-panel")));
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (sentValues && isBuilderRequest(event)) typedValues = snapshot();
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!typedValues || !sentValues) return;
    document.querySelectorAll(TYPED).forEach(function (input) {
      var typed = typedValues[input.name];
      if (typed !== undefined && typed !== sentValues[input.name]) input.value = typed;
    });
    typedValues = sentValues = null;
  });

  // The builder says it is busy while a change is on its way, so screen readers wait.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var builder = event.detail.elt.closest && event.detail.elt.closest("#rules-builder");
    if (builder) builder.setAttribute("aria-busy", "true");
    if (isBuilderRequest(event)) sentValues = snapshot();

    // A menu item that loads a dialog closes its menu first and hands focus back
    // to the menu button, which the dialog returns focus to when it closes.
    var item = event.detail.elt.closest && event.detail.elt.closest('[role="menu"] [role="menuitem"]');
    if (!item) return;
    var menu = item.closest("[data-menu]");
    var button = menu && menu.querySelector("[data-menu-button]");
    item.closest('[role="menu"]').hidden = true;
    if (button) {
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var builder = document.getElementById("rules-builder");
    if (builder) builder.removeAttribute("aria-busy");
  });
})();
