// The door's search and its check-ins talk to the server at the same time. A list the
// server read before a check-in was saved must not be shown after that check-in, or the
// row goes back to "Check in" on screen while the person is checked in (and a walk-in
// just added disappears from the list). So a search waits while check-ins, homework marks
// or walk-ins are being saved, and a search answered after one of them began is asked
// again once they are done, instead of being shown.
(function () {
  "use strict";
  let saving = 0; // writes in flight
  let generation = 0; // bumped when a write is sent
  let again = false; // a search to ask again when the writes are done

  // What asked: the element that sent the request (detail.elt is the target in some events).
  function asker(detail) {
    const config = detail.requestConfig;
    const elt = config ? config.elt : null;
    return elt instanceof Element && elt.closest("[data-door]") !== null ? elt : null;
  }

  function isSearch(detail) {
    const elt = asker(detail);
    return elt !== null && elt.id === "q";
  }

  function isWrite(detail) {
    return asker(detail) !== null && detail.requestConfig.verb !== "get";
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
    if (!isSearch(detail)) return;
    if (saving > 0) {
      event.preventDefault();
      again = true;
      return;
    }
    detail.xhr.doorGeneration = generation;
  });

  // Counted when it is sent, and out when its request ends, however it ends (answered,
  // refused, failed, timed out) and wherever its form is by then: htmx's own events stop
  // reaching the page once the form has been replaced.
  document.addEventListener("htmx:beforeSend", function (event) {
    const detail = event.detail;
    if (!isWrite(detail)) return;
    saving += 1;
    generation += 1;
    detail.xhr.addEventListener("loadend", function () {
      saving -= 1;
      if (saving === 0 && again) {
        searchAgain();
      }
    });
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
})();
