// Reloads a page that shows live figures (the vote ranking) every few seconds while it is
// visible. The page opts in with data-auto-refresh="<seconds>" on any element.
(function () {
  "use strict";
  var element = document.querySelector("[data-auto-refresh]");
  if (!element) {
    return;
  }
  var seconds = parseInt(element.getAttribute("data-auto-refresh"), 10);
  if (!seconds || seconds < 5) {
    seconds = 15;
  }
  window.setInterval(function () {
    if (document.visibilityState === "visible") {
      window.location.reload();
    }
  }, seconds * 1000);
})();
