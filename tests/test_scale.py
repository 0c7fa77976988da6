"""Big timelines stay readable: year pages in months, topic pages in years, the sources split by
publisher's initial, no page over ~200 KB, and every link and #fragment of every page resolves.

Two generated sites (bench/generate.py), each built once: 250 events (just past LIST_LIMIT: paged,
one sources page) and conftest's 2,000 (long years cut into pages, sources by initial). Nothing
here names the live content's counts: what a page should hold is read from the build itself.
"""

from __future__ import annotations

import functools
import itertools
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from conftest import PROJECT, site_base_url, tree

from timeline import processes, render
from timeline.cli import main
from timeline.load import load_content
from timeline.validate import validate

MAX_PAGE = 200_000  # bytes of HTML: beyond it a page is slow on a phone, and a list unreadable
SMALL_EVENTS = 250

pytestmark = pytest.mark.slow  # sites past the list limit, built several times: not in `scripts/test --fast`


# ---- Building the sites ----

def generate(n: int, folder: Path) -> Path:
    result = subprocess.run([sys.executable, str(PROJECT / "bench" / "generate.py"), str(n), str(folder)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return folder / "content"


def with_topics(content: Path) -> dict[str, tuple[str, str]]:
    """Give every tag of the content a label, and every other one a description, in site.yaml:
    {tag: (label, description or '')}."""
    tags = sorted({tag.strip() for path in (content / "events").glob("*.md")
                   for line in re.findall(r"^tags: \[(.*)\]$", path.read_text(encoding="utf-8"), re.MULTILINE)
                   for tag in line.split(",")})
    topics = {tag: (f"{tag.capitalize()} and more", f"What the {tag} desk covers." if n % 2 else "")
              for n, tag in enumerate(tags)}
    lines = ["topics:"]
    for tag, (label, description) in topics.items():
        lines += [f"  {tag}:", f"    label: {label}", f"    description: {description}"] if description else \
            [f"  {tag}: {label}"]
    with (content / "site.yaml").open("a", encoding="utf-8") as site_yaml:
        site_yaml.write("\n".join(lines) + "\n")
    return topics


@dataclass
class Built:
    out: Path
    content: Path
    topics: dict[str, tuple[str, str]]  # {tag: (label, description)}


@pytest.fixture(scope="session")
def small_site(tmp_path_factory) -> Built:
    folder = tmp_path_factory.mktemp("scale")
    content = generate(SMALL_EVENTS, folder)
    topics = with_topics(content)
    out = folder / "_site"
    assert main(["--content", str(content), "--out", str(out), "--no-search", "--no-cache"]) == 0
    return Built(out, content, topics)


@pytest.fixture(params=["small", "big"])
def site(request) -> Path:
    return request.getfixturevalue("small_site").out if request.param == "small" else request.getfixturevalue("big_site")


# ---- Reading pages ----

@dataclass
class Page:
    ids: set[str] = field(default_factory=set)
    links: list[tuple[int, str]] = field(default_factory=list)  # (line, url)
    headings: list[tuple[int, str, str]] = field(default_factory=list)  # (level, id, text)
    # In order: ('h', level, id) for a heading, ('date', datetime) for each event (a card or a row),
    # ('nav', label, [(href, text)]) for each nav: each of its items, by its first link and whole text.
    outline: list[tuple] = field(default_factory=list)
    title: str = ""
    texts: dict[str, list[str]] = field(default_factory=dict)  # the text of elements by class


class _Parser(HTMLParser):
    LINKS: ClassVar[dict[str, str]] = {"a": "href", "link": "href", "script": "src", "img": "src", "form": "action"}
    WATCHED = ("cited-by", "topic-description", "lede")  # paragraphs whose text the tests read

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.heading: list | None = None
        self.nav: tuple[str, list] | None = None
        self.link: list | None = None
        self.dated = False  # the next <time> is an event's date
        self.rows = 0  # depth of ol.event-rows
        self.in_title = False
        self.watched: list[tuple[str, list[str]]] = []  # (class, text parts) of the open watched <p>s

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        classes = values.get("class", "").split()
        line = self.getpos()[0]
        if "id" in values:
            self.page.ids.add(values["id"])
        if self.LINKS.get(tag, "") in values:
            self.page.links.append((line, values[self.LINKS[tag]]))
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.heading = [int(tag[1]), values.get("id", ""), []]
        elif tag == "nav":
            self.nav = (values.get("aria-label", ""), [])
        elif tag == "li" and self.nav is not None:
            self.link = ["", []]  # a nav's item: (the href of its link, its whole text)
        elif tag == "a" and self.link is not None and not self.link[0]:
            self.link[0] = values.get("href", "")
        elif (tag == "article" and "event" in classes) or (tag == "li" and self.rows):
            self.dated = True
        elif tag == "ol" and "event-rows" in classes:
            self.rows += 1
        elif tag == "time" and self.dated:
            self.page.outline.append(("date", values.get("datetime", "")))
            self.dated = False
        elif tag == "title":
            self.in_title = True
        if tag == "p":
            self.watched += [(name, []) for name in self.WATCHED if name in classes]

    def handle_endtag(self, tag):
        if self.heading and tag == f"h{self.heading[0]}":
            level, anchor, text = self.heading
            self.page.headings.append((level, anchor, " ".join("".join(text).split())))
            self.page.outline.append(("h", level, anchor))
            self.heading = None
        elif tag == "li" and self.link is not None and self.nav is not None:
            if self.link[0]:
                self.nav[1].append((self.link[0], " ".join("".join(self.link[1]).split())))
            self.link = None
        elif tag == "nav" and self.nav is not None:
            self.page.outline.append(("nav", *self.nav))
            self.nav = None
        elif tag == "ol" and self.rows:
            self.rows -= 1
        elif tag == "title":
            self.in_title = False
        if tag == "p":  # paragraphs do not nest
            for name, parts in self.watched:
                self.page.texts.setdefault(name, []).append(" ".join("".join(parts).split()))
            self.watched = []

    def handle_data(self, data):
        for part in (self.heading[2] if self.heading else None, self.link[1] if self.link else None,
                     *(parts for _, parts in self.watched)):
            if part is not None:
                part.append(data)
        if self.in_title:
            self.page.title += data


_parsed: dict[Path, dict[str, Page]] = {}


def pages_of(site: Path) -> dict[str, Page]:
    """Every HTML page of a site, parsed once per test session: {path relative to the site: Page}."""
    if site not in _parsed:
        found = {}
        for path in sorted(site.rglob("*.html")):
            parser = _Parser()
            parser.feed(path.read_text(encoding="utf-8"))
            parser.close()
            found[path.relative_to(site).as_posix()] = parser.page
        _parsed[site] = found
    return _parsed[site]


base_url_of = functools.cache(site_base_url)


def target(site: Path, here: str, url: str) -> tuple[str | None, str]:
    """(the file a link of page `here` leads to, relative to the site; its fragment), resolved as a
    browser does at the site's base_url, a folder meaning its index.html; (None, '') when it leaves the site."""
    base = base_url_of(site)
    absolute = urljoin(base + here.removesuffix("index.html"), url)
    if not absolute.startswith(base):
        return None, ""
    parts = urlsplit(absolute)
    relative = unquote(parts.path[len(urlsplit(base).path):])
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    return relative, unquote(parts.fragment)


def nav(page: Page, label: str) -> list[tuple[str, str]]:
    found = [links for kind, *rest in page.outline if kind == "nav" for name, links in [rest] if name == label]
    assert found, f"no nav labelled {label!r}"
    return found[0]


# ---- The pages ----

def test_the_fixture_sites_are_as_big_as_meant(small_site, big_site):
    small, big = pages_of(small_site.out), pages_of(big_site)
    assert (small_site.out / "years").is_dir() and (big_site / "years").is_dir()  # both past LIST_LIMIT
    assert not any(re.match(r"sources/[a-z]+/index.html$", p) for p in small), "a small site keeps one sources page"
    assert any(re.match(r"years/\d+/\d+/index.html", p) for p in big), "a year long enough to be cut in pages"
    assert any(re.match(r"sources/[a-z]+/\d+/index.html", p) for p in big), "an initial long enough for pages"


def year_pages(site: Path) -> dict[str, Page]:
    return {p: page for p, page in pages_of(site).items() if re.match(r"years/\d+/(\d+/)?index.html$", p)}


def test_year_pages_are_in_months_with_an_index_of_months(site):
    counted: dict[str, int] = {}
    for path, page in year_pages(site).items():
        year = path.split("/")[1]
        months = nav(page, f"Months of {year}")
        assert months, path
        month = None
        seen_here = 0
        for item in page.outline:
            if item[0] == "h" and item[1] == 2:
                month = item[2]
                assert re.fullmatch(rf"month-{year}-(0[1-9]|1[0-2]|unknown)", month), (path, month)
            elif item[0] == "date":
                assert month, f"{path}: an event before the first month heading"
                expected = year if month.endswith("unknown") else f"{year}-{month[-2:]}"
                assert item[1] == expected or item[1].startswith(expected + "-"), (path, month, item[1])
                seen_here += 1
        assert seen_here, path
        counted[year] = counted.get(year, 0) + seen_here
        # The index names every month of the year once, with its count, linked to its heading.
        total = 0
        for href, text in months:
            file, fragment = target(site, path, href)
            assert fragment.startswith(f"month-{year}-") and file and file.startswith(f"years/{year}/"), href
            total += int(re.search(r"\((\d+) events?\)", text).group(1))
        lede = re.search(r"(\d+) events?", pages_of(site)[path].texts["lede"][0])
        assert total == int(lede.group(1)), path
    for year, count in counted.items():  # every event of the year is on one of its pages
        assert count == int(re.search(r"(\d+) events?", year_pages(site)[f"years/{year}/index.html"].texts["lede"][0])
                            .group(1)), year


def test_topic_pages_are_in_years_and_show_the_topic_label(small_site, big_site):
    for site, topics in ((small_site.out, small_site.topics), (big_site, None)):
        tag_pages = {p: page for p, page in pages_of(site).items() if re.match(r"tags/[^/]+/(\d+/)?index.html$", p)}
        assert tag_pages
        for path, page in tag_pages.items():
            year = None
            dates = 0
            for item in page.outline:
                if item[0] == "h" and item[1] == 2:
                    assert re.fullmatch(r"year-\d{4}", item[2]), (path, item)
                    assert year is None or item[2] > year, f"{path}: years out of order"
                    year = item[2]
                elif item[0] == "date" and year:
                    assert item[1][:4] == year[-4:], (path, year, item[1])
                    dates += 1
            assert dates, f"{path}: no events under year headings"
            if sum(1 for item in page.outline if item[0] == "h" and item[1] == 2) > 1:
                assert nav(page, "Years of this topic")
            if topics:
                label, description = topics[path.split("/")[1]]
                assert page.headings[0][2] == f"Topic: {label}", path
                assert page.title.startswith(f"Topic: {label}"), path
                assert page.texts.get("topic-description", []) == ([description] if description else []), path
    assert all(f">{label}</a>" in (small_site.out / "tags/index.html").read_text(encoding="utf-8")
               for label, _ in small_site.topics.values()), "the topics page names topics by their labels"


def test_no_heading_level_is_skipped_on_any_list_page(site):
    for path, page in pages_of(site).items():
        if path.startswith("events/"):
            continue  # the event pages are another test's (test_site_links.py)
        levels = [level for level, _, _ in page.headings]
        assert levels and levels[0] == 1 and levels.count(1) == 1, (path, levels[:8])
        for before, level in itertools.pairwise(levels):
            assert level <= before + 1, f"{path}: h{level} after h{before}"


def test_no_page_is_over_200_kb(site):
    sizes = {p.relative_to(site).as_posix(): p.stat().st_size for p in site.rglob("*.html")}
    over = {p: s for p, s in sizes.items() if s > MAX_PAGE}
    assert not over, f"pages over {MAX_PAGE} bytes: {over}"


def test_every_internal_link_and_fragment_resolves(site):
    pages = pages_of(site)
    broken = []
    for path, page in pages.items():
        for line, url in page.links:
            file, fragment = target(site, path, url)
            if file is None:
                continue  # another site's page
            if not (site / file).is_file():
                broken.append(f"{path}:{line}: {url} → {file} was not built")
            elif fragment and not fragment.startswith(":~:") and fragment not in pages[file].ids:
                broken.append(f"{path}:{line}: {url} → {file} has no id {fragment!r}")
    assert not broken, f"{len(broken)} broken:\n" + "\n".join(broken[:30])


# ---- The sources ----

def test_every_source_keeps_one_anchor_and_the_index_leads_to_it(big_site):
    pages = pages_of(big_site)
    letters = {p: page for p, page in pages.items() if re.match(r"sources/[a-z]+/(\d+/)?index.html$", p)}
    assert "sources/index.html" in pages and letters
    # Every source of the content is at its own id on exactly one page of its initial.
    for source in (p.stem for p in (big_site.parent / "content" / "sources").glob("*.yaml")):
        assert sum(source in page.ids for page in letters.values()) == 1, source
    # The A–Z leads to the first page of every initial, from the index and from every letter page.
    firsts = {p for p in letters if re.match(r"sources/[a-z]+/index.html$", p)}
    for path in ("sources/index.html", *letters):
        initials = nav(pages[path], "Publishers by initial")
        assert {target(big_site, path, href)[0] for href, _ in initials} == firsts, path


def test_a_source_cited_by_many_names_a_few_and_links_to_them_all(big_site):
    pages = pages_of(big_site)
    capped = 0
    for path, page in pages.items():
        if not path.startswith("sources/") or path.startswith("sources/cited/"):
            continue
        for text in page.texts.get("cited-by", []):
            assert text.count(";") < render.CITED_SHOWN, (path, text)
            if "All " in text:
                capped += 1
    cited_pages = [p for p in pages if re.match(r"sources/cited/[^/]+/index.html$", p)]
    assert capped and capped == len(cited_pages)
    for path in cited_pages:
        count = int(re.search(r"(\d+) events cite", pages[path].texts["lede"][0]).group(1))
        rows = sum(1 for item in pages[path].outline if item[0] == "date")
        assert count > render.CITED_SHOWN and rows == count, path


# ---- Splitting, and the incremental build ----

def test_pages_are_cut_between_groups_and_about_even():
    groups = [("a", [1] * 30), ("b", [1] * 30), ("c", [1] * 30), ("d", [1] * 5)]
    pages = render._pages("x/", groups, 80)
    assert [folder for folder, _ in pages] == ["x/", "x/2/"]
    assert [[key for key, _, _ in page] for _, page in pages] == [["a", "b"], ["c", "d"]]
    big = render._pages("x/", [("a", [1] * 25), ("b", [1] * 3)], 10)
    assert [[(key, len(items), continued) for key, items, continued in page] for _, page in big] == [
        [("a", 10, False)], [("a", 10, True)], [("a", 5, True), ("b", 3, False)]]
    assert render._pages("x/", [], 10) == [("x/", [])]


def move(path: Path, new_date: str) -> Path:
    """Give an event another date (its file name begins with the date): the slug stays."""
    text = path.read_text(encoding="utf-8")
    found = re.search(r"^date: '([^']+)'$", text, re.MULTILINE)
    assert found, path
    old_date = found.group(1)
    moved = path.with_name(path.name.replace(old_date, new_date, 1))
    moved.write_text(text.replace(f"date: '{old_date}'", f"date: '{new_date}'", 1), encoding="utf-8")
    path.unlink()
    return moved


def test_an_incremental_build_equals_a_clean_one_after_events_move(small_site, tmp_path, monkeypatch):
    """Small limits so that even this site has years on several pages and sources by initial: an
    event moved to another month (or year) shifts the pages of its year, whichever they are. Then
    each event is where render.event_places says (what an event page's link to its card needs)."""
    monkeypatch.setattr(render, "YEAR_PAGE_LIMIT", 4)
    monkeypatch.setattr(render, "ROWS_PAGE_LIMIT", 12)
    monkeypatch.setattr(render, "SOURCES_LIMIT", 20)
    monkeypatch.setattr(render, "SOURCES_PAGE_LIMIT", 15)
    content = tmp_path / "content"
    shutil.copytree(small_site.content, content)

    def build(out: str, *extra: str) -> dict[str, bytes]:
        assert main(["--content", str(content), "--out", str(tmp_path / out), "--no-search", *extra]) == 0
        return tree(tmp_path / out)

    build("incremental")
    events = sorted((content / "events").glob("*.md"))
    dated = [p for p in events if re.match(r"\d{4}-\d{2}-\d{2}-", p.name)]
    first, last = dated[0], dated[-1]
    year, month = first.name[:4], int(first.name[5:7])
    edits = [
        lambda: move(first, f"{year}-{month % 12 + 1:02d}-15"),  # to another month of its year
        lambda: move(last, f"{first.name[:4]}-{month:02d}"),  # to another year, dated to the month
        lambda: move(dated[len(dated) // 2], dated[len(dated) // 2].name[:4]),  # dated to the year only
    ]
    for number, change in enumerate(edits):
        change()
        incremental = build("incremental")
        clean = build("clean", "--no-cache")
        assert sorted(incremental) == sorted(clean), number
        different = [path for path in clean if incremental[path] != clean[path]]
        assert not different, (number, different[:5])
    # render.event_places, for links to an event's card, names the page of its year that has it.
    timeline, _ = validate(load_content(content))
    pages = year_pages(tmp_path / "clean")
    assert len(pages) > len(timeline.years()), "years cut into pages"
    places = render.event_places(timeline)
    assert sorted(places) == sorted(e.slug for e in timeline.events)
    for slug, folder in places.items():
        assert slug in pages[folder + "index.html"].ids, (slug, folder)


def test_events_checked_in_worker_processes_give_what_one_process_gives(tmp_path, monkeypatch):
    """A long timeline is checked in worker processes: the same events, citing the very Source
    objects the parent validated, and the same problems at the same lines, errors included."""
    made = subprocess.run([sys.executable, str(PROJECT / "bench" / "generate.py"), "300", str(tmp_path)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert made.returncode == 0, made.stderr
    content = tmp_path / "content"

    def checked(parallel: bool):
        monkeypatch.setattr(processes, "PARALLEL_FROM", 1 if parallel else 10**9)
        return validate(load_content(content, None))

    (timeline, problems), (one_timeline, one_problems) = checked(True), checked(False)
    assert timeline is not None and timeline == one_timeline and problems == one_problems
    by_id = {source.id: source for source in timeline.sources}
    assert all(c.source is by_id[c.source.id] for e in timeline.events for c in e.citations)

    events = sorted((content / "events").glob("*.md"))
    for number, path in enumerate(events[::40]):  # an error of each kind, here and there
        text = path.read_text(encoding="utf-8")
        broken = (text.replace("date: '", "date: '9", 1), text.replace("[^", "[^nowhere-", 1),
                  text.replace("title: ", "titel: ", 1), text.replace("\n---\n", "\n---\nNo source here.\n\n", 1))
        path.write_text(broken[number % len(broken)], encoding="utf-8")
    (none, problems), (one_none, one_problems) = checked(True), checked(False)
    assert none is None and one_none is None and problems == one_problems
    assert {p.where.path for p in problems if p.is_error} >= {f"content/events/{p.name}" for p in events[::40]}
