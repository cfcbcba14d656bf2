// The application form: after each autosave (portal.js posts form[data-autosave]) show the field
// errors and the live estimate that came back. No inline script anywhere (the CSP forbids it).
(function () {
  "use strict";

  function text(el, value) { if (el) { el.textContent = value; } }

  function showErrors(form, errors) {
    form.querySelectorAll(".field .error.live").forEach(function (p) { p.remove(); });
    form.querySelectorAll(".field.has-error.live").forEach(function (f) { f.classList.remove("has-error", "live"); });
    Object.keys(errors || {}).forEach(function (name) {
      var input = form.querySelector("[name='" + name + "']");
      var field = input && input.closest(".field");
      if (!field) { return; }
      field.querySelectorAll(".error").forEach(function (p) { p.remove(); });
      var p = document.createElement("p");
      p.className = "error live";
      p.textContent = errors[name];
      field.appendChild(p);
      field.classList.add("has-error", "live");
    });
  }

  function yuan(amount, unit) {  // from the decimal string, never through a float
    var parts = String(amount).split(".");
    return parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + ((parts[1] || "") + "00").slice(0, 2) + " " + unit;
  }

  function showEstimate(data) {
    var panel = document.getElementById("estimate-panel");
    if (!panel) { return; }
    var est = data.estimate;
    // the words come translated from the template (data-*), Chinese as the fallback
    var words = panel.dataset;
    text(panel.querySelector("[data-estimate-amount]"),
      data.estimate_amount ? yuan(data.estimate_amount, words.unit || "元") : "—");
    text(panel.querySelector("[data-estimate-note]"), data.estimate_error ||
      (est ? (words.noteEstimated || "测算金额为上限估算，以审核核定为准。")
        : (words.noteEmpty || "填写完整申报数据后自动测算。")));
    ["steps", "reasons"].forEach(function (key) {
      var list = panel.querySelector("[data-estimate-" + key + "]");
      if (!list) { return; }
      list.textContent = "";
      ((est && est[key]) || []).forEach(function (item) {
        var li = document.createElement("li");
        li.textContent = key === "steps" ? item.label + "：" + item.expression : item;
        list.appendChild(li);
      });
    });
  }

  document.addEventListener("portal:autosaved", function (event) {
    var detail = event.detail || {};
    if (!detail.ok || !detail.data) { return; }
    showErrors(event.target, detail.data.errors);
    showEstimate(detail.data);
  });
})();
