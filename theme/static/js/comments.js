/* Condividi comments: counts from the Isso server (a hosted service's click-to-load is in
 * comments-embed.js). Without this script every page still works: the counts read "Leave a
 * comment" and a hosted service explains what it needs. */
(function () {
  "use strict";

  var script = document.currentScript;
  var server = script ? script.getAttribute("data-comments-server") : null;

  // The count texts come with the script, in the page's language (an English post listed on
  // an Italian page gets Italian ones), so the page's language picks the plural form.
  var language = document.documentElement.lang || "en";

  function countText(count) {
    if (count === 0) {
      return script.getAttribute("data-count-zero");
    }
    var form = new Intl.PluralRules(language).select(count);
    var template = script.getAttribute(form === "one" ? "data-count-one" : "data-count-other");
    return template.replace("{n}", String(count));
  }

  function markServer(answering) {
    document.querySelectorAll(".comments-unavailable").forEach(function (notice) {
      notice.hidden = answering;
    });
  }

  // One POST /count for every thread on the page (Isso answers with a list of numbers).
  function refreshCounts() {
    var elements = document.querySelectorAll("[data-comments-count]");
    if (!server || elements.length === 0) {
      return;
    }
    var threads = [];
    elements.forEach(function (element) {
      var thread = element.getAttribute("data-comments-count");
      if (threads.indexOf(thread) < 0) {
        threads.push(thread);
      }
    });
    fetch(server + "/count", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(threads),
      credentials: "omit",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (counts) {
        elements.forEach(function (element) {
          var count = counts[threads.indexOf(element.getAttribute("data-comments-count"))];
          if (typeof count === "number") {
            element.textContent = countText(count);
          }
        });
        markServer(true);
      })
      .catch(function () {
        markServer(false);
      });
  }

  function isComment(node) {
    return node.nodeType === 1 && node.classList.contains("isso-comment");
  }

  // Isso adds a posted (or deleted) comment to the page without telling anyone: recount then.
  function watchThread() {
    var thread = document.getElementById("isso-thread");
    if (!thread || !server || !window.MutationObserver) {
      return;
    }
    var timer = null;
    new MutationObserver(function (mutations) {
      var changed = mutations.some(function (mutation) {
        return (
          Array.prototype.some.call(mutation.addedNodes, isComment) ||
          Array.prototype.some.call(mutation.removedNodes, isComment)
        );
      });
      if (changed) {
        clearTimeout(timer);
        timer = setTimeout(refreshCounts, 300);
      }
    }).observe(thread, { childList: true, subtree: true });
  }

  // Isso's client (some 80 KB and a long task) waits in a <template> until the thread is
  // within a screen or two of being seen; a script cloned from a template runs when inserted.
  function loadThreadWhenNear() {
    var thread = document.getElementById("isso-thread");
    var client = document.getElementById("isso-client");
    if (!thread || !client) {
      return;
    }
    function load() {
      thread.parentNode.appendChild(document.importNode(client.content, true));
    }
    if (!window.IntersectionObserver) {
      return load();
    }
    var observer = new IntersectionObserver(
      function (entries) {
        if (entries[entries.length - 1].isIntersecting) {
          observer.disconnect();
          load();
        }
      },
      { rootMargin: "1000px 0px" }
    );
    observer.observe(thread);
  }

  document.querySelectorAll(".comments-nojs").forEach(function (note) {
    note.hidden = true;
  });
  refreshCounts();
  watchThread();
  loadThreadWhenNear();
})();
