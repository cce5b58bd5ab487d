// The door's search and its check-ins talk to the server at the same time. A list the
// server read before a check-in was saved must not be shown after that check-in, or the
// row goes back to "Check in" on screen while the person is checked in (and a walk-in
// just added disappears from the list). So a search waits while check-ins, homework marks
// or walk-ins are being saved, and a search answered after one of them began is asked
// again once they are done, instead of being shown.
(function () {
  "use strict";
  let saving = 0; // writes in flight
  let generation = 0; // bumped when a write begins
  let again = false; // a search to ask again when the writes are done

  // What asked: the element that sent the request (detail.elt is the target in some events).
  function onDoor(detail) {
    const config = detail.requestConfig;
    return Boolean(config) && config.elt instanceof Element && config.elt.closest("[data-door]") !== null;
  }

  function isSearch(detail) {
    return detail.requestConfig.verb === "get";
  }

  function searchAgain() {
    again = false;
    const box = document.getElementById("q");
    if (box && window.htmx) {
      window.htmx.trigger(box, "search");
    }
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    const detail = event.detail;
    if (!onDoor(detail)) return;
    if (isSearch(detail)) {
      if (saving > 0) {
        event.preventDefault();
        again = true;
        return;
      }
      detail.xhr.doorGeneration = generation;
    } else {
      // Marked on the request: by the time it is answered its form may have left the page.
      detail.xhr.doorWrite = true;
      saving += 1;
      generation += 1;
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    const detail = event.detail;
    const asked = detail.xhr ? detail.xhr.doorGeneration : undefined;
    if (asked !== undefined && asked !== generation) {
      detail.shouldSwap = false;
      if (saving > 0) {
        again = true;
      } else {
        searchAgain();
      }
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.xhr || event.detail.xhr.doorWrite !== true) return;
    saving = Math.max(0, saving - 1);
    if (saving === 0 && again) {
      searchAgain();
    }
  });
})();
