/* Personalize Admin: small behaviours shared by every page.
   Everything is delegated from the document, so fragments swapped in by htmx
   work without re-initialisation. No inline scripts: the CSP forbids them. */
(function () {
  "use strict";

  var TOAST_SECONDS = 6;

  // ---------- dialogs ----------
  function openDialog(id, opener) {
    var dialog = document.getElementById(id);
    if (!dialog || dialog.open) return;
    dialog._opener = opener || document.activeElement;
    dialog.showModal();
    // Content loaded on demand (hx-trigger="dialog-open from:#id") fetches now.
    dialog.dispatchEvent(new CustomEvent("dialog-open"));
    var focusTarget = dialog.querySelector("[autofocus]") ||
      dialog.querySelector("input:not([type=hidden]), select, textarea, button:not([data-close-dialog])");
    if (focusTarget) focusTarget.focus();
  }

  function closeDialog(dialog) {
    if (dialog && dialog.open) dialog.close();
  }

  document.addEventListener("close", function (event) {
    var dialog = event.target;
    if (dialog.tagName === "DIALOG" && dialog._opener && document.contains(dialog._opener)) {
      dialog._opener.focus();
    }
  }, true);

  // Clicking the backdrop closes a dialog.
  document.addEventListener("mousedown", function (event) {
    var dialog = event.target;
    if (dialog.tagName !== "DIALOG" || !dialog.open) return;
    var box = dialog.getBoundingClientRect();
    var inside = event.clientX >= box.left && event.clientX <= box.right &&
      event.clientY >= box.top && event.clientY <= box.bottom;
    if (!inside) closeDialog(dialog);
  });

  // ---------- menus (the "Actions" ellipsis and the user menu) ----------
  function menuItems(list) {
    return Array.prototype.slice.call(list.querySelectorAll('[role="menuitem"]:not([disabled])'));
  }

  function openMenu(button, focusLast) {
    closeMenus(button);
    var list = button.parentElement.querySelector('[role="menu"]');
    list.hidden = false;
    button.setAttribute("aria-expanded", "true");
    var items = menuItems(list);
    if (items.length) items[focusLast ? items.length - 1 : 0].focus();
  }

  function closeMenu(button, returnFocus) {
    var list = button.parentElement.querySelector('[role="menu"]');
    if (list.hidden) return;
    list.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (returnFocus) button.focus();
  }

  function closeMenus(except) {
    document.querySelectorAll("[data-menu-button][aria-expanded=true]").forEach(function (button) {
      if (button !== except) closeMenu(button, false);
    });
  }

  document.addEventListener("keydown", function (event) {
    var button = event.target.closest && event.target.closest("[data-menu-button]");
    if (button && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      openMenu(button, event.key === "ArrowUp");
      return;
    }
    var item = event.target.closest && event.target.closest('[role="menu"] [role="menuitem"]');
    if (!item) {
      if (event.key === "Escape") closeMenus(null);
      return;
    }
    var list = item.closest('[role="menu"]');
    var owner = list.parentElement.querySelector("[data-menu-button]");
    var items = menuItems(list);
    var index = items.indexOf(item);
    if (event.key === "ArrowDown") { event.preventDefault(); items[(index + 1) % items.length].focus(); }
    else if (event.key === "ArrowUp") { event.preventDefault(); items[(index - 1 + items.length) % items.length].focus(); }
    else if (event.key === "Home") { event.preventDefault(); items[0].focus(); }
    else if (event.key === "End") { event.preventDefault(); items[items.length - 1].focus(); }
    else if (event.key === "Escape") { event.preventDefault(); closeMenu(owner, true); }
    else if (event.key === "Tab") { closeMenu(owner, false); }
  });

  // ---------- copy ----------
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } finally { document.body.removeChild(area); }
    return Promise.resolve();
  }

  // ---------- toasts ----------
  function scheduleDismiss(toast) {
    if (toast._timer || toast.getAttribute("role") === "alert") return;
    toast._timer = window.setTimeout(function () { toast.remove(); }, TOAST_SECONDS * 1000);
  }

  function showToast(text, level) {
    var region = document.getElementById("toasts");
    if (!region) return;
    var toast = document.createElement("div");
    toast.className = "toast toast--" + (level || "success");
    toast.setAttribute("data-toast", "");
    var p = document.createElement("p");
    p.textContent = text;
    toast.appendChild(p);
    region.appendChild(toast);
    scheduleDismiss(toast);
  }
  window.PersonalizeAdmin = { showToast: showToast, openDialog: openDialog };

  function armToasts(root) {
    (root || document).querySelectorAll("[data-toast]").forEach(scheduleDismiss);
  }

  // ---------- clicks ----------
  document.addEventListener("click", function (event) {
    var target = event.target;

    var opener = target.closest("[data-open-dialog]");
    if (opener) { event.preventDefault(); closeMenus(null); openDialog(opener.getAttribute("data-open-dialog"), opener); return; }

    var closer = target.closest("[data-close-dialog]");
    if (closer) { event.preventDefault(); closeDialog(closer.closest("dialog")); return; }

    var menuButton = target.closest("[data-menu-button]");
    if (menuButton) {
      event.preventDefault();
      if (menuButton.getAttribute("aria-expanded") === "true") closeMenu(menuButton, false);
      else openMenu(menuButton, false);
      return;
    }
    if (!target.closest('[role="menu"]')) closeMenus(null);

    var copier = target.closest("[data-copy]");
    if (copier) {
      event.preventDefault();
      copyText(copier.getAttribute("data-copy")).then(function () { showToast("Copied to clipboard."); });
      return;
    }

    var dismiss = target.closest("[data-dismiss-toast]");
    if (dismiss) { dismiss.closest("[data-toast]").remove(); return; }

    // Table rows open their object; links, buttons and form controls inside keep their own behaviour.
    var row = target.closest("tr[data-href]");
    if (row && !target.closest("a, button, input, select, textarea, label, [role=menu]")) {
      if (window.getSelection && String(window.getSelection())) return;
      window.location.assign(row.getAttribute("data-href"));
    }
  });

  // ---------- page load and htmx swaps ----------
  function afterContent(root) {
    armToasts(root);
    var pending = (root || document).querySelector("[data-open-on-load]");
    if (pending) openDialog(pending.getAttribute("data-open-on-load"));
    if (window.location.hash && root === document) {
      var hashDialog = document.getElementById(window.location.hash.slice(1));
      if (hashDialog && hashDialog.tagName === "DIALOG") openDialog(hashDialog.id);
    }
  }

  document.addEventListener("DOMContentLoaded", function () { afterContent(document); });
  document.addEventListener("htmx:load", function (event) {
    if (event.target !== document.body) afterContent(event.target);
  });

  // After an htmx swap that re-rendered a form with errors, move focus to the first invalid field.
  document.addEventListener("htmx:afterSwap", function (event) {
    var invalid = event.target.querySelector && event.target.querySelector('[aria-invalid="true"]');
    if (invalid) invalid.focus();
  });

  // A request that fails (server error, network) says so instead of failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 403) showToast("You are not allowed to do this.", "error");
    else if (status === 404) showToast("That no longer exists. Reload the page.", "error");
    else showToast("Something went wrong (" + status + "). Please try again.", "error");
  });
  document.addEventListener("htmx:sendError", function () {
    showToast("The server could not be reached. Check your connection and try again.", "error");
  });
})();
