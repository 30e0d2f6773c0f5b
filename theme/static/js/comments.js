/* Condividi comments: counts from the Isso server, and hosted comment services loaded only
 * after the reader clicks "Show comments". Without this script every page still works: the
 * counts read "Leave a comment" and a hosted service explains what it needs. */
(function () {
  "use strict";

  var script = document.currentScript;
  var server = script ? script.getAttribute("data-comments-server") : null;

  // The count texts are written in the page's language (an English post listed on an Italian
  // page gets Italian ones), so the page's language picks the plural form.
  var language = document.documentElement.lang || "en";

  function countText(element, count) {
    if (count === 0) {
      return element.getAttribute("data-count-zero");
    }
    var form = new Intl.PluralRules(language).select(count);
    var template = element.getAttribute(form === "one" ? "data-count-one" : "data-count-other");
    return template.replace("{n}", String(count));
  }

  function markServer(answering) {
    document.querySelectorAll(".comments-unavailable").forEach(function (notice) {
      notice.hidden = answering;
    });
  }

  // One POST /count for every thread on the page (Isso answers with a list of numbers).
  function refreshCounts() {
    var elements = Array.prototype.slice.call(document.querySelectorAll("[data-comments-count]"));
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
          throw new Error("comment server answered " + response.status);
        }
        return response.json();
      })
      .then(function (counts) {
        elements.forEach(function (element) {
          var count = counts[threads.indexOf(element.getAttribute("data-comments-count"))];
          if (typeof count === "number") {
            element.textContent = countText(element, count);
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

  // What each service's documented snippet sets up before its script runs.
  var prepare = {
    disqus: function (embed) {
      var settings = embed.settings;
      window.disqus_config = function () {
        this.page.url = settings.url;
        this.page.identifier = settings.identifier;
        this.page.title = settings.title;
        this.language = settings.language;
      };
      embed.scripts[0].attrs["data-timestamp"] = String(Date.now());
    },
    remark42: function (embed) {
      var dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
      embed.settings.theme = dark ? "dark" : "light";
      window.remark_config = embed.settings;
    },
  };

  function loadScripts(scripts, parent) {
    if (scripts.length === 0) {
      return;
    }
    var spec = scripts[0];
    var element = document.createElement("script");
    Object.keys(spec.attrs).forEach(function (name) {
      element.setAttribute(name, spec.attrs[name]);
    });
    element.addEventListener("load", function () {
      loadScripts(scripts.slice(1), parent);
    });
    element.src = spec.src;
    parent.appendChild(element);
  }

  function offerEmbed(box) {
    var button = box.querySelector(".comments-show");
    var target = box.parentNode.querySelector(".comments-embed");
    if (!button || !target) {
      return;
    }
    button.hidden = false;
    button.addEventListener(
      "click",
      function () {
        var embed = JSON.parse(box.getAttribute("data-comments-embed"));
        if (prepare[embed.provider]) {
          prepare[embed.provider](embed);
        }
        button.hidden = true;
        target.setAttribute("tabindex", "-1");
        target.focus();
        loadScripts(embed.scripts, target);
      },
      { once: true }
    );
  }

  document.querySelectorAll(".comments-nojs").forEach(function (note) {
    note.hidden = true;
  });
  refreshCounts();
  watchThread();
  document.querySelectorAll("[data-comments-embed]").forEach(offerEmbed);
})();
