/* The header's search field: the search itself (Pagefind and the site's search script, in
   the index's folder) loads only when a reader focuses the field; until then, and without
   JavaScript, the field is a plain form that opens the search page. */
(function () {
  var forms = document.querySelectorAll("form[data-search-script]");
  var loaded = false;

  function load(form) {
    if (loaded) {
      return;
    }
    loaded = true;
    var style = document.createElement("link");
    style.rel = "stylesheet";
    // css/search.css, beside the page's css/site.css
    style.href = document.querySelector("link[href$='/site.css']").href.replace(/site\.css$/, "search.css");
    document.head.appendChild(style);
    var script = document.createElement("script");
    script.type = "module";
    script.src = form.getAttribute("data-search-script");
    document.head.appendChild(script);
  }

  for (var i = 0; i < forms.length; i++) {
    forms[i].addEventListener("focusin", function () {
      load(this);
    });
  }
})();
