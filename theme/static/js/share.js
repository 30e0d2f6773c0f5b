/* Condividi share bar: progressive enhancement (condividi.share).
   Without this script the share links still work; with it, two buttons appear:
   "Copy link" where the Clipboard API exists, "Share…" where navigator.share exists. */
(function () {
  "use strict";

  var bar = document.querySelector("[data-share]");
  if (!bar) {
    return;
  }
  // What is shared: the canonical URL and the title the head gives other sites (og:title).
  var canonical = document.querySelector('link[rel="canonical"]');
  var titleMeta = document.querySelector('meta[property="og:title"]');
  var url = canonical ? canonical.href : window.location.href;
  var title = titleMeta ? titleMeta.content : document.title;
  var status = bar.querySelector(".share-status");
  var copyButton = bar.querySelector("[data-share-copy]");
  var nativeButton = bar.querySelector("[data-share-native]");
  var clearTimer = null;

  // The status element is a live region: emptying it first makes a repeated message
  // announced again.
  function announce(message) {
    window.clearTimeout(clearTimer);
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
    clearTimer = window.setTimeout(function () {
      status.textContent = "";
    }, 6000);
  }

  if (copyButton && navigator.clipboard && navigator.clipboard.writeText) {
    copyButton.hidden = false;
    copyButton.addEventListener("click", function () {
      navigator.clipboard.writeText(url).then(
        function () {
          announce(bar.dataset.copied);
        },
        function () {
          announce(bar.dataset.copyFailed);
        }
      );
    });
  }

  if (nativeButton && typeof navigator.share === "function") {
    nativeButton.hidden = false;
    nativeButton.addEventListener("click", function () {
      navigator
        .share({ title: title, url: url })
        .catch(function () {
          // AbortError: the reader closed the share sheet; the links above remain.
        });
    });
  }
})();
