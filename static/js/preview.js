// Preview as visitor: the "Random" button fills the user UID with a new UUID.
(function () {
  "use strict";

  function uuid4() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    const bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-random-uid]");
    if (!button) return;
    const input = document.getElementById(button.dataset.randomUid);
    if (!input) return;
    input.value = uuid4();
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.focus();
  });
})();
