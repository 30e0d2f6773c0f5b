/* Old WordPress shortlinks (/?p=123, /?page_id=7, /?cat=3) on hosts without redirects: the
   home page, where they land, looks the query up in the map the build wrote and goes on to
   the new address. Loaded by the home page only, and only fetches the map when the address
   has one of the parameters the map uses (data-params). */
(function () {
  var script = document.currentScript;
  var query = window.location.search.slice(1);
  if (!script || !query || !window.fetch) {
    return;
  }
  var names = script.getAttribute("data-params").split(" ");
  var pairs = query.split("&");
  var keys = [];
  for (var i = 0; i < pairs.length; i++) {
    if (names.indexOf(pairs[i].split("=")[0]) >= 0) {
      keys.push(pairs[i]);
    }
  }
  if (!keys.length) {
    return;
  }
  keys.unshift(query); // an old address with several parameters is listed whole
  window.fetch(script.getAttribute("data-map"), { credentials: "omit" })
    .then(function (response) {
      return response.ok ? response.json() : {};
    })
    .then(function (map) {
      for (var j = 0; j < keys.length; j++) {
        if (Object.prototype.hasOwnProperty.call(map, keys[j])) {
          window.location.replace(map[keys[j]]);
          return;
        }
      }
    })
    .catch(function () {});
})();
