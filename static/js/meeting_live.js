// Meeting mode: arrow keys (or J/K) walk the agenda, when the focus is not in a form field.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    var rel = null;
    if (event.key === "ArrowRight" || event.key === "j") rel = "next";
    if (event.key === "ArrowLeft" || event.key === "k") rel = "prev";
    if (!rel) return;
    var link = document.querySelector('a[data-nav="' + rel + '"]');
    if (link) { event.preventDefault(); window.location.assign(link.href); }
  });
})();
