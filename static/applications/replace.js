// 替换已上传的文件: only the files of the material chosen above are offered (the portal refuses a
// file of another material anyway; without JavaScript every file is offered under its material).
(function () {
  "use strict";
  var material = document.getElementById("id_material");
  var replaces = document.getElementById("id_replaces");
  if (!material || !replaces) { return; }

  function offer() {
    var chosen = material.value ? material.options[material.selectedIndex].text.trim() : null;
    replaces.querySelectorAll("optgroup").forEach(function (group) {
      var mine = chosen !== null && group.label === chosen;
      group.disabled = !mine;
      group.hidden = !mine;
      var picked = replaces.options[replaces.selectedIndex];
      if (!mine && picked && picked.parentElement === group) { replaces.value = ""; }
    });
  }

  material.addEventListener("change", offer);
  offer();
})();
