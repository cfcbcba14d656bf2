// Catalogue and policy calculator: light progressive enhancement (the pages work without it).
(function () {
  "use strict";

  // Filters apply as soon as a choice changes: <select data-autosubmit>.
  function autosubmit(el) {
    el.addEventListener("change", function () {
      if (el.form) { el.form.submit(); }
    });
  }

  // Amounts in yuan also shown in 万元 as they are typed: <input data-yuan>.
  function wanHint(input) {
    if ((document.documentElement.lang || "zh").indexOf("zh") !== 0) { return; }  // 万元 helps Chinese readers only
    var hint = document.createElement("small");
    hint.className = "wan-hint";
    input.insertAdjacentElement("afterend", hint);
    function update() {
      var text = input.value.replace(/[,，\s]/g, "");
      if (!/^\d+(\.\d+)?$/.test(text)) { hint.textContent = ""; return; }
      var parts = text.split(".");
      var intPart = parts[0].replace(/^0+(?=\d)/, "");
      // 万元 by moving the decimal point four places: exact, no floating point.
      var padded = intPart.length > 4 ? intPart : ("0000" + intPart).slice(-5);
      var wanInt = padded.slice(0, -4).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
      var wanFrac = (padded.slice(-4) + (parts[1] || "")).replace(/0+$/, "");
      hint.textContent = "= " + wanInt + (wanFrac ? "." + wanFrac : "") + " 万元";
    }
    input.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-autosubmit]").forEach(autosubmit);
    document.querySelectorAll("input[data-yuan]").forEach(wanHint);
  });
})();
