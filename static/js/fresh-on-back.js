// Back and Forward show a fellow's page as the browser first received it: Chrome reuses its
// copy without asking the server, even under Cache-Control: no-cache, so readings marked since
// (with htmx on this page, or on another) would look unread. Ask again instead: the page's ETag
// makes that a 304 Not Modified when nothing changed.
(function () {
  "use strict";
  var entry = performance.getEntriesByType("navigation")[0];
  if (entry && entry.type === "back_forward") {
    window.location.reload();
  }
  // A page restored whole from the back/forward cache runs no script again, only this event.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      window.location.reload();
    }
  });
})();
