// The page you are on, as the address bar shows it now. The language switch was written with
// the address the server sent, but a page can change its address afterwards (dashboard filters,
// htmx searches that push their URL): switching language then came back to the old view.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("language-switch")) {
      return;
    }
    const next = form.querySelector("input[name=next]");
    if (next) {
      next.value = window.location.pathname + window.location.search;
    }
  });

  // Dashboards keep their filters in the address; Back and Forward change the address without
  // redrawing the boxes and charts, so the page is drawn again from the address it now has.
  if (document.body && document.body.hasAttribute("data-redraw-on-history")) {
    window.addEventListener("popstate", function () {
      window.location.reload();
    });
  }
})();
