/* Experiences: the Configuration editor's live hints and the Prioritize Experiences list.
   Delegated from the document, so fragments swapped in by htmx work as they arrive. */
(function () {
  "use strict";

  // ---------- Configuration editor ----------
  function updateTotal(editor) {
    var output = editor.querySelector("[data-traffic-total]");
    if (!output) return;
    var total = 0;
    editor.querySelectorAll("[data-traffic]").forEach(function (input) {
      var value = parseFloat(input.value);
      if (!isNaN(value)) total += value;
    });
    output.textContent = String(Math.round(total * 100) / 100);
  }

  function updatePicker(picker) {
    var summary = picker.querySelector("[data-picker-summary]");
    var names = [];
    picker.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
      names.push(box.getAttribute("data-name"));
    });
    summary.textContent = names.length ? names.join(", ") : summary.getAttribute("data-empty");
  }

  function initEditors(root) {
    if (root.matches && root.matches("[data-editor]")) updateTotal(root);
    root.querySelectorAll("[data-editor]").forEach(updateTotal);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    var editor = target.closest && target.closest("[data-editor]");
    if (!editor) return;
    if (target.matches("[data-distribution-choice]")) editor.setAttribute("data-distribution", target.value);
    if (target.matches("[data-target-choice]")) editor.setAttribute("data-target-group", target.value);
    var picker = target.closest("[data-picker]");
    if (picker) updatePicker(picker);
  });

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-traffic]")) {
      updateTotal(event.target.closest("[data-editor]"));
    }
  });

  // ---------- Prioritize Experiences ----------
  function renumber(list) {
    list.querySelectorAll("[data-priority-item]").forEach(function (item, index) {
      item.querySelector("[data-rank]").textContent = String(index + 1);
    });
  }

  function announce(list, item) {
    var status = list.closest("form").querySelector("[data-priority-status]");
    var items = Array.prototype.slice.call(list.querySelectorAll("[data-priority-item]"));
    if (status) {
      status.textContent = item.querySelector("[data-name]").textContent + " is now number " +
        (items.indexOf(item) + 1) + " of " + items.length + ".";
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-move]");
    if (!button) return;
    var item = button.closest("[data-priority-item]");
    var list = item.parentElement;
    if (button.getAttribute("data-move") === "up" && item.previousElementSibling) {
      list.insertBefore(item, item.previousElementSibling);
    } else if (button.getAttribute("data-move") === "down" && item.nextElementSibling) {
      list.insertBefore(item.nextElementSibling, item);
    } else {
      return;
    }
    renumber(list);
    announce(list, item);
    button.focus();
  });

  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest("[data-priority-item]");
    if (!item) return;
    dragged = item;
    item.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.querySelector("[data-name]").textContent);
  });
  document.addEventListener("dragover", function (event) {
    var item = dragged && event.target.closest && event.target.closest("[data-priority-item]");
    if (!item || item === dragged || item.parentElement !== dragged.parentElement) return;
    event.preventDefault();
    document.querySelectorAll(".is-drop-target").forEach(function (el) { el.classList.remove("is-drop-target"); });
    item.classList.add("is-drop-target");
  });
  document.addEventListener("drop", function (event) {
    var item = dragged && event.target.closest && event.target.closest("[data-priority-item]");
    if (!item || item === dragged) return;
    event.preventDefault();
    var list = item.parentElement;
    var items = Array.prototype.slice.call(list.children);
    if (items.indexOf(dragged) < items.indexOf(item)) list.insertBefore(dragged, item.nextElementSibling);
    else list.insertBefore(dragged, item);
    renumber(list);
    announce(list, dragged);
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    document.querySelectorAll(".is-drop-target").forEach(function (el) { el.classList.remove("is-drop-target"); });
    dragged = null;
  });

  // The Prioritize Experiences list arrives after the modal opened: focus its first control.
  document.addEventListener("htmx:afterSwap", function (event) {
    var body = event.target;
    if (!body.classList || !body.classList.contains("prioritize-body")) return;
    var dialog = body.closest("dialog");
    var first = body.querySelector("[data-move], button[type=submit]:not([disabled])");
    if (dialog && dialog.open && first) first.focus();
  });

  // After "+ Add Variant" or "+ Add Event" the new row's first field takes the focus
  // (unless a field with an error claims it first).
  document.addEventListener("htmx:afterSettle", function () {
    var editor = document.querySelector("[data-editor]");
    if (!editor || editor.querySelector('[aria-invalid="true"]')) return;
    var field = editor.querySelector("[autofocus]");
    if (field) field.focus();
  });

  document.addEventListener("DOMContentLoaded", function () { initEditors(document); });
  document.addEventListener("htmx:load", function (event) { initEditors(event.target); });
})();
