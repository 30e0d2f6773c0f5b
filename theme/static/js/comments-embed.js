/* Condividi comments: a hosted comment service (giscus, Disqus, Remark42, Cusdis) is loaded
 * only after the reader clicks "Show comments"; until then the page contacts nobody. Without
 * this script the notice says what the service needs and links to the discussion. */
(function () {
  "use strict";

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
    box.querySelectorAll(".comments-nojs").forEach(function (note) {
      note.hidden = true;
    });
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

  document.querySelectorAll("[data-comments-embed]").forEach(offerEmbed);
})();
