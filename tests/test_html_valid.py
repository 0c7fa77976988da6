"""Every page and stylesheet of the real site, and of a generated site of 2,000 events, pass the
Nu HTML Checker (vnu) with no errors.

vnu is the checker behind validator.w3.org/nu, pinned in package.json as the npm package vnu-jar
(`npm ci` installs it into node_modules/). It runs once over all the files of both sites: the JVM is
slow to start, and once started it checks the ~2,100 pages in about 15 seconds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import PROJECT, SITES

VNU_JAR = PROJECT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SHOWN = 30  # errors described in full in a failure; the rest are counted by message

# Two files that must fail, checked in the same run: they prove vnu really read HTML and CSS files
# (vnu says nothing at all about a file it cannot find, so a silent checker would look like a pass).
CANARY_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>canary</title></head>
<body><ul><p>A paragraph cannot be a child of a list.</p></ul></body></html>
"""
CANARY_CSS = "body { colr: red; }\n"


def _path_of(url: str) -> Path:
    """vnu names each file by a file: URL."""
    return Path(unquote(urlsplit(url).path))


def _describe(message: dict, shown: str) -> str:
    line = message.get("lastLine", message.get("firstLine", "?"))
    column = message.get("firstColumn", message.get("lastColumn", "?"))
    extract = (message.get("extract") or "").strip().replace("\n", " ")
    text = f"{shown}:{line}:{column}: {message.get('type')}: {message.get('message')}"
    return f"{text}\n    {extract[:160]}" if extract else text


def _files(site: Path) -> list[Path]:
    pages = sorted(site.rglob("*.html"))
    stylesheets = sorted(site.rglob("*.css"))
    assert site / "index.html" in pages and site / "404.html" in pages
    assert site / "static" / "style.css" in stylesheets, f"static/style.css was not built into {site}"
    return [*pages, *stylesheets]


@pytest.fixture(scope="module")
def vnu_messages(real_site, big_site, tmp_path_factory) -> dict[Path, list[dict]]:
    """vnu's errors by file, from one run over both sites, after checking it caught the planted errors."""
    java = shutil.which("java")
    assert java, "java (17 or later) is needed to run the Nu HTML Checker"
    assert VNU_JAR.is_file(), f"{VNU_JAR} is missing: run `npm ci` in {PROJECT}"

    canaries = tmp_path_factory.mktemp("canaries")
    canary_html = canaries / "canary.html"
    canary_css = canaries / "canary.css"
    canary_html.write_text(CANARY_HTML, encoding="utf-8")
    canary_css.write_text(CANARY_CSS, encoding="utf-8")

    files = [*_files(real_site), *_files(big_site), canary_html, canary_css]
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--errors-only", "--also-check-css", "--stdout",
         "--exit-zero-always", *map(str, files)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, f"vnu did not run:\n{result.stderr}"
    report = json.loads(result.stdout)

    by_file: dict[Path, list[dict]] = {}
    for message in report["messages"]:
        by_file.setdefault(_path_of(message.get("url", "")), []).append(message)

    # The checker must have caught both planted errors, or its silence about the sites means nothing.
    assert by_file.pop(canary_html, None), f"vnu reported nothing for a broken HTML file: {report}"
    assert by_file.pop(canary_css, None), f"vnu reported nothing for a broken CSS file: {report}"
    unknown = [str(p) for p in by_file if not (p.is_relative_to(real_site) or p.is_relative_to(big_site))]
    assert not unknown, f"vnu reported on files it was not given (are they named as it names them?): {unknown[:10]}"
    return by_file


@pytest.mark.parametrize("name", list(SITES))
def test_every_page_and_stylesheet_have_no_vnu_errors(vnu_messages, request, name):
    site = request.getfixturevalue(SITES[name][0])
    problems, kinds = [], Counter()
    for path, messages in sorted(vnu_messages.items()):
        if not path.is_relative_to(site):
            continue
        shown = path.relative_to(site).as_posix()
        problems += [_describe(m, shown) for m in messages]
        kinds.update(m.get("message") for m in messages)
    summary = "\n".join(f"  {count} × {message}" for message, count in kinds.most_common(10))
    more = f"\n… and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
    assert not problems, (f"{len(problems)} vnu error(s) in the {name} site, by message:\n{summary}\nThe first:\n"
                          + "\n".join(problems[:SHOWN]) + more)
