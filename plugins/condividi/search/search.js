// Condividi's search (a module, loaded only when a reader focuses a search field, or on the
// search page): Pagefind's index of the page's language, results as one types.
// Every search form carries its texts in data-search-* attributes (the page's language); a
// form with data-search-results fills that list, the header's form gets a panel below it.
import * as pagefind from "./pagefind.js";

const ready = pagefind
  .options({ noWorker: true, excerptLength: 24 })
  .then(() => pagefind.init());
const lang = document.documentElement.lang || "it";
const dates = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", year: "numeric" });

function text(form, name, count, query) {
  const key = count === 1 ? name + "One" : name;
  const template = form.dataset[key] || form.dataset[name] || "";
  return template.replace("{n}", String(count)).replace("{q}", query);
}

function resultItem(data, headingTag) {
  const item = document.createElement("li");
  item.className = "search-result";
  const heading = document.createElement(headingTag);
  heading.className = "search-result-title";
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = (data.meta && data.meta.title) || data.url;
  heading.appendChild(link);
  item.appendChild(heading);
  if (data.meta && data.meta.date) {
    const time = document.createElement("time");
    time.dateTime = data.meta.date;
    const day = new Date(data.meta.date + "T12:00:00");
    time.textContent = isNaN(day) ? data.meta.date : dates.format(day);
    item.appendChild(time);
  }
  const excerpt = document.createElement("p");
  // Pagefind's excerpt is the post's own text, escaped, with the matched words in <mark>.
  excerpt.innerHTML = data.excerpt;
  item.appendChild(excerpt);
  return item;
}

function panelFor(form) {
  const panel = document.createElement("div");
  panel.className = "search-panel";
  panel.id = form.id + "-panel";
  panel.hidden = true;
  const status = document.createElement("p");
  status.className = "search-status";
  status.setAttribute("role", "status");
  const list = document.createElement("ol");
  list.className = "search-results";
  const more = document.createElement("a");
  more.className = "search-more";
  panel.append(status, list, more);
  form.after(panel);
  return { panel, status, list, more, limit: 5, heading: "p" };
}

function pageTarget(form) {
  const list = document.getElementById(form.dataset.searchResults);
  const status = document.getElementById(form.dataset.searchStatus);
  return { panel: null, status, list, more: null, limit: 10, heading: "h2" };
}

function attach(form) {
  if (form.dataset.searchReady) return;
  form.dataset.searchReady = "1";
  const input = form.querySelector("input[type=search]");
  const target = form.dataset.searchResults ? pageTarget(form) : panelFor(form);
  let shown = "";

  async function run() {
    const query = input.value.trim();
    if (query === shown) return;
    if (!query) {
      shown = "";
      target.list.replaceChildren();
      target.status.textContent = "";
      if (target.panel) target.panel.hidden = true;
      form.dispatchEvent(new CustomEvent("search:results", { detail: { query, count: 0 } }));
      return;
    }
    await ready;
    const search = await pagefind.debouncedSearch(query, {}, 150);
    if (search === null || input.value.trim() !== query) return; // a newer query is on its way
    const found = await Promise.all(search.results.slice(0, target.limit).map((r) => r.data()));
    if (input.value.trim() !== query) return;
    shown = query;
    target.list.replaceChildren(...found.map((data) => resultItem(data, target.heading)));
    const count = search.results.length;
    target.status.textContent = count
      ? text(form, "searchFound", count, query)
      : text(form, "searchNone", 0, query);
    if (target.panel) {
      target.more.href = form.action + "?q=" + encodeURIComponent(query);
      target.more.textContent = text(form, "searchAll", count, query);
      target.more.hidden = count <= target.limit;
      target.panel.hidden = false;
    }
    form.dispatchEvent(new CustomEvent("search:results", { detail: { query, count } }));
  }

  input.addEventListener("input", run);
  if (target.panel) {
    const panel = target.panel;
    let closing = false;
    // Escape, in the field or in the results, closes the panel and puts the reader back in
    // the field; focusing the field again shows the same results again.
    const close = (event) => {
      if (event.key !== "Escape" || panel.hidden) return;
      event.preventDefault();
      panel.hidden = true;
      closing = true;
      input.focus();
      closing = false;
    };
    form.addEventListener("keydown", close);
    panel.addEventListener("keydown", close);
    document.addEventListener("click", (event) => {
      if (!form.contains(event.target) && !panel.contains(event.target)) panel.hidden = true;
    });
    input.addEventListener("focus", () => {
      if (!closing && shown && input.value.trim() === shown) panel.hidden = false;
    });
  }
  run();
}

// The search page's own form first: it starts from the address's ?q= and keeps it current.
for (const form of document.querySelectorAll("form[data-search-results]")) {
  const input = form.querySelector("input[type=search]");
  const query = new URLSearchParams(location.search).get("q");
  if (query && !input.value) input.value = query;
  const archive = document.getElementById(form.dataset.searchArchive);
  const carried = document.querySelectorAll("a[data-search-carry]");
  form.addEventListener("search:results", (event) => {
    const q = event.detail.query;
    const address = new URL(location.href);
    if (q) address.searchParams.set("q", q);
    else address.searchParams.delete("q");
    history.replaceState(null, "", address);
    if (archive) archive.hidden = Boolean(q);
    for (const link of carried) {
      const other = new URL(link.href);
      if (q) other.searchParams.set("q", q);
      else other.searchParams.delete("q");
      link.href = other.href;
    }
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  for (const hint of document.querySelectorAll("[data-search-nojs]")) hint.hidden = true;
  attach(form);
}
for (const form of document.querySelectorAll("form[data-search-script]")) attach(form);
