"""What readers get: order, grouping, honest dates, citations, and nothing unescaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from conftest import SOURCE_YAML, minimal_files, run_script, tree

SECOND_SOURCE = SOURCE_YAML.replace("statement", "report").replace("A report", "A <b>report</b> & more")


def event(date: str, title: str, body: str = "It happened.[^example-statement]", extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: '{date}'\nsources: [example-statement]\n{extra}---\n{body}\n"


def parse_elements(html: str) -> list[tuple[str, list]]:
    """Every start tag as (name, attributes), as a browser's tokenizer would see them."""
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector(convert_charrefs=True).feed(html)
    return found


def build(make_project, run, files: dict) -> dict[str, str]:
    project = make_project({**minimal_files(), **files})
    result = run(project)
    assert result.code == 0, result.err
    site = project / "_site"
    return {p.relative_to(site).as_posix(): p.read_text() for p in site.rglob("*.html")}


def test_events_are_in_date_order_and_grouped_by_year(make_project, run):
    pages = build(make_project, run, {
        "content/events/2025-01-20-last.md": event("2025-01-20", "Last"),
        "content/events/2023-first.md": event("2023", "First"),
        "content/events/2024-06-middle.md": event("2024-06", "Middle"),
    })
    index = pages["index.html"]
    titles = re.findall(r'class="event-title"><a href="[^"]+">([^<]+)</a>', index)
    assert titles == ["First", "Middle", "Something happened", "Last"]
    years = re.findall(r'<h2 id="year-(\d+)" class="year-heading">', index)
    assert years == ["2023", "2024", "2025"]
    section_2024 = index.split('id="year-2024"')[1].split('id="year-2025"')[0]
    assert "Middle" in section_2024 and "Something happened" in section_2024 and "Last" not in section_2024


def test_dates_show_only_the_precision_they_have(make_project, run):
    pages = build(make_project, run, {
        "content/events/2023-year.md": event("2023", "Year only"),
        "content/events/2024-06-month.md": event("2024-06", "Month only", extra="end_date: '2024-07'\n"),
    })
    index = pages["index.html"]
    assert '<time datetime="2023">2023</time>' in index
    assert '<time datetime="2024-06">June 2024</time> – <time datetime="2024-07">July 2024</time>' in index
    assert '<time datetime="2024-12-12">12 December 2024</time>' in index
    assert "1 June 2024" not in index and "1 January 2023" not in index


def test_yaml_values_stay_text(make_project, run):
    pages = build(make_project, run, {
        "content/events/2024-12-12-something-happened.md": event("2024-12-12", "no", extra="tags: [yes, '2024']\n"),
    })
    page = pages["events/something-happened/index.html"]
    assert '<h1 id="something-happened-title" class="event-title">no</h1>' in page
    assert "tags/yes/" in page and "tags/2024/" in page


def test_citations_are_numbered_by_first_use_with_back_links(make_project, run):
    body = "Second first.[^example-report] Then first.[^example-statement] Again.[^example-report]"
    pages = build(make_project, run, {
        "content/sources/example-report.yaml": SECOND_SOURCE,
        "content/events/2024-12-12-something-happened.md": (
            "---\ntitle: Two sources\ndate: '2024-12-12'\nsources:\n  - example-statement\n"
            "  - id: example-report\n    quote: A quoted sentence.\n---\n" + body + "\n"
        ),
    })
    page = pages["events/something-happened/index.html"]
    markers = re.findall(r'<sup class="cite"><a id="([^"]+)" href="#([^"]+)"[^>]*>\[(\d)\]</a></sup>', page)
    # The report is cited first, so it is [1] although the event lists it second.
    assert markers == [
        ("something-happened-cite-1-1", "something-happened-src-1", "1"),
        ("something-happened-cite-2-1", "something-happened-src-2", "2"),
        ("something-happened-cite-1-2", "something-happened-src-1", "1"),
    ]
    items = re.findall(r'<li id="(something-happened-src-\d)">', page)
    assert items == ["something-happened-src-1", "something-happened-src-2"]
    assert page.index("A quoted sentence.") < page.index("<cite>A statement</cite>")  # the report's quote is [1]
    first = page.split('id="something-happened-src-1"')[1].split("</li>")[0]
    assert re.findall(r'class="backlink" href="#([^"]+)"', first) == [
        "something-happened-cite-1-1", "something-happened-cite-1-2"]
    assert "<p>A quoted sentence.</p>" in first
    assert "A &lt;b&gt;report&lt;/b&gt; &amp; more" in first


def test_a_marker_inside_code_is_refused_as_a_citation_no_reader_sees(make_project, run):
    project = make_project({**minimal_files(), "content/events/2024-12-12-something-happened.md": event(
        "2024-12-12", "Code", body="Write `[^id]` to cite.[^example-statement]")})
    result = run(project)
    assert result.code == 1
    assert "the citation [^id] is not shown to readers here: it is inside a link, an image's description, code" \
        in result.err


def test_content_cannot_inject_markup_or_script(make_project, run):
    hostile = '<script>alert(1)</script><img src=x onerror=alert(1)>'
    body = (
        f"Text {hostile} [link](javascript:alert(1)) [ok](https://example.org/).[^example-statement]\n\n"
        '<a href="JaVaScRiPt:alert(1)" onclick="alert(1)">x</a> <iframe src="https://evil.test"></iframe>'
        "[^example-statement]"
    )
    pages = build(make_project, run, {
        "content/sources/example-statement.yaml": SOURCE_YAML.replace("A statement", hostile)
        .replace("The Example Office", "'\"><svg onload=alert(1)>'"),
        "content/events/2024-12-12-something-happened.md": (
            f"---\ntitle: '{hostile}'\ndate: '2024-12-12'\nsummary: '{hostile}[^example-statement]'\n"
            f"sources:\n  - id: example-statement\n    quote: '{hostile}'\n---\n{body}\n"
        ),
    })
    for path, html in pages.items():
        elements = parse_elements(html)
        tags = {tag for tag, _ in elements}
        assert not tags & {"img", "iframe", "object", "embed"}, path
        assert all(("class", "overview-chart") in attrs for tag, attrs in elements if tag == "svg"), path
        for tag, attrs in elements:
            assert not [name for name, _ in attrs if name.startswith("on")], (path, tag, attrs)
            for name, value in attrs:
                if name in ("href", "src"):
                    assert re.match(r"(https?:|#|\.|/|[a-z0-9-]+/)", value or ""), (path, name, value)
            if tag == "script":  # only ours: the page's script file, and JSON-LD data
                assert attrs in ([("src", "./static/timeline.js"), ("defer", None)],
                                 [("src", "../static/search.js"), ("defer", None)],
                                 [("type", "application/ld+json")]), (path, attrs)
    page = pages["events/something-happened/index.html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the title, shown as text
    assert '<a href="https://example.org/" rel="noopener noreferrer">ok</a>' in page


def test_crlf_line_endings_and_a_byte_order_mark_are_accepted(make_project, run):
    text = "\ufeff" + event("2024-12-12", "Windows file").replace("\n", "\r\n")
    pages = build(make_project, run, {"content/events/2024-12-12-something-happened.md": text.encode("utf-8")})
    assert "Windows file" in pages["index.html"]


def test_drafts_are_left_out(make_project, run):
    pages = build(make_project, run, {
        "content/events/2024-12-13-unfinished.md": event("2024-12-13", "Unfinished", extra="draft: true\n"),
    })
    assert "Unfinished" not in "".join(pages.values())
    assert "events/unfinished/index.html" not in pages


def test_every_page_the_site_promises_exists(make_project, run):
    pages = build(make_project, run, {})
    assert set(pages) == {
        "index.html", "404.html", "events/something-happened/index.html",
        "tags/index.html", "tags/pardon/index.html", "sources/index.html",
        "corrections/index.html", "fact-checking/index.html", "search/index.html", "about/index.html",
    }
    assert "https://example.org/statement" in pages["sources/index.html"]
    assert 'href="/test/"' in pages["404.html"]  # served at any depth: links from the site's root


def test_all_problems_in_all_files_are_reported_at_once_in_order(make_project, run):
    project = make_project({
        **minimal_files(),
        "content/events/2024-12-12-something-happened.md": event("2024-12-31", "Wrong date"),
        "content/events/2024-01-01-b.md": "---\ntitle: B\ndate: '2024-01-01'\nsources: [nope]\n---\nB.[^nope]\n",
        "content/sources/example-statement.yaml": SOURCE_YAML.replace("https://", "ftp://"),
    })
    result = run(project, "check")
    locations = re.findall(r"^(\S+:\d+): ", result.err, re.MULTILINE)
    assert locations == [
        "content/events/2024-01-01-b.md:4",
        "content/events/2024-12-12-something-happened.md:3",
        "content/sources/example-statement.yaml:1",
    ]
    assert result.err.endswith("3 errors; nothing was written.\n")


def test_a_broken_build_prints_no_traceback_and_exits_1(tmp_path):
    content = tmp_path / "content"
    (content / "events").mkdir(parents=True)
    (content / "site.yaml").write_text("title: [\n")
    (content / "events" / "x.md").write_bytes(b"\xff\xfe---\n")
    result = run_script("--content", str(content), "--out", str(tmp_path / "_site"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "content/site.yaml:2: YAML syntax error" in result.stderr
    assert "content/events/x.md:1: the file is not UTF-8 text" in result.stderr
    assert not (tmp_path / "_site").exists()


def test_the_same_content_gives_byte_identical_sites(make_project, run, tmp_path):
    project = make_project(minimal_files())
    assert run(project).code == 0
    first = tree(project / "_site")
    (project / "_site").rename(project / "first")
    assert run(project).code == 0
    second = tree(project / "_site")
    assert first == second and first


def test_refuses_an_output_folder_that_would_swallow_the_content(make_project, capsys):
    from timeline.cli import main

    project = make_project(minimal_files())
    for out in (project, project / "content", project / "content" / "site"):
        assert main(["--content", str(project / "content"), "--out", str(out)]) == 1
        assert "overlaps" in capsys.readouterr().err
    assert (project / "content" / "site.yaml").is_file()


def test_a_worker_adds_only_to_its_notes_which_carry_all_but_the_html_back():
    """A render worker's view of the memo (render._Sent): what it adds is noted (and sent back to
    the parent, chunk by chunk), never kept in its own copy of the memo, which would only grow;
    what it reads from the memo is noted too (the parent must keep it); each text's HTML stays."""
    from timeline.render import _OneBuild, _Sent

    memo = _OneBuild()
    memo.put(("card", "kept"), "<article>kept</article>")
    parent = _Sent(memo)
    parent.put(("card", "parent"), "p")  # in the parent, nothing is noted: it goes to the memo
    assert memo.get(("card", "parent")) == "p" and parent.to_send() == {}

    worker = _Sent(memo)
    worker.noted = {}  # what _render_jobs does in a worker, for each chunk
    worker.put(("card", "new"), "<article>new</article>")
    worker.put(("html", "digest"), "<p>text</p>")
    assert memo.get(("card", "new")) is None and memo.get(("html", "digest")) is None
    assert worker.get(("card", "new")) == "<article>new</article>" and worker.get(("html", "digest")) == "<p>text</p>"
    assert worker.get(("card", "kept")) == "<article>kept</article>" and worker.get(("card", "missing")) is None
    assert worker.to_send() == {("card", "new"): "<article>new</article>", ("card", "kept"): "<article>kept</article>"}
