"""`--base-url` and $TIMELINE_BASE_URL: the site is built for the address it is published at, not
the placeholder in site.yaml, in every link of every file (pages, sitemap, feeds, calendar, exports)."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

import pytest
from conftest import minimal_files, tree

from timeline.cli import main

PLACEHOLDER = "https://example.org/test/"  # conftest's site.yaml
REAL = "https://pages.example.net/timeline/"
SOURCE = "https://example.org/statement"  # on the placeholder's host, but not under it
# Addresses that name a format, not a place of this site.
NAMESPACES = ("http://www.w3.org/", "http://www.sitemaps.org/", "https://jsonfeed.org/", "https://schema.org")
_URL = re.compile(r"https?://[^\s\"'<>\\)]+")


def absolute_links(site: Path) -> dict[str, set[str]]:
    """Every absolute http(s) address in the site's own text files, with the files that hold it.
    The search index (pagefind/) is a third party's code and compressed data: left out."""
    found: dict[str, set[str]] = {}
    for path in sorted(site.rglob("*")):
        relative = path.relative_to(site).as_posix()
        if not path.is_file() or relative.startswith("pagefind/") or path.suffix not in (
                ".html", ".xml", ".json", ".ics", ".csv", ".txt"):
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".ics":
            text = re.sub(r"\r?\n[ \t]", "", text)  # unfold the calendar's 75-octet lines
        if path.suffix == ".csv":
            cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        else:
            cells = [html.unescape(text)]
        for cell in cells:
            for url in _URL.findall(cell):
                found.setdefault(url.rstrip(".,;"), set()).add(relative)
    return found


def build(project: Path, *extra: str) -> int:
    return main(["build", "--content", str(project / "content"), "--out", str(project / "_site"), "--no-search",
                 *extra])


def assert_built_for(site: Path, base: str, other: str) -> None:
    links = absolute_links(site)
    assert links, "no absolute address was found: the scan is broken"
    stale = {url: files for url, files in links.items() if url.startswith(other)}
    assert not stale, f"addresses under {other} remain: {stale}"
    own = {url: files for url, files in links.items() if url != SOURCE and not url.startswith(NAMESPACES)}
    elsewhere = {url: files for url, files in own.items() if not url.startswith(base)}
    assert not elsewhere, f"links to the site that are not under {base}: {elsewhere}"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{base}">' in home
    assert f'content="{base}"' in home  # og:url
    for name in ("sitemap.xml", "feed.xml", "feed.json"):
        assert base in (site / name).read_text(encoding="utf-8"), name
    assert any(url.startswith(base + "events/something-happened/") for url in links)


@pytest.fixture(autouse=True)
def no_variable(monkeypatch):
    monkeypatch.delenv("TIMELINE_BASE_URL", raising=False)


def test_without_an_override_the_site_yaml_address_is_used(make_project):
    project = make_project(minimal_files())
    assert build(project, "--no-cache") == 0
    assert_built_for(project / "_site", PLACEHOLDER, REAL)


def test_base_url_flag_replaces_the_site_yaml_address_in_every_file(make_project, capsys):
    project = make_project(minimal_files())
    assert build(project, "--no-cache", "--base-url", REAL) == 0, capsys.readouterr().err
    assert_built_for(project / "_site", REAL, PLACEHOLDER)
    # The 404 page links to the site's root by path: the real one.
    assert 'href="/timeline/' in (project / "_site/404.html").read_text(encoding="utf-8")
    assert 'href="/test/' not in (project / "_site/404.html").read_text(encoding="utf-8")


def test_the_environment_variable_gives_the_address_and_the_flag_wins(make_project, monkeypatch, capsys):
    project = make_project(minimal_files())
    monkeypatch.setenv("TIMELINE_BASE_URL", REAL)
    assert build(project, "--no-cache") == 0, capsys.readouterr().err
    assert_built_for(project / "_site", REAL, PLACEHOLDER)
    flag = "https://flag.example.com/site/"
    assert build(project, "--no-cache", "--base-url", flag) == 0, capsys.readouterr().err
    assert_built_for(project / "_site", flag, REAL)


def test_an_empty_variable_counts_as_not_set(make_project, monkeypatch):
    project = make_project(minimal_files())
    monkeypatch.setenv("TIMELINE_BASE_URL", "")
    assert build(project, "--no-cache") == 0
    assert_built_for(project / "_site", PLACEHOLDER, REAL)


def test_a_cached_build_follows_a_new_address(make_project):
    """The cache keys include the site's settings: nothing made for the old address is reused."""
    project = make_project(minimal_files())
    assert build(project) == 0
    assert build(project, "--base-url", REAL) == 0
    assert_built_for(project / "_site", REAL, PLACEHOLDER)
    incremental = tree(project / "_site")
    assert build(project, "--no-cache", "--base-url", REAL) == 0
    assert tree(project / "_site") == incremental
    assert build(project) == 0  # and back
    assert_built_for(project / "_site", PLACEHOLDER, REAL)


@pytest.mark.parametrize("value, message", [
    ("javascript:alert(1)", "--base-url: the base URL must start with http:// or https:// (found 'javascript:')"),
    ("https://pages.example.net/timeline/?x=1", "--base-url: the base URL must not have a query (?…) or a fragment"),
    ("https://pages.example.net/#top", "--base-url: the base URL must not have a query (?…) or a fragment"),
    ("https://user@pages.example.net/", "--base-url: the base URL must not contain a user name or password"),
    ("https://pages.example.net/a b/", "--base-url: the base URL must not contain spaces or control characters"),
    ('https://pages.example.net/"><script>', "--base-url: the base URL contains '\"'"),
    ("/timeline/", "--base-url: the base URL must start with http:// or https:// (found no scheme)"),
    ("", "--base-url: the base URL is empty"),
])
def test_a_hostile_or_broken_address_is_refused_before_any_work(make_project, capsys, value, message):
    project = make_project(minimal_files())
    assert build(project, "--base-url", value) == 1
    err = capsys.readouterr().err
    assert message in err and "hint: give the folder the site is published at" in err
    assert not (project / "_site").exists() and not (project / ".timeline-cache").exists()
    assert main(["check", "--content", str(project / "content"), "--base-url", value]) == 1


def test_a_hostile_variable_is_refused_and_named(make_project, monkeypatch, capsys):
    project = make_project(minimal_files())
    monkeypatch.setenv("TIMELINE_BASE_URL", "javascript:alert(1)//")
    assert build(project) == 1
    assert "$TIMELINE_BASE_URL: the base URL must start with http:// or https://" in capsys.readouterr().err
    assert not (project / "_site").exists()
    assert build(project, "--base-url", REAL) == 0  # the flag wins, and is valid


def test_check_accepts_a_good_address(make_project, capsys):
    project = make_project(minimal_files())
    assert main(["check", "--content", str(project / "content"), "--base-url", REAL]) == 0
    assert capsys.readouterr().out.startswith("OK: ")
