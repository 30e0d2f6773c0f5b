/* make serve only (never in output/): reload this page when the site is rebuilt, and show
   the errors of a build that failed. The dev server adds this script to every page it sends. */
(function () {
  "use strict";
  if (!window.EventSource || !window.JSON) {
    return;
  }
  var overlay = null;

  function pathOf(url) {
    var parsed = new URL(url, location.href);
    if (parsed.origin !== location.origin) {
      return null;
    }
    return decodeURIComponent(parsed.pathname).replace(/\/index\.html$/, "/");
  }

  // The paths this page is made of: itself, its stylesheets, scripts and images.
  function ownPaths() {
    var paths = [pathOf(location.href)];
    var elements = document.querySelectorAll("link[rel~=stylesheet][href], script[src], img[src]");
    for (var i = 0; i < elements.length; i++) {
      var path = pathOf(elements[i].href || elements[i].src);
      if (path) {
        paths.push(path);
      }
    }
    return paths;
  }

  function concerned(changed) {
    var mine = ownPaths();
    for (var i = 0; i < changed.length; i++) {
      var path = ("/" + changed[i]).replace(/\/index\.html$/, "/");
      if (mine.indexOf(path) >= 0) {
        return true;
      }
    }
    return false;
  }

  function hide() {
    if (overlay) {
      overlay.parentNode.removeChild(overlay);
      overlay = null;
    }
  }

  function show(problems) {
    hide();
    overlay = document.createElement("div");
    overlay.id = "condividi-build-problems";
    overlay.setAttribute("role", "alert");
    var style = overlay.style; // CSSOM, which a strict Content-Security-Policy allows
    style.position = "fixed";
    style.left = style.right = style.top = "0";
    style.zIndex = "2147483647";
    style.maxHeight = "60vh";
    style.overflow = "auto";
    style.padding = "1em";
    style.background = "#fff4f4";
    style.color = "#5c0000";
    style.borderBottom = "4px solid #b00020";
    style.font = "15px/1.4 system-ui, sans-serif";
    var title = document.createElement("strong");
    title.textContent = "Il sito non è stato ricostruito: la pagina mostra l'ultima versione riuscita. " +
      "The site was not rebuilt: this is the last good version.";
    overlay.appendChild(title);
    var list = document.createElement("ul");
    for (var i = 0; i < problems.length; i++) {
      var item = document.createElement("li");
      item.textContent = problems[i];
      item.style.whiteSpace = "pre-wrap";
      list.appendChild(item);
    }
    overlay.appendChild(list);
    document.body.appendChild(overlay);
  }

  var source = new EventSource("/__condividi/events");
  source.addEventListener("reload", function (event) {
    var data = JSON.parse(event.data);
    if (data.all || concerned(data.paths)) {
      location.reload();
    }
  });
  source.addEventListener("problem", function (event) {
    show(JSON.parse(event.data).problems);
  });
  source.addEventListener("ok", hide);
})();
