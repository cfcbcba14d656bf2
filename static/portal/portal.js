// The portal's own light interactivity; no inline script anywhere (the CSP forbids it).
(function () {
  "use strict";

  // With JavaScript the phone menu starts closed behind its button; without it, it stays open.
  document.documentElement.classList.add("js");
  function menu() {
    var button = document.querySelector(".menu-toggle"), panel = document.getElementById("site-menu");
    if (!button || !panel) { return; }
    button.hidden = false;
    function set(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      panel.classList.toggle("open", open);
    }
    button.addEventListener("click", function () { set(button.getAttribute("aria-expanded") !== "true"); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && button.getAttribute("aria-expanded") === "true") { set(false); button.focus(); }
    });
  }

  // A form that comes back with problems: its summary takes the focus, so it is read out first
  // and each of its links leads to the field concerned.
  function focusErrorSummary() {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }

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
  // "Saved" is said only when the server answered with its JSON {"ok": true}: a session that has
  // expired answers with a redirect to the sign-in page, which is not a save. Whatever was not
  // saved is kept in this browser (localStorage) and put back into the form when it is opened
  // again, unless the server has saved the draft since (data-saved-at).
  var KEPT = ["csrfmiddlewaretoken", "declaration"];

  function storageKey(form) { return "portal:autosave:" + form.dataset.autosave; }

  function fieldsOf(form) {
    var out = [];
    new FormData(form).forEach(function (value, name) {
      if (KEPT.indexOf(name) === -1 && typeof value === "string") { out.push([name, value]); }
    });
    return out;
  }

  function keepLocally(form, base) {
    try {
      window.localStorage.setItem(storageKey(form), JSON.stringify({ base: base, fields: fieldsOf(form) }));
      return true;
    } catch (e) { return false; }  // storage full or refused: the message still tells the user
  }

  function forgetLocally(form) {
    try { window.localStorage.removeItem(storageKey(form)); } catch (e) { /* nothing kept */ }
  }

  function sameMoment(a, b) {
    if (a === b) { return true; }
    var x = Date.parse(a || ""), y = Date.parse(b || "");
    return !isNaN(x) && x === y;
  }

  function restoreLocally(form) {
    var kept = null;
    try { kept = JSON.parse(window.localStorage.getItem(storageKey(form)) || "null"); } catch (e) { kept = null; }
    if (!kept || !kept.fields) { return false; }
    if (!sameMoment(kept.base, form.dataset.savedAt || "")) { forgetLocally(form); return false; }
    var byName = {};
    kept.fields.forEach(function (pair) { (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]); });
    Object.keys(byName).forEach(function (name) {
      form.querySelectorAll("[name='" + name.replace(/'/g, "\\'") + "']").forEach(function (el, i) {
        if (el.type === "file") { return; }
        if (el.type === "checkbox" || el.type === "radio") { el.checked = byName[name].indexOf(el.value) !== -1; }
        else if (byName[name][i] !== undefined) { el.value = byName[name][i]; }
      });
    });
    return true;
  }

  function autosave(form) {
    var timer = null, hint = form.querySelector(".saved-hint");
    var base = form.dataset.savedAt || "";
    function say(text, problem) {
      if (!hint) { return; }
      hint.textContent = text;
      hint.classList.toggle("problem", !!problem);
    }
    function notSaved(expired, message) {
      var kept = keepLocally(form, base);
      if (expired) {
        say(kept ? (form.dataset.expiredText || "登录已超时，内容未保存到服务器，已暂存在本浏览器；请重新登录后回到本页。")
          : (form.dataset.expiredUnkeptText || "登录已超时，内容未保存到服务器；请先复制填写的内容，再重新登录。"), true);
      } else {
        say((message ? message + " " : "") + (kept ? (form.dataset.keptText || "内容已暂存在本浏览器。")
          : (form.dataset.errorText || "自动保存失败")), true);
      }
    }
    function save() {
      var data = new FormData(form);
      data.delete("declaration");
      fetch(form.dataset.autosave, { method: "POST", body: data, credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", "Accept": "application/json" } })
        .then(function (r) {
          var json = (r.headers.get("Content-Type") || "").indexOf("application/json") === 0;
          return (json ? r.json().catch(function () { return null; }) : Promise.resolve(null))
            .then(function (j) { return [r, j]; });
        })
        .then(function (pair) {
          var r = pair[0], j = pair[1];
          // Saved only when the autosave itself answered {"ok": true}; a redirect (the sign-in page
          // of an expired session) or a 401/403 is not a save.
          var saved = r.ok && !r.redirected && j !== null && j.ok === true;
          // Pages may show more of the answer (field errors, a live estimate): listen for this event.
          form.dispatchEvent(new CustomEvent("portal:autosaved", { bubbles: true, detail: { ok: saved, data: j || {} } }));
          if (saved) {
            base = j.saved_at || base;
            form.dataset.savedAt = base;
            forgetLocally(form);
            say((form.dataset.savedText || "已自动保存") + " " + new Date().toLocaleTimeString(), false);
          } else {
            notSaved(r.redirected || r.status === 401 || r.status === 403, j && j.message);
          }
        }).catch(function () { notSaved(false, ""); });
    }
    form.addEventListener("input", function (e) {
      if (e.target.type === "file") { return; }
      clearTimeout(timer); timer = setTimeout(save, 800);
    });
    // A posted form whose session has expired lands on the sign-in page: keep a copy until the
    // server has saved it (the next page's data-saved-at differs, and the copy is dropped).
    form.addEventListener("submit", function () { keepLocally(form, base); });
    if (restoreLocally(form)) {
      say(form.dataset.restoredText || "已恢复本浏览器暂存的未保存内容，正在保存……", true);
      save();
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    menu();
    focusErrorSummary();
    document.querySelectorAll("form[data-autosave]").forEach(autosave);
    // Select-all checkbox for bulk actions: <input type=checkbox data-select-all="name">.
    document.querySelectorAll("[data-select-all]").forEach(function (box) {
      box.addEventListener("change", function () {
        document.querySelectorAll("input[name='" + box.dataset.selectAll + "']").forEach(function (c) { c.checked = box.checked; });
      });
    });
  });
})();
