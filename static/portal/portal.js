// The portal's own light interactivity; no inline script anywhere (the CSP forbids it).
(function () {
  "use strict";

  // A form submits once: the first click disables its submit buttons.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitted === "1") { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
      setTimeout(function () { b.disabled = true; }, 0);
    });
  });

  // Buttons that need a second thought: <button data-confirm="…">.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.dataset.confirm)) { event.preventDefault(); event.stopImmediatePropagation(); }
  }, true);

  // Drafts saved as the user types: <form data-autosave="/url/"> posts its fields (debounced).
  function autosave(form) {
    var timer = null, hint = form.querySelector(".saved-hint");
    function save() {
      var data = new FormData(form);
      data.delete("declaration");
      fetch(form.dataset.autosave, { method: "POST", body: data, credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.json().catch(function () { return {}; }).then(function (j) { return [r, j]; }); })
        .then(function (pair) {
          // Pages may show more of the answer (field errors, a live estimate): listen for this event.
          form.dispatchEvent(new CustomEvent("portal:autosaved", { bubbles: true, detail: { ok: pair[0].ok, data: pair[1] } }));
          if (!hint) { return; }
          hint.textContent = pair[0].ok ? (form.dataset.savedText || "已自动保存") + " " + new Date().toLocaleTimeString()
            : (pair[1].message || form.dataset.errorText || "自动保存失败");
        }).catch(function () { if (hint) { hint.textContent = form.dataset.errorText || "自动保存失败"; } });
    }
    form.addEventListener("input", function (e) {
      if (e.target.type === "file") { return; }
      clearTimeout(timer); timer = setTimeout(save, 800);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-autosave]").forEach(autosave);
    // Select-all checkbox for bulk actions: <input type=checkbox data-select-all="name">.
    document.querySelectorAll("[data-select-all]").forEach(function (box) {
      box.addEventListener("change", function () {
        document.querySelectorAll("input[name='" + box.dataset.selectAll + "']").forEach(function (c) { c.checked = box.checked; });
      });
    });
  });
})();
