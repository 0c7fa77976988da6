"""Printing, as Chromium prints to PDF: an event page starts its article on the first sheet and
carries its own address (a reader with the printout must find the page again), and the timeline
prints without what only works on a screen: the search box, the filter controls and the instructions
for the overview's marks.

What is expected is read from the built pages (an event's title and summary, its canonical address),
never written here. The PDF's text is read with pypdf.
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest
from conftest import SITES, find_page
from playwright.sync_api import Page
from pypdf import PdfReader

PAPERS = ["A4", "Letter"]
SUMMARY_WORDS = 8  # the summary's first words that must be on the first sheet


def _open(new_page, request, name: str, address: str) -> Page:
    page = new_page()
    response = page.goto(request.getfixturevalue(SITES[name][1]) + address, wait_until="load")
    assert response is not None and response.status == 200
    page.wait_for_load_state("networkidle")
    return page


def _sheets(page: Page, paper: str) -> list[str]:
    """The text of each sheet of the page printed on this paper."""
    page.emulate_media(media="print")
    reader = PdfReader(io.BytesIO(page.pdf(format=paper)))
    return [sheet.extract_text() or "" for sheet in reader.pages]


def _squeezed(text: str) -> str:
    """Text without its white space (line breaks fall where the paper's width puts them) and with
    ligatures spelt out: Chromium prints 'fi' as one glyph, which pypdf reads as 'ﬁ'."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _event_with_summary(site: Path) -> str:
    """An event page with a summary; one with a claim review (above the summary) if there is one."""
    first = find_page(site, "event page")
    assert first is not None, f"no event page was built in {site}"
    others = sorted(p.parent.relative_to(site).as_posix() + "/" for p in site.glob("events/*/index.html"))
    for address in [first, *others]:
        if 'class="lede"' in (site / address / "index.html").read_text(encoding="utf-8"):
            return address
    raise AssertionError(f"no event page in {site} shows a summary")


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("name", list(SITES))
def test_an_event_page_prints_its_article_from_the_first_sheet_with_its_address(new_page, request, name, paper):
    site = request.getfixturevalue(SITES[name][0])
    page = _open(new_page, request, name, _event_with_summary(site))
    title = " ".join(page.locator("article h1").first.text_content().split())
    summary = page.locator("article .lede").first.evaluate("""lede => {
        const copy = lede.cloneNode(true);
        copy.querySelectorAll('sup').forEach(sup => sup.remove());  // the [1] of a citation
        return copy.textContent;
    }""")
    first_words = " ".join(summary.split()[:SUMMARY_WORDS])
    canonical = page.locator('link[rel="canonical"]').get_attribute("href")
    assert title and first_words and canonical

    sheets = _sheets(page, paper)
    where = f"the printed {page.url} ({paper}, {len(sheets)} sheets)"
    first = _squeezed(sheets[0])
    assert _squeezed(title) in first, f"{where}: the title {title!r} is not on the first sheet:\n{sheets[0][:1500]}"
    assert _squeezed(first_words) in first, (
        f"{where}: the summary's first words {first_words!r} are not on the first sheet:\n{sheets[0][:1500]}")
    # The address, with or without its scheme; the one it was deployed at, or the one it was printed from.
    everything = _squeezed("".join(sheets))
    addresses = [url.split("://", 1)[1].rstrip("/") for url in (canonical, page.url)]
    assert any(address in everything for address in addresses), (
        f"{where}: neither {canonical} nor {page.url} is printed:\n" + "\n".join(sheets)[:3000])


# Every text of the search boxes and the timeline's controls (labels, buttons, options, status lines,
# typed values), and any instructions to "select a mark", is replaced by a marker of its own before the
# page is printed; no marker may be in the PDF. One more marker is added to the h1, which must print:
# it proves a marker that prints is found.
MARK_JS = """() => {
    const marks = [];
    const mark = what => { const m = `PRINTMARK${marks.length}X`; marks.push([m, what]); return m; };
    const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (el.getAttribute('class') ? '.' + el.getAttribute('class').trim().split(/\\s+/).join('.') : '');
    const texts = root => {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        const found = [];
        for (let node; (node = walker.nextNode());) found.push(node);
        return found;
    };
    const controls = 'form, [role="search"], #timeline-controls, label, button, select, input';
    for (const root of document.querySelectorAll(controls)) {
        for (const node of texts(root)) {
            if (node.data.trim() && !/^PRINTMARK\\d+X$/.test(node.data)) {
                const text = JSON.stringify(node.data.trim().replace(/\\s+/g, ' ').slice(0, 50));
                node.data = mark(`${text} of ${describe(node.parentElement)} in ${describe(root)}`);
            }
        }
        if (root.matches('input:not([type]), input[type="search"], input[type="text"]')) {
            root.value = mark(`what is typed into ${describe(root)}`);
        }
    }
    for (const node of texts(document.body)) {
        if (/select a mark/i.test(node.data)) {
            node.data = mark(`the instructions ${JSON.stringify(node.data.trim())} in ${describe(node.parentElement)}`);
        }
    }
    const h1 = document.querySelector('h1');
    const canary = `PRINTMARK${marks.length}X`;
    h1.append(' ' + canary);
    return {marks, canary};
}"""


@pytest.mark.parametrize("name", list(SITES))
def test_the_timeline_prints_without_search_box_filter_controls_or_pointer_instructions(new_page, request, name):
    site = request.getfixturevalue(SITES[name][0])
    page = _open(new_page, request, name, find_page(site, "timeline") or "")
    if page.locator("#timeline-controls").count():
        page.wait_for_function("() => !document.getElementById('timeline-controls').hidden")  # timeline.js shows them
    marked = page.evaluate(MARK_JS)
    assert marked["marks"], "found no search box, control or instructions to look for on the timeline"

    sheets = _sheets(page, "A4")
    text = _squeezed("".join(sheets))
    assert marked["canary"] in text, f"the h1 of the timeline did not print:\n{sheets[0][:1500]}"
    printed = [what for mark, what in marked["marks"] if mark in text]
    assert not printed, f"{len(printed)} screen-only text(s) printed on the {name} site's timeline:\n" + "\n".join(
        printed[:30])
