// The search page (search/): Pagefind's index of the event pages, read in the browser.
// The form is in the page, so without JavaScript it is a plain GET form and the <noscript>
// note explains; with it, this script reads ?q= and ?topic= from the address, shows every
// match (a page of results at a time, never cut silently), and keeps the address in step with
// the form, so reload, bookmarks and back/forward keep the search.
// Nothing Pagefind returns is parsed as HTML: titles are text, excerpts are rebuilt from text
// with <mark> elements made here.
"use strict";

(function () {
  const form = document.getElementById("search-form");
  if (!form) return;
  const input = document.getElementById("search-query");
  const topicSelect = document.getElementById("search-topic");
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results-list");
  const more = document.getElementById("search-more");
  const moreLine = document.getElementById("search-more-line");
  const shownNote = document.getElementById("search-shown");
  const fallback = document.getElementById("search-fallback");
  const root = new URL(form.dataset.root, location.href); // the site's root, where pagefind/ is
  const baseTitle = document.title;
  const PAGE = 20; // results fetched and shown per "Show more results"
  const TYPING_DELAY = 250; // ms of quiet typing before searching
  const SLOW = 400; // ms before "Searching…" is shown (loading the index on a slow connection)
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];

  let engine = null; // a promise of the Pagefind module, made on first use
  const indexFiles = new Map(); // pagefind/<name> → a promise of its JSON
  let current = null; // {results, shown}: the search on screen and how many of its results are shown
  let ticket = 0; // numbers the searches: an answer to an older one is dropped
  let typingTimer = 0;

  function topicLabel(slug) {
    const option = Array.from(topicSelect.options).find((o) => o.value === slug);
    return option ? option.textContent.trim() : slug;
  }

  // ---- The address and the form ----

  function fromAddress() {
    const params = new URLSearchParams(location.search);
    const topic = params.get("topic") || "";
    const known = Array.from(topicSelect.options).some((o) => o.value === topic);
    return { q: (params.get("q") || "").trim(), topic: known ? topic : "" };
  }

  function address({ q, topic }) {
    const params = new URLSearchParams();
    if (q) params.set("q", q);
    if (topic) params.set("topic", topic);
    const query = params.toString();
    return location.pathname + (query ? "?" + query : "");
  }

  function fromForm() {
    return { q: input.value.trim(), topic: topicSelect.value };
  }

  function retitle({ q }) {
    document.title = q ? `“${q}” · ${baseTitle}` : baseTitle;
  }

  function record(wanted, push) {
    const next = address(wanted);
    if (next !== location.pathname + location.search) {
      history[push ? "pushState" : "replaceState"](null, "", next);
    }
    retitle(wanted);
  }

  // ---- Pagefind ----

  // The index is in shards (timeline/search.py), listed in pagefind/shards.json: the first is
  // loaded and the others merged into it, so one search runs over every page.
  function pagefind() {
    if (!engine) {
      engine = indexFile("shards.json").then(async (listed) => {
        const shards = listed.shards.map((name) => new URL(`pagefind/${name}/`, root));
        const module = await import(new URL("pagefind.js", shards[0]).href);
        await module.options({ baseUrl: root.pathname });
        await Promise.all(shards.slice(1).map((shard) => module.mergeIndex(shard.pathname)));
        return module;
      });
      engine.catch(() => { engine = null; }); // a later search tries again
    }
    return engine;
  }

  // Files the build writes beside the index (timeline/search.py), each fetched once, on first use;
  // a failed fetch is tried again by a later search.
  function indexFile(name) {
    if (!indexFiles.has(name)) {
      const loading = fetch(new URL(`pagefind/${name}`, root).href).then((response) => {
        if (!response.ok) throw new Error(`${name}: ${response.status}`);
        return response.json();
      });
      loading.catch(() => { indexFiles.delete(name); });
      indexFiles.set(name, loading);
    }
    return indexFiles.get(name);
  }

  // Pagefind's own filters make its index differ from build to build (Pagefind 1.5), so the
  // build writes which pages carry each topic, and results are narrowed here.
  const topics = () => indexFile("topics.json");
  // Every page's id, oldest first: merged shards come back sorted by score.
  const order = () => indexFile("order.json");

  // ---- Showing results ----

  function readableDate(iso) {
    const [year, month, day] = (iso || "").split("-").map(Number);
    if (!year) return "";
    if (!month) return String(year);
    return (day ? `${day} ` : "") + `${MONTHS[month - 1]} ${year}`;
  }

  // Pagefind's excerpt is its text with < and > escaped and the matches in <mark>…</mark>:
  // split on those two tags and unescape, so every character the editor wrote stays text.
  function excerptNodes(excerpt) {
    const nodes = [];
    const unescape = (text) => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">");
    (excerpt || "").split(/(<mark>|<\/mark>)/).reduce((marked, part) => {
      if (part === "<mark>") return true;
      if (part === "</mark>") return false;
      if (part) {
        if (marked) {
          const mark = document.createElement("mark");
          mark.textContent = unescape(part);
          nodes.push(mark);
        } else {
          nodes.push(document.createTextNode(unescape(part)));
        }
      }
      return marked;
    }, false);
    return nodes;
  }

  function resultItem(data) {
    const item = document.createElement("li");
    item.className = "search-result";
    const date = document.createElement("p");
    date.className = "search-result-date";
    const iso = (data.meta && data.meta.date) || "";
    if (iso) {
      const time = document.createElement("time");
      time.dateTime = iso;
      time.textContent = readableDate(iso);
      date.appendChild(time);
    }
    const heading = document.createElement("h2");
    heading.className = "search-result-title";
    const link = document.createElement("a");
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    heading.appendChild(link);
    const excerpt = document.createElement("p");
    excerpt.className = "search-result-excerpt";
    excerpt.append(...excerptNodes(data.excerpt));
    item.append(date, heading, excerpt);
    return item;
  }

  function summary(count, { q, topic }) {
    const events = count === 1 ? "event" : "events";
    const where = topic ? ` on the topic “${topicLabel(topic)}”` : "";
    if (!q) return count ? `${count} ${events}${where}, oldest first.` : `No event${where}.`;
    if (!count) return `No event${where} matches “${q}”.`;
    return `${count} ${events}${where} ${count === 1 ? "matches" : "match"} “${q}”.`;
  }

  function say(text) {
    if (status.textContent !== text) status.textContent = text;
  }

  function clear(message) {
    current = null;
    list.replaceChildren();
    moreLine.hidden = true;
    say(message);
  }

  function unavailable() {
    clear("Search is not available in this preview or build: its index is missing.");
    fallback.hidden = false;
  }

  async function showMore(focusFirst) {
    const shown = current;
    if (!shown) return;
    more.disabled = true;
    try {
      const page = shown.results.slice(shown.shown, shown.shown + PAGE);
      const data = await Promise.all(page.map((r) => r.data()));
      if (shown !== current) return; // a newer search replaced this one meanwhile
      const items = data.map(resultItem);
      list.append(...items);
      shown.shown += items.length;
      moreLine.hidden = shown.shown >= shown.results.length;
      shownNote.textContent = `${shown.shown} of ${shown.results.length} shown`;
      // The button may now be gone: the reader goes on from the first new result instead.
      if (focusFirst && items.length) items[0].querySelector("a").focus();
    } finally {
      more.disabled = false;
    }
  }

  async function run(wanted) {
    const mine = ++ticket;
    clearTimeout(typingTimer);
    if (!wanted.q && !wanted.topic) return clear("");
    const slow = setTimeout(() => { if (mine === ticket) say("Searching…"); }, SLOW);
    try {
      let module;
      try {
        module = await pagefind();
      } catch (error) {
        if (mine === ticket) unavailable();
        return;
      }
      if (mine !== ticket) return;
      // With a topic and no words: every event on the topic, in timeline order.
      const found = wanted.q
        ? await module.search(wanted.q)
        : await module.search(null, { sort: { date: "asc" } });
      let results = found.results;
      if (!wanted.q) {
        // Each shard's results come sorted by date, but merged they are sorted by score.
        const place = new Map((await order()).map((id, index) => [id, index]));
        results = results.slice().sort((a, b) => place.get(a.id) - place.get(b.id));
      }
      if (wanted.topic) {
        const pages = new Set((await topics())[wanted.topic] || []);
        results = results.filter((result) => pages.has(result.id));
      }
      clearTimeout(slow);
      if (mine !== ticket) return;
      clear(summary(results.length, wanted));
      fallback.hidden = true;
      current = { results, shown: 0 };
      await showMore(false);
    } catch (error) {
      if (mine === ticket) clear("The search could not be completed. Please try again.");
    } finally {
      clearTimeout(slow);
    }
  }

  // ---- Wiring ----

  function fill({ q, topic }) {
    input.value = q;
    topicSelect.value = topic;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const wanted = fromForm();
    record(wanted, true);
    run(wanted);
  });
  input.addEventListener("input", () => {
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => {
      const wanted = fromForm();
      record(wanted, false);
      run(wanted);
    }, TYPING_DELAY);
  });
  topicSelect.addEventListener("change", () => {
    const wanted = fromForm();
    record(wanted, true);
    run(wanted);
  });
  more.addEventListener("click", () => {
    showMore(true).catch(() => say("The next results could not be loaded. Please try again."));
  });
  window.addEventListener("popstate", () => {
    const wanted = fromAddress();
    fill(wanted);
    retitle(wanted);
    run(wanted);
  });

  const start = fromAddress();
  fill(start);
  retitle(start);
  run(start);
})();
