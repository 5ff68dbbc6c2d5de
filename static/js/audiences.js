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

  // htmx wires up swapped-in controls once the swap settles; a change made before
  // that (a fast keyboard) would be lost, so such a control is wired at once.
  var wired = new WeakSet();
  document.addEventListener("htmx:afterProcessNode", function (event) { wired.add(event.target); });
  function wireEarly(event) {
    var control = event.target.closest && event.target.closest("#rules-builder [hx-post], #test-panel [hx-post]");
    if (control && window.htmx && !wired.has(control)) window.htmx.process(control);
  }
  document.addEventListener("change", wireEarly, true);
  document.addEventListener("click", wireEarly, true);

  // Typing and clicking go on while a builder change is on its way; the server's
  // answer carries the controls as they were sent, so whatever changed meanwhile
  // is put back as soon as the answer is swapped in (before a queued request reads it).
  var CONTROLS = "#rules-builder input[name], #rules-builder select[name], #rules-builder textarea[name], " +
    "#test-panel input[name], #test-panel select[name]";
  var sentState = null;
  var currentState = null;

  function controlState() {
    var state = {};
    document.querySelectorAll(CONTROLS).forEach(function (control) {
      if (control.type === "hidden") return;
      if (control.type === "radio") { if (control.checked) state["r:" + control.name] = control.value; }
      else if (control.type === "checkbox") state["c:" + control.name] = control.checked;
      else state["v:" + control.name] = control.value;
    });
    return state;
  }

  function restore(key, value) {
    var kind = key.slice(0, 2), name = key.slice(2);
    document.querySelectorAll(CONTROLS).forEach(function (control) {
      if (control.name !== name) return;
      if (kind === "r:") control.checked = control.value === value;
      else if (kind === "c:") control.checked = value;
      else control.value = value;
    });
  }

  function isBuilderRequest(event) {
    var elt = event.detail.elt;
    return Boolean(elt.closest && (elt.closest("#rules-builder") || elt.closest("#test-panel")));
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (sentState && isBuilderRequest(event)) currentState = controlState();
  });

  document.addEventListener("htmx:afterSwap", function () {
    if (!sentState || !currentState) return;
    Object.keys(currentState).forEach(function (key) {
      if (currentState[key] !== sentState[key]) restore(key, currentState[key]);
    });
    sentState = currentState = null;
  });

  // The builder says it is busy while a change is on its way, so screen readers wait.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var builder = event.detail.elt.closest && event.detail.elt.closest("#rules-builder");
    if (builder) builder.setAttribute("aria-busy", "true");
    if (!isBuilderRequest(event)) return;
    var config = event.detail.requestConfig;
    var action = String((config && config.parameters && config.parameters._action) || "");
    // Removing renumbers the rows, so a control's name no longer says which row it was.
    sentState = /^(remove|clear)/.test(action) ? null : controlState();
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
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
