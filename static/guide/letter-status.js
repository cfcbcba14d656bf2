// 生成中 → 已出具: letters made in the background are polled until done, without reloading the page.
(function () {
  "use strict";
  var DELAYS = [1000, 1500, 2000, 3000, 5000];

  function show(el, data) {
    el.textContent = "";
    var state = document.createElement("span");
    state.className = data.ready ? "tag ok" : "muted";
    state.textContent = data.label;
    el.appendChild(state);
    if (data.ready && data.download_url) {
      el.appendChild(document.createTextNode(" · "));
      var a = document.createElement("a");
      a.href = data.download_url;
      a.textContent = el.dataset.readyText || "PDF";
      el.appendChild(a);
    }
  }

  function poll(el, attempt) {
    fetch(el.dataset.letterStatus, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.done) { show(el, data); return; }
        if (attempt < 60) { setTimeout(function () { poll(el, attempt + 1); }, DELAYS[Math.min(attempt, DELAYS.length - 1)]); }
      })
      .catch(function () { if (attempt < 60) { setTimeout(function () { poll(el, attempt + 1); }, 5000); } });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-letter-status]").forEach(function (el) {
      if (el.querySelector("a")) { return; }  // already 已出具
      poll(el, 0);
    });
  });
})();
