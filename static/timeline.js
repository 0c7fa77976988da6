// The timeline page's enhancements: search, a topic filter and the order switch.
// Everything here is optional: without JavaScript the page shows every event, oldest first,
// and the topic pages (tags/) do the filtering. The URL records the filter and the order
// (?tag=pardon&order=newest), so reload, bookmarks and back/forward keep them.
"use strict";

(function () {
  const controls = document.getElementById("timeline-controls");
  const timeline = document.getElementById("timeline");
  if (!controls || !timeline) return;
  controls.hidden = false;

  const tagSelect = document.getElementById("tag-filter");
  const orderButton = document.getElementById("order-toggle");
  const status = document.getElementById("filter-status");
  const sections = Array.from(timeline.querySelectorAll("section.year"));
  const total = timeline.querySelectorAll("article.event").length;
  timeline.dataset.reversed = "false"; // the page is built oldest first

  function state() {
    const params = new URLSearchParams(location.search);
    const tag = params.get("tag") || "";
    const known = Array.from(tagSelect.options).some((o) => o.value === tag);
    return { tag: known ? tag : "", newest: params.get("order") === "newest" };
  }

  function apply({ tag, newest }) {
    let shown = 0;
    for (const section of sections) {
      let visible = 0;
      for (const item of section.querySelectorAll("ol.timeline > li")) {
        const tags = (item.querySelector("article.event").dataset.tags || "").split(" ");
        const match = !tag || tags.includes(tag);
        item.hidden = !match;
        if (match) visible += 1;
      }
      section.hidden = visible === 0;
      shown += visible;
    }
    // Newest first: reverse the years and the events within each year.
    const wantReversed = newest ? "true" : "false";
    if (timeline.dataset.reversed !== wantReversed) {
      for (const section of sections.slice().reverse()) timeline.appendChild(section);
      for (const list of timeline.querySelectorAll("ol.timeline")) {
        for (const item of Array.from(list.children).reverse()) list.appendChild(item);
      }
      sections.reverse();
      timeline.dataset.reversed = wantReversed;
    }
    tagSelect.value = tag;
    orderButton.setAttribute("aria-pressed", newest ? "true" : "false");
    orderButton.textContent = newest ? "Show oldest first" : "Show newest first";
    status.textContent = tag
      ? `Showing ${shown} of ${total} events on the topic “${tag}”.`
      : `Showing all ${total} events, ${newest ? "newest" : "oldest"} first.`;
  }

  function go(change) {
    const next = Object.assign(state(), change);
    const params = new URLSearchParams(location.search);
    if (next.tag) params.set("tag", next.tag); else params.delete("tag");
    if (next.newest) params.set("order", "newest"); else params.delete("order");
    const query = params.toString();
    history.pushState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    apply(next);
  }

  tagSelect.addEventListener("change", () => go({ tag: tagSelect.value }));
  orderButton.addEventListener("click", () => go({ newest: !state().newest }));
  window.addEventListener("popstate", () => apply(state()));
  apply(state());

  // Search: Pagefind's index is loaded only when a reader starts typing.
  const input = document.getElementById("search-input");
  const results = document.getElementById("search-results");
  let pagefind = null;
  let latest = 0;

  async function engine() {
    if (!pagefind) {
      pagefind = await import(new URL("pagefind/pagefind.js", document.baseURI).href);
      await pagefind.options({ baseUrl: new URL(".", document.baseURI).pathname });
    }
    return pagefind;
  }

  function show(found, query) {
    results.replaceChildren();
    if (!query) return;
    const heading = document.createElement("p");
    heading.className = "search-count";
    heading.textContent = found.length
      ? `${found.length} event${found.length === 1 ? "" : "s"} match “${query}”:`
      : `No event matches “${query}”.`;
    results.appendChild(heading);
    const list = document.createElement("ol");
    for (const item of found) {
      const entry = document.createElement("li");
      const link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.meta.title || item.url;
      const excerpt = document.createElement("p");
      // Pagefind marks matches with <mark>; only the text is kept, never its markup.
      excerpt.textContent = new DOMParser().parseFromString(item.excerpt, "text/html").body.textContent;
      entry.append(link, excerpt);
      list.appendChild(entry);
    }
    results.appendChild(list);
  }

  input.addEventListener("input", async () => {
    const query = input.value.trim();
    const ticket = ++latest;
    if (!query) return show([], "");
    try {
      const search = await (await engine()).search(query);
      const found = await Promise.all(search.results.slice(0, 10).map((r) => r.data()));
      if (ticket === latest) show(found, query);
    } catch (error) {
      results.textContent = "Search is not available here.";
    }
  });
})();
