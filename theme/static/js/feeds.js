/* Condividi feeds: a copy button beside each feed address (the subscribe page, and the feed of
 * a category or tag on its list pages; condividi.feeds). Without this script each address is
 * still there to select and copy, in a read-only field. Loaded only by those pages. */
(function () {
  "use strict";

  var canCopy = navigator.clipboard && navigator.clipboard.writeText;

  document.querySelectorAll("[data-feed-copy]").forEach(function (box) {
    var status = box.querySelector("[role=status]");
    var timer = null;

    // The status is a live region: emptied first, so that a second copy is announced again.
    function announce(message) {
      clearTimeout(timer);
      status.textContent = "";
      timer = setTimeout(function () {
        status.textContent = message;
      }, 50);
    }

    box.querySelectorAll("input[readonly]").forEach(function (field) {
      // A click or tab into an address selects all of it, ready to copy by hand.
      field.addEventListener("focus", function () {
        field.select();
      });
    });

    if (!canCopy) {
      return;
    }
    box.querySelectorAll("button[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy"));
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(
          function () {
            announce(box.getAttribute("data-copied"));
          },
          function () {
            field.focus();
            announce(box.getAttribute("data-copy-failed"));
          }
        );
      });
    });
  });
})();
