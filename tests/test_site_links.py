"""Every internal link and #fragment on every page of the real site, and of a generated site of 2,000
events, leads to something that was built; every page has one h1 and skips no heading level.

The pages are parsed with html.parser, not opened in a browser: the ~2,100 pages take seconds.
A link is resolved as a browser would, against the page's address under the site's base_url, a
folder address meaning its index.html. Links to other hosts, mailto: and the like are not followed
(test_outside_links.py and `build.py check --links` look after those).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from conftest import SITES, site_base_url

SHOWN = 30  # problems listed in a failure; the rest are counted
IGNORED_SCHEMES = {"mailto", "tel", "data"}
# Where each element names another resource.
LINK_ATTRIBUTES = {"a": ("href", "xlink:href"), "area": ("href",), "link": ("href",), "script": ("src",),
                   "img": ("src",)}


@dataclass
class Link:
    line: int
    tag: str
    url: str


@dataclass
class ParsedPage:
    ids: set[str] = field(default_factory=set)
    links: list[Link] = field(default_factory=list)
    addresses: list[Link] = field(default_factory=list)  # canonical and og:url: absolute, to base_url
    headings: list[tuple[int, int, str]] = field(default_factory=list)  # (level, line, text)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()
        self._heading: tuple[int, int, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        line = self.getpos()[0]
        if "id" in values:
            self.page.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.page.ids.add(values["name"])
        if tag == "link" and "canonical" in values.get("rel", "").split():
            self.page.addresses.append(Link(line, "link rel=canonical", values.get("href", "")))
        elif tag == "meta" and values.get("property") == "og:url":
            self.page.addresses.append(Link(line, "meta og:url", values.get("content", "")))
        else:
            for name in LINK_ATTRIBUTES.get(tag, ()):
                if name in values:
                    self.page.links.append(Link(line, tag, values[name]))
        if tag == "form" and values.get("method", "get").lower() == "get":
            self.page.links.append(Link(line, "form", values.get("action", "")))  # no action: the page itself
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self._heading = (int(tag[1]), line, [])

    def handle_endtag(self, tag: str) -> None:
        if self._heading and tag == f"h{self._heading[0]}":
            level, line, text = self._heading
            self.page.headings.append((level, line, " ".join("".join(text).split())[:60]))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading:
            self._heading[2].append(data)


def parse(text: str) -> ParsedPage:
    parser = _Parser()
    parser.feed(text)
    parser.close()
    return parser.page


def address_of(relative: str) -> str:
    """A page's address under the base path: 'events/x/index.html' is served as 'events/x/'."""
    return relative[: -len("index.html")] if relative == "index.html" or relative.endswith("/index.html") else relative


@dataclass
class SiteCheck:
    """One site's pages parsed once, and what the checks below found."""

    site: Path
    base_url: str
    pages: dict[str, ParsedPage]  # by path relative to the site, e.g. 'events/x/index.html'
    checked_links: int = 0
    checked_fragments: int = 0

    @classmethod
    def of(cls, site: Path, base_url: str) -> SiteCheck:
        pages = {p.relative_to(site).as_posix(): parse(p.read_text(encoding="utf-8"))
                 for p in sorted(site.rglob("*.html"))}
        return cls(site, base_url if base_url.endswith("/") else base_url + "/", pages)

    def target(self, url: str) -> tuple[str | None, str]:
        """(the file a same-site address leads to, relative to the site, or None; what is wrong with it)."""
        base = urlsplit(self.base_url)
        parts = urlsplit(url)
        if parts.path.startswith(base.path):
            relative = unquote(parts.path[len(base.path):])
        else:
            return None, f"is outside the site's base path {base.path}"
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            return None, f"names the site's host with another scheme or port ({parts.scheme}://{parts.netloc})"
        if relative == "" or relative.endswith("/"):
            relative += "index.html"
        path = self.site / relative
        if path.is_dir():
            return None, "is a folder without its trailing slash (a redirect at best, and its relative links break)"
        if not path.is_file():
            return None, f"leads to {relative}, which was not built"
        return relative, ""

    def link_problems(self) -> list[str]:
        problems = []
        base = urlsplit(self.base_url)
        for relative, page in self.pages.items():
            here = self.base_url + address_of(relative)
            for link in page.links:
                url = urljoin(here, link.url.strip())
                parts = urlsplit(url)
                if parts.scheme in IGNORED_SCHEMES:
                    continue
                if parts.scheme not in ("http", "https"):
                    problems.append(f"{relative}:{link.line}: <{link.tag}> {link.url!r}: unexpected scheme")
                    continue
                if parts.hostname != base.hostname:
                    continue  # another site's page
                self.checked_links += 1
                target, wrong = self.target(url)
                if target is None:
                    problems.append(f"{relative}:{link.line}: <{link.tag}> {link.url!r} {wrong}")
                    continue
                fragment = unquote(parts.fragment)
                if not fragment or fragment.lower() == "top" or fragment.startswith(":~:"):
                    continue  # the top of the page, or a text fragment: no element to find
                self.checked_fragments += 1
                if target not in self.pages:
                    problems.append(f"{relative}:{link.line}: <{link.tag}> {link.url!r}: #{fragment} points "
                                    f"into {target}, which is not an HTML page")
                elif fragment not in self.pages[target].ids:
                    problems.append(f"{relative}:{link.line}: <{link.tag}> {link.url!r}: {target} has no element "
                                    f"with id (or <a name>) {fragment!r}")
        return problems

    def address_problems(self) -> list[str]:
        problems = []
        for relative, page in self.pages.items():
            if relative != "404.html" and not page.addresses:
                problems.append(f"{relative}: no canonical link or og:url")
            for link in page.addresses:
                if not link.url.startswith(self.base_url):
                    problems.append(f"{relative}:{link.line}: {link.tag} {link.url!r} does not start with the "
                                    f"site's base_url {self.base_url}")
                    continue
                target, wrong = self.target(link.url)
                if target is None:
                    problems.append(f"{relative}:{link.line}: {link.tag} {link.url!r} {wrong}")
        return problems

    def heading_problems(self) -> list[str]:
        problems = []
        for relative, page in self.pages.items():
            levels = [level for level, _, _ in page.headings]
            outline = " ".join(f"h{level}" for level in levels[:12]) + (" …" if len(levels) > 12 else "")
            if levels.count(1) != 1:
                problems.append(f"{relative}: {levels.count(1)} h1 elements, not 1 ({outline or 'no headings'})")
            for (before, _, _), (level, line, text) in itertools.pairwise([(0, 0, ""), *page.headings]):
                if level > before + 1:
                    problems.append(f"{relative}:{line}: h{level} {text!r} follows "
                                    f"{f'h{before}' if before else 'the start of the page'}, skipping "
                                    f"h{before + 1}")
                    break  # one per page: the first skip usually repeats all the way down
        return problems


def _report(problems: list[str], what: str) -> str:
    more = f"\n… and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
    return f"{len(problems)} {what}:\n" + "\n".join(problems[:SHOWN]) + more


_checked: dict[Path, SiteCheck] = {}


def _site_check(request, name: str) -> SiteCheck:
    """Each site parsed once for all the tests of this module."""
    site = request.getfixturevalue(SITES[name][0])
    if site not in _checked:
        _checked[site] = SiteCheck.of(site, site_base_url(site))
    return _checked[site]


# ---- The checks, on both sites ----

@pytest.mark.parametrize("name", list(SITES))
def test_every_internal_link_and_fragment_leads_to_something_built(request, name):
    check = _site_check(request, name)
    assert "index.html" in check.pages and "404.html" in check.pages
    problems = check.link_problems()
    assert not problems, _report(problems, f"broken internal link(s) on the {name} site")
    # Nothing was skipped by mistake: every page links within the site, and fragments were followed.
    assert check.checked_links >= 5 * len(check.pages), f"only {check.checked_links} internal links were checked"
    assert check.checked_fragments >= len(check.pages), f"only {check.checked_fragments} fragments were checked"


@pytest.mark.parametrize("name", list(SITES))
def test_canonical_and_og_url_addresses_are_built_pages_under_the_base_url(request, name):
    check = _site_check(request, name)
    problems = check.address_problems()
    assert not problems, _report(problems, f"wrong canonical or og:url address(es) on the {name} site")


@pytest.mark.parametrize("name", list(SITES))
def test_every_page_has_one_h1_and_skips_no_heading_level(request, name):
    check = _site_check(request, name)
    problems = check.heading_problems()
    assert not problems, _report(problems, f"page(s) with a broken heading outline on the {name} site")


# ---- The checker itself finds what it should ----

BASE = "https://example.org/site/"
PLANTED = {
    "index.html": f"""<!doctype html><html><head>
<link rel="canonical" href="{BASE}"><link rel="stylesheet" href="static/style.css">
<script src="static/missing.js"></script></head><body>
<h1 id="top-heading">Home</h1><h3>Skipped a level</h3>
<a href="events/a/">fine</a> <a href="events/a/#here">fine fragment</a> <a href="#top-heading">fine too</a>
<a href="events/b/">no such page</a> <a href="events/a/#nowhere">no such id</a> <a href="events/a">no slash</a>
<a href="/elsewhere/">outside the base path</a> <a href="https://other.example.com/x">another site: ignored</a>
<a href="mailto:a@example.org">ignored</a> <img src="missing.png" alt="">
<form action="search/" method="get"></form><form action="nowhere/" method="post"></form>
</body></html>""",
    "events/a/index.html": """<!doctype html><html><head><link rel="canonical" href="https://example.com/a/">
</head><body><h1>A</h1><h1>A again</h1><p id="here"><a name="named"></a><a href="../../#named">no name</a>
<a href="../../index.html#top-heading">fine</a></body></html>""",
    "404.html": "<!doctype html><html><body><h2>Not found</h2></body></html>",
    "static/style.css": "",
}


def test_the_checker_reports_every_kind_of_planted_mistake(tmp_path):
    for relative, text in PLANTED.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text, encoding="utf-8")
    check = SiteCheck.of(tmp_path, BASE)
    links = "\n".join(check.link_problems())
    for expected in ("index.html:3: <script> 'static/missing.js' leads to static/missing.js, which was not built",
                     "<a> 'events/b/' leads to events/b/index.html, which was not built",
                     "<a> 'events/a/#nowhere': events/a/index.html has no element with id (or <a name>) 'nowhere'",
                     "<a> 'events/a' is a folder without its trailing slash",
                     "<a> '/elsewhere/' is outside the site's base path /site/",
                     "<img> 'missing.png' leads to missing.png",
                     "<form> 'search/' leads to search/index.html, which was not built",
                     "events/a/index.html:2: <a> '../../#named'"):
        assert expected in links, f"not reported: {expected}\nreported:\n{links}"
    assert len(check.link_problems()) == 8, links  # and nothing else: the fine links, other hosts, POST forms
    addresses = "\n".join(check.address_problems())
    assert "events/a/index.html:1: link rel=canonical 'https://example.com/a/' does not start with" in addresses
    assert "index.html:2: link rel=canonical" not in addresses
    headings = "\n".join(check.heading_problems())
    assert "index.html:4: h3 'Skipped a level' follows h1, skipping h2" in headings
    assert "events/a/index.html: 2 h1 elements, not 1 (h1 h1)" in headings
    assert "404.html: 0 h1 elements, not 1 (h2)" in headings
    assert "404.html:1: h2 'Not found' follows the start of the page, skipping h1" in headings
