// The timeline page's enhancements: a topic filter and the order switch. Search has its own page
// (search/, from the header's form on every page).
// Everything here is optional: without JavaScript the page shows every event, oldest first,
// and the topic pages (tags/) do the filtering. The URL records the filter and the order
// (?tag=pardon&order=newest), so reload, bookmarks and back/forward keep them. The year links
// and the overview chart follow both: a year with no event on the topic loses its link, and the
// chart shows only the topic's events.
"use strict";

(function () {
  const controls = document.getElementById("timeline-controls");
  const timeline = document.getElementById("timeline");
  if (!controls || !timeline) return;
  controls.hidden = false;

  const tagSelect = document.getElementById("tag-filter");
  const orderButton = document.getElementById("order-toggle");
  const status = document.getElementById("filter-status");
  const yearLinks = document.getElementById("year-links");
  const links = yearLinks ? Array.from(yearLinks.querySelectorAll("a[data-year]")) : [];
  const marks = Array.from(document.querySelectorAll(".overview-chart a[data-tags]"));
  const sections = Array.from(timeline.querySelectorAll("section.year"));
  const total = timeline.querySelectorAll("article.event").length;
  timeline.dataset.reversed = "false"; // the page is built oldest first

  function state() {
    const params = new URLSearchParams(location.search);
    const tag = params.get("tag") || "";
    const known = Array.from(tagSelect.options).some((o) => o.value === tag);
    return { tag: known ? tag : "", newest: params.get("order") === "newest" };
  }

  function hasTag(element, tag) {
    return !tag || (element.dataset.tags || "").split(" ").includes(tag);
  }

  function apply({ tag, newest }) {
    let shown = 0;
    const visibleYears = new Set();
    for (const section of sections) {
      let visible = 0;
      for (const item of section.querySelectorAll("ol.timeline > li")) {
        const match = hasTag(item.querySelector("article.event"), tag);
        item.hidden = !match;
        if (match) visible += 1;
      }
      section.hidden = visible === 0;
      if (visible) visibleYears.add(section.querySelector(".year-heading").id.replace("year-", ""));
      shown += visible;
    }
    // Newest first: reverse the years and the events within each year, and the year links.
    const wantReversed = newest ? "true" : "false";
    if (timeline.dataset.reversed !== wantReversed) {
      for (const section of sections.slice().reverse()) timeline.appendChild(section);
      for (const list of timeline.querySelectorAll("ol.timeline")) {
        for (const item of Array.from(list.children).reverse()) list.appendChild(item);
      }
      for (const link of links.slice().reverse()) yearLinks.appendChild(link);
      sections.reverse();
      links.reverse();
      timeline.dataset.reversed = wantReversed;
    }
    for (const link of links) link.hidden = !visibleYears.has(link.dataset.year);
    // The chart's marks: SVG elements have no `hidden`, so a class hides them (style.css).
    for (const mark of marks) mark.classList.toggle("filtered-out", !hasTag(mark, tag));
    tagSelect.value = tag;
    orderButton.setAttribute("aria-pressed", newest ? "true" : "false");
    const label = tag ? tagSelect.options[tagSelect.selectedIndex].text.replace(/ \(\d+\)$/, "") : "";
    status.textContent = tag
      ? `Showing ${shown} of ${total} events on the topic “${label}”, ${newest ? "newest" : "oldest"} first.`
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
})();
