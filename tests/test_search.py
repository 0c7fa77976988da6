"""The search page (search/, static/search.js) in Chromium, on the real site and on a generated one.

Every number is Pagefind's own or read from the built pages, never the live content's: the count
the page shows is the count Pagefind gives, and "Show more results" reaches every one of them.
The generated site (bench/generate.py, GENERATED events, so it has year pages) has one more event,
whose title is HTML-like text and whose two sources come from a publisher named nowhere else.
"""

from __future__ import annotations

import functools
import gzip
import html
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import (
    PROJECT,
    SITE_YAML,
    SOURCE_YAML,
    find_page,
    run_script,
    serving,
    write_files,
)
from playwright.sync_api import Page, expect

from timeline import search
from timeline.search import SearchIndexError, write_topic_index

GENERATED = 300  # more than one page of results for a common word, and year pages
PAGE_SIZE = 20  # results search.js shows at first and adds per "Show more results"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
COUNT = re.compile(r"^(?:(\d+) events?|No event)\b")

HOSTILE_TITLE = "<b>x</b> Quokka inquiry opens"
ONLY_IN_SOURCES = ("Zyxwvut", "Wombat")  # the publisher and titles of the hostile event's sources
HOSTILE_FILES = {
    "content/sources/zyxwvut-one.yaml": "url: https://zyxwvut.example.org/one\ntitle: Wombat bulletin one\n"
                                        "publisher: Zyxwvut Press\npublished: '2024-05-05'\n",
    "content/sources/zyxwvut-two.yaml": "url: https://zyxwvut.example.org/two\ntitle: Wombat bulletin two\n"
                                        "publisher: Zyxwvut Press\npublished: '2024-05-06'\n",
    "content/events/2024-05-06-quokka-inquiry.md": (
        f"---\ntitle: '{HOSTILE_TITLE}'\ndate: '2024-05-06'\ntags: [courts]\n"
        "sources:\n  - zyxwvut-one\n  - zyxwvut-two\n---\n"
        "The quokka inquiry opened with a statement about `<i>tags</i>` in titles.[^zyxwvut-one]\n\n"
        "The inquiry heard from the keeper of the quokka enclosure.[^zyxwvut-two]\n"),
}


# ---- The sites ----

@pytest.fixture(scope="session")
def generated_site(tmp_path_factory) -> Path:
    """bench/generate.py's timeline of GENERATED events plus the hostile event, built with search."""
    folder = tmp_path_factory.mktemp("search-generated")
    made = subprocess.run([sys.executable, str(PROJECT / "bench" / "generate.py"), str(GENERATED), str(folder)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert made.returncode == 0, made.stderr
    write_files(folder, HOSTILE_FILES)
    built = run_script("--content", str(folder / "content"), "--out", str(folder / "_site"))
    assert built.returncode == 0, built.stderr
    return folder / "_site"


@pytest.fixture(scope="session")
def generated_url(generated_site, tmp_path_factory) -> Iterator[str]:
    """The generated site over HTTP, at the path of its base_url (as conftest serves the real one)."""
    with serving(generated_site, tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="session")
def whole_index_url(generated_site, tmp_path_factory) -> Iterator[str]:
    """The generated site again, its search index made as one bundle instead of shards."""
    folder = tmp_path_factory.mktemp("search-whole") / "_site"
    shutil.copytree(generated_site, folder, symlinks=True)
    shutil.rmtree(folder / "pagefind")
    pages, search.SHARD_PAGES = search.SHARD_PAGES, 10**9
    try:
        search.index_for_search(folder)
    finally:
        search.SHARD_PAGES = pages
    assert len(json.loads((folder / "pagefind" / "shards.json").read_text())["shards"]) == 1
    with serving(folder, tmp_path_factory) as url:
        yield url


@dataclass(frozen=True)
class Site:
    folder: Path
    url: str


SITES = {"real": ("real_site", "base_url"), "generated": ("generated_site", "generated_url")}


def get_site(request, name: str) -> Site:
    folder, url = SITES[name]
    return Site(request.getfixturevalue(folder), request.getfixturevalue(url))


@pytest.fixture(params=list(SITES))
def site(request) -> Site:
    return get_site(request, request.param)


# ---- What Pagefind indexes, read from the built event pages ----

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Indexed(HTMLParser):
    """An event page as Pagefind reads it: the text inside data-pagefind-body and outside
    data-pagefind-ignore, the ignored text, the h1, the date meta and the topics meta."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, in the body, ignored)
        self.text: list[str] = []
        self.ignored: list[str] = []
        self.title = ""
        self.date = ""
        self.topics: set[str] = set()
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name == "data-pagefind-meta" and value and value.startswith("topics:"):
                self.topics.update(value.removeprefix("topics:").split())
            if name == "data-pagefind-meta" and value and value.startswith("date:"):
                self.date = value.removeprefix("date:")
        if tag in VOID:
            return
        body, ignored = self.stack[-1][1:] if self.stack else (False, False)
        self.stack.append((tag, body or "data-pagefind-body" in attributes,
                           ignored or "data-pagefind-ignore" in attributes))
        self.in_title = self.in_title or (tag == "h1" and self.stack[-1][1])

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass
        if tag == "h1":
            self.in_title = False

    def handle_data(self, data):
        if self.stack and self.stack[-1][1]:
            (self.ignored if self.stack[-1][2] else self.text).append(data)
            if self.in_title:
                self.title += data


@functools.cache
def indexed(page: Path) -> _Indexed:
    parser = _Indexed()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return parser


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def event_pages(site: Path) -> list[Path]:
    return sorted(site.glob("events/*/index.html"))


def page_of(site: Site, href: str) -> Path:
    """The built file of a result's link (an absolute path on the server)."""
    base = urlsplit(site.url).path
    assert href.startswith(base), href
    return site.folder / href[len(base):] / "index.html"


def common_word(site: Path) -> str:
    """The word of five letters or more in the most event pages' indexed text."""
    counts = Counter(w for page in event_pages(site) for w in words(" ".join(indexed(page).text))
                     if len(w) >= 5 and w.isalpha())
    return most_common(counts)


def most_common(counts: Counter) -> str:
    """The most frequent key; of equals, the first in alphabetical order (Counter's own choice
    would follow the order of sets, which changes from run to run)."""
    return min(counts, key=lambda key: (-counts[key], key))


def narrowing_topic(site: Path, word: str) -> str:
    """A topic some events with `word` have and some do not: the one that splits them most evenly."""
    having = [indexed(p).topics for p in event_pages(site) if word in words(" ".join(indexed(p).text))]
    topics = set().union(*having)
    return max(sorted(topics), key=lambda t: min(sum(t in ts for ts in having), sum(t not in ts for ts in having)))


# ---- The page ----

def watch(page: Page) -> list[str]:
    """Every console error and uncaught exception of the page, as it happens."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def shown_count(page: Page, expected_text: str = "") -> int:
    """The number in the results count, once it is there (and says `expected_text`)."""
    status = page.locator("#search-status")
    expect(status).to_have_text(COUNT, timeout=15_000)  # the first search loads the index
    if expected_text:
        expect(status).to_contain_text(expected_text)
    number = COUNT.match(status.inner_text()).group(1)
    count = int(number) if number else 0
    expect(page.locator("#search-results-list > li")).to_have_count(min(count, PAGE_SIZE))
    return count


# The index as search.js loads it, written again here so that a test does not trust search.js:
# the first shard listed in pagefind/shards.json, with every other one merged into it.
LOAD_INDEX = """const loadIndex = async (root) => {
    const shards = (await (await fetch(new URL("pagefind/shards.json", root))).json()).shards;
    const module = await import(new URL(`pagefind/${shards[0]}/pagefind.js`, root).href);
    // An instance of its own: the module's default one is search.js's, with its shards merged.
    const pagefind = module.createInstance({basePath: new URL(`pagefind/${shards[0]}/`, root).pathname,
                                            baseUrl: new URL(root).pathname});
    for (const shard of shards.slice(1)) await pagefind.mergeIndex(new URL(`pagefind/${shard}/`, root).pathname);
    return pagefind;
};
"""


def pagefind_count(page: Page, term: str | None, topic: str = "") -> int:
    """Pagefind's own count, asked in the page through the same module search.js uses; with a
    topic, the results whose own page data names it (not search.js's topics.json)."""
    return page.evaluate("""async ([term, topic]) => {""" + LOAD_INDEX + """
        const pagefind = await loadIndex(new URL("../", location.href));
        const results = (await pagefind.search(term, term ? {} : {sort: {date: "asc"}})).results;
        if (!topic) return results.length;
        const data = await Promise.all(results.map((r) => r.data()));
        return data.filter((d) => (d.meta.topics || "").split(" ").includes(topic)).length;
    }""", [term, topic])


def show_all(page: Page) -> list[dict]:
    """Click "Show more results" until it is gone; each result's link, title, date and excerpt."""
    items = page.locator("#search-results-list > li")
    more = page.get_by_role("button", name="Show more results")
    while more.is_visible():
        before = items.count()
        more.click()
        expect(items).not_to_have_count(before)
        # The reader goes on from the first new result, not from a button that may be gone.
        assert page.evaluate("n => document.activeElement === document.querySelectorAll("
                             "'#search-results-list > li')[n].querySelector('a')", before)
    return page.eval_on_selector_all("#search-results-list > li", """items => items.map(li => ({
        href: li.querySelector("h2 a").getAttribute("href"), title: li.querySelector("h2").textContent,
        date: li.querySelector("time") ? li.querySelector("time").dateTime : "",
        excerpt: li.querySelector(".search-result-excerpt").textContent,
        marks: Array.from(li.querySelectorAll("mark"), m => m.textContent),
        elements: Array.from(li.querySelectorAll("*"), e => e.localName)}))""")


def search_url(site: Site, **params: str) -> str:
    return site.url + "search/" + ("?" + urlencode(params) if params else "")


# ---- Tests ----

def test_every_match_is_shown_with_its_own_title_date_and_text(site, new_page):
    page = new_page()
    errors = watch(page)
    word = common_word(site.folder)
    page.goto(search_url(site, q=word))
    count = shown_count(page, f"“{word}”")
    assert count == pagefind_count(page, word) > 0
    results = show_all(page)
    assert len(results) == len({r["href"] for r in results}) == count
    for result in results:
        event = indexed(page_of(site, result["href"]))
        assert result["title"] == event.title.strip()
        assert result["date"] == event.date
        # Every word of the excerpt is in the event's indexed text: none from its sources section.
        assert words(result["excerpt"]) <= words(" ".join(event.text)), result
        assert set(result["elements"]) <= {"p", "time", "h2", "a", "mark"}
    assert any(word in m.lower() for r in results for m in r["marks"])
    assert errors == []


def test_a_topic_narrows_the_results_to_events_on_that_topic(site, new_page):
    page = new_page()
    errors = watch(page)
    word = common_word(site.folder)
    topic = narrowing_topic(site.folder, word)
    page.goto(search_url(site, q=word))
    everything = shown_count(page, f"“{word}”")
    page.get_by_label("Topic").select_option(topic)
    narrowed = shown_count(page, "on the topic")
    assert 0 < narrowed < everything
    assert narrowed == pagefind_count(page, word, topic)
    assert parse_qs(urlsplit(page.url).query) == {"q": [word], "topic": [topic]}
    for result in show_all(page):
        assert topic in indexed(page_of(site, result["href"])).topics, result["href"]
    assert errors == []


def test_a_topic_alone_lists_every_event_on_it_oldest_first(site, new_page):
    page = new_page()
    errors = watch(page)
    pages = event_pages(site.folder)
    topic = most_common(Counter(t for p in pages for t in indexed(p).topics))
    page.goto(search_url(site, topic=topic))
    count = shown_count(page, "oldest first")
    assert count == sum(topic in indexed(p).topics for p in pages) == pagefind_count(page, None, topic)
    dates = [r["date"] for r in show_all(page)]
    assert len(dates) == count and dates == sorted(dates)
    assert errors == []


def test_the_query_and_topic_round_trip_through_the_address(base_url, real_site, new_page):
    page = new_page()
    errors = watch(page)
    site = Site(real_site, base_url)
    word = common_word(real_site)
    topic = narrowing_topic(real_site, word)
    page.goto(search_url(site))
    assert page.evaluate("document.activeElement === document.body")  # nothing takes the focus
    assert page.get_by_role("status").get_attribute("aria-live") == "polite"
    page.get_by_label("Search for").fill(word)  # typing: the address follows without a new entry
    everything = shown_count(page, f"“{word}”")
    expect(page).to_have_url(re.compile(r"search/\?q=" + word + "$"))
    page.get_by_label("Topic").select_option(topic)  # a choice: a new entry in the history
    narrowed = shown_count(page, "on the topic")
    expect(page).to_have_url(re.compile(rf"search/\?q={word}&topic={topic}$"))
    page.reload()
    expect(page.get_by_label("Search for")).to_have_value(word)
    expect(page.get_by_label("Topic")).to_have_value(topic)
    assert shown_count(page, "on the topic") == narrowed
    page.go_back()
    expect(page.get_by_label("Topic")).to_have_value("")
    expect(page.get_by_role("status")).not_to_contain_text("on the topic")
    assert shown_count(page, f"“{word}”") == everything
    shouted = word.upper()  # another query with the same matches: Pagefind ignores case
    page.get_by_label("Search for").fill(shouted)
    page.get_by_role("button", name="Search", exact=True).last.click()  # the page's, not the header's
    expect(page).to_have_url(re.compile(rf"search/\?q={shouted}$"))
    assert shown_count(page, f"“{shouted}”") == everything
    page.go_back()  # submitting made a new entry in the history
    expect(page.get_by_label("Search for")).to_have_value(word)
    assert shown_count(page, f"“{word}”") == everything
    assert errors == []


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name, kind", [("real", "timeline"), ("real", "event page"), ("real", "tag page"),
                                        ("generated", "year page")])
def test_the_header_form_leads_to_results_from_every_kind_of_page(request, name, kind, size, new_page):
    site = get_site(request, name)
    path = find_page(site.folder, kind)
    assert path is not None, f"no {kind} was built"
    page = new_page(viewport=SIZES[size], color_scheme="dark" if size == "phone" else "light")
    errors = watch(page)
    word = common_word(site.folder)
    page.goto(site.url + path)
    page.locator("#site-search-query").fill(word)
    page.locator("#site-search-query").press("Enter")
    expect(page).to_have_url(re.compile(r"search/\?q=" + word + "$"))
    assert shown_count(page, f"“{word}”") > 0
    expect(page.get_by_label("Search for")).to_have_value(word)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    assert errors == []


def test_titles_and_excerpts_are_text_and_sources_are_not_searched(generated_url, generated_site, new_page):
    site = Site(generated_site, generated_url)
    page = new_page()
    errors = watch(page)
    page.goto(search_url(site, q="quokka"))
    assert shown_count(page, "“quokka”") == pagefind_count(page, "quokka") == 1
    [result] = show_all(page)
    assert result["title"] == HOSTILE_TITLE  # the tags are text, not markup
    assert "<i>tags</i>" in result["excerpt"]
    assert set(result["elements"]) <= {"p", "time", "h2", "a", "mark"}
    assert {m.lower() for m in result["marks"]} == {"quokka"}
    assert not any(w.lower() in result["excerpt"].lower() for w in ONLY_IN_SOURCES)
    for word in ONLY_IN_SOURCES:  # the sources' publisher and titles do not lead to the event
        page.get_by_label("Search for").fill(word)
        assert shown_count(page, f"“{word}”") == pagefind_count(page, word)
        assert all(r["title"] != HOSTILE_TITLE and word.lower() not in r["excerpt"].lower() for r in show_all(page))
    hostile = "<img src=x onerror=alert(1)>"
    page.goto(search_url(site, q=hostile))
    expect(page.get_by_role("status")).to_contain_text(f"“{hostile}”")
    assert page.locator("main img").count() == 0
    assert errors == []


def test_a_publisher_named_only_in_sources_is_in_no_excerpt_on_the_real_site(base_url, real_site, new_page):
    pages = event_pages(real_site)
    in_text = set().union(*(words(" ".join(indexed(p).text)) for p in pages))
    publishers = [html.unescape(name) for p in pages
                  for name in re.findall(r'<span class="publisher">([^<]+)</span>', p.read_text(encoding="utf-8"))]
    only_in_sources = [w for name in publishers for w in words(name) if w.isalpha() and w not in in_text]
    assert only_in_sources, "every source publisher is also named in some event's text"
    word = most_common(Counter(only_in_sources))
    page = new_page()
    errors = watch(page)
    page.goto(search_url(Site(real_site, base_url), q=word))
    # Pagefind may still match a shorter part of the word; never the publisher in a sources section.
    assert shown_count(page, f"“{word}”") == pagefind_count(page, word)
    assert not any(word in r["excerpt"].lower() or word in map(str.lower, r["marks"]) for r in show_all(page))
    assert errors == []


def test_a_sharded_index_finds_what_a_whole_index_finds(generated_site, generated_url, whole_index_url, new_page):
    """The same pages, with the same excerpts, for words common and rare, a phrase and a topic."""
    shards = json.loads((generated_site / "pagefind" / "shards.json").read_text())["shards"]
    assert len(shards) > 1, "the generated site is meant to have its index in shards"
    word = common_word(generated_site)
    topic = narrowing_topic(generated_site, word)
    queries = [word, "quokka", "budget", "harbour rail", '"the closure of"', "zzzznothing", None]
    found = {}
    for url in (generated_url, whole_index_url):
        page = new_page()
        page.goto(url + "search/")
        found[url] = page.evaluate("""async ([queries, topic]) => {""" + LOAD_INDEX + """
            const pagefind = await loadIndex(new URL("../", location.href));
            const answers = [];
            for (const term of queries) {
                const results = (await pagefind.search(term)).results;
                const data = await Promise.all(results.map((r) => r.data()));
                answers.push(data.map((d) => [d.url, d.excerpt, (d.meta.topics || "").split(" ").includes(topic)])
                                 .sort());
            }
            return answers;
        }""", [queries, topic])
    sharded, whole = found[generated_url], found[whole_index_url]
    for query, in_shards, in_whole in zip(queries, sharded, whole, strict=True):
        assert in_shards == in_whole, query
    assert len(sharded[0]) > PAGE_SIZE and len(sharded[1]) == 1 and sharded[-2] == []
    assert len(sharded[-1]) == len(event_pages(generated_site))  # no words: every page


def test_without_the_index_the_page_says_search_is_not_available(base_url, new_page):
    page = new_page()
    page.route("**/pagefind/shards.json", lambda route: route.fulfill(status=404, body="not here"))
    page.goto(base_url + "search/?q=anything")
    expect(page.get_by_role("status")).to_contain_text("Search is not available in this preview or build")
    expect(page.locator("#search-fallback").get_by_role("link", name="on the timeline")).to_be_visible()
    expect(page.locator("#search-results-list > li")).to_have_count(0)


def test_without_javascript_the_form_is_there_and_the_page_says_why_no_results(base_url, new_page):
    page = new_page(java_script_enabled=False)
    page.goto(base_url + "search/?q=anything")
    note = page.locator("main noscript p")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Search needs JavaScript")
    for name in ("on the timeline", "topic", "source"):
        expect(note.get_by_role("link", name=name, exact=True)).to_be_visible()
    for field in ("Search for", "Topic"):
        expect(page.get_by_label(field)).to_be_visible()
    expect(page.get_by_role("button", name="Show more results")).to_be_hidden()
    expect(page.locator("#search-fallback")).to_be_hidden()
    expect(page.locator("#search-results-list > li")).to_have_count(0)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_results_pass_axe_in_both_colour_schemes(generated_url, generated_site, new_page, scheme):
    site = Site(generated_site, generated_url)
    page = new_page(color_scheme=scheme, viewport=SIZES["phone"])
    word = common_word(generated_site)
    page.goto(search_url(site, q=word))
    assert shown_count(page, f"“{word}”") > PAGE_SIZE  # the "Show more results" line is checked too
    results = Axe().run(page, options={"rules": {"target-size": {"enabled": True}}}).response
    violations = [(v["id"], [n["html"][:120] for n in v["nodes"]][:3]) for v in results["violations"]]
    assert violations == []


def test_the_topic_index_lists_each_topics_pages_and_refuses_a_fragment_it_cannot_read(tmp_path):
    fragments = tmp_path / "fragment"
    fragments.mkdir()
    for name, meta in (("en_b", {"topics": "beta alpha"}), ("en_a", {"topics": "alpha"}), ("en_c", {})):
        body = json.dumps({"url": f"/events/{name}/", "meta": meta}).encode()
        (fragments / f"{name}.pf_fragment").write_bytes(gzip.compress(b"pagefind_dcd" + body))
    write_topic_index(tmp_path)
    assert json.loads((tmp_path / "topics.json").read_text()) == {"alpha": ["en_a", "en_b"], "beta": ["en_b"]}
    assert json.loads((tmp_path / "dates.json").read_text()) == {"en_a": "", "en_b": "", "en_c": ""}
    (fragments / "en_d.pf_fragment").write_bytes(gzip.compress(b'{"url": "/x/"}'))
    with pytest.raises(SearchIndexError, match="cannot read: en_d.pf_fragment"):
        write_topic_index(tmp_path)


def test_shard_names_do_not_depend_on_where_pagefind_is_installed():
    """A shard's name is in the published site: the same pages must get the same names on any
    machine, so what names Pagefind in it is its version, never its path or file times."""
    binary = search._binary()
    identity = search._identity(binary)
    assert identity.startswith("pagefind 1.") and str(binary[0]) not in identity


def test_a_pagefind_failure_is_reported_and_the_published_site_stays(make_project, run, monkeypatch):
    """The indexer runs in a process of its own while the build writes its other pages: when
    Pagefind fails there, the build still reports it (file, what, a hint) and swaps nothing in."""
    event = "---\ntitle: {title}\ndate: '2024-12-12'\nsources:\n  - example-statement\n---\n{title} happened.[^example-statement]\n"
    project = make_project({"content/site.yaml": SITE_YAML, "content/sources/example-statement.yaml": SOURCE_YAML,
                            "content/events/2024-12-12-a.md": event.format(title="Something")})
    assert run(project, "build").code == 0
    published = {p: p.read_bytes() for p in (project / "_site").rglob("*") if p.is_file()}
    assert any(p.parent.name == "pagefind" for p in published)
    broken = [sys.executable, "-c", "import sys; sys.stderr.write('the index broke\\n'); sys.exit(3)"]
    monkeypatch.setattr(search, "_binary", lambda: broken)
    (project / "content/events/2024-12-12-a.md").write_text(event.format(title="Something else"))
    result = run(project, "build")
    assert result.code == 1
    assert "build.py: Pagefind failed: the index broke" in result.err and "pip install" in result.err
    assert {p: p.read_bytes() for p in (project / "_site").rglob("*") if p.is_file()} == published
