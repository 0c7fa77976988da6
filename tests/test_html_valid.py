"""Every page of the real site, and its stylesheet, pass the Nu HTML Checker (vnu) with no errors.

vnu is the checker behind validator.w3.org/nu, pinned in package.json as the npm package vnu-jar
(`npm ci` installs it into node_modules/). It runs once over all the files: the JVM is slow to start.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from conftest import PROJECT

VNU_JAR = PROJECT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

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


def test_every_page_and_the_stylesheet_have_no_vnu_errors(real_site, tmp_path):
    java = shutil.which("java")
    assert java, "java (17 or later) is needed to run the Nu HTML Checker"
    assert VNU_JAR.is_file(), f"{VNU_JAR} is missing: run `npm ci` in {PROJECT}"

    pages = sorted(real_site.rglob("*.html"))
    stylesheets = sorted(real_site.rglob("*.css"))
    assert real_site / "index.html" in pages and real_site / "404.html" in pages
    assert real_site / "static" / "style.css" in stylesheets, "static/style.css was not built into the site"

    canary_html = tmp_path / "canary.html"
    canary_css = tmp_path / "canary.css"
    canary_html.write_text(CANARY_HTML, encoding="utf-8")
    canary_css.write_text(CANARY_CSS, encoding="utf-8")

    files = [*pages, *stylesheets, canary_html, canary_css]
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--errors-only", "--also-check-css", "--stdout",
         "--exit-zero-always", *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, f"vnu did not run:\n{result.stderr}"
    report = json.loads(result.stdout)

    by_file: dict[Path, list[dict]] = {}
    for message in report["messages"]:
        by_file.setdefault(_path_of(message.get("url", "")), []).append(message)

    # The checker must have caught both planted errors, or its silence about the site means nothing.
    assert by_file.pop(canary_html, None), f"vnu reported nothing for a broken HTML file: {report}"
    assert by_file.pop(canary_css, None), f"vnu reported nothing for a broken CSS file: {report}"

    problems = []
    for path, messages in sorted(by_file.items()):
        try:
            shown = path.relative_to(real_site).as_posix()
        except ValueError:
            shown = str(path)
        problems += [_describe(m, shown) for m in messages]
    assert not problems, f"{len(problems)} vnu error(s) in the built site:\n" + "\n".join(problems)
