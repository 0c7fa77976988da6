"""The proof that the tests follow the content: an editor adds one correct, well-sourced event to a
copy of the project, and the tests that read the live content still pass there.

A test that hard-codes today's content (its counts, slugs, titles or dates) would turn CI red for
that editor; this is the test that finds it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT

from timeline.load import load_content
from timeline.validate import validate

pytestmark = pytest.mark.slow

# What the project is made of; not .venv, node_modules (linked), caches or built sites.
COPIED = ["content", "templates", "static", "timeline", "tests", "bench", "schema", ".vscode", "build.py", "pyproject.toml",
          "README.md", "CONTRIBUTING.md"]

# The modules that read the live content (real_site, or load_content on content/), without a browser.
CONTENT_TESTS = [
    "tests/test_content.py",
    "tests/test_overview.py",
    "tests/test_exports.py",
    "tests/test_factcheck.py",
    "tests/test_site_pages.py",
    "tests/test_statements.py",
    "tests/test_schema.py",
    "tests/test_site_links.py",
]


def copy_project(to: Path) -> Path:
    to.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", ".timeline-cache", "_site", ".pytest_cache")
    for name in COPIED:
        path = PROJECT / name
        if path.is_dir():
            shutil.copytree(path, to / name, ignore=ignore)
        else:
            shutil.copy2(path, to / name)
    if (PROJECT / "node_modules").is_dir():  # the Nu HTML checker, linked rather than copied
        (to / "node_modules").symlink_to(PROJECT / "node_modules", target_is_directory=True)
    return to


def script(copy: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "build.py", *args], cwd=copy, capture_output=True, text=True,
                          timeout=300, check=False)


def test_a_new_well_sourced_event_keeps_check_and_the_content_tests_green(tmp_path):
    copy = copy_project(tmp_path / "project")
    timeline, problems = validate(load_content(copy / "content"))
    assert timeline is not None and problems == [], problems
    before = len(timeline.events)
    # A real source and a real topic of the content, whatever they are by then.
    source = min(s.id for s in timeline.sources)
    tag = min(t.slug for t in timeline.site.topics)
    # On the day of the newest event known to the day: where a new entry usually goes.
    date = max((e.date for e in timeline.events if e.date.day is not None), key=lambda d: d.sort_key()).iso

    created = script(copy, "new", "An editor adds an entry", "--date", date, "--tag", tag, "--source", source)
    assert created.returncode == 0, created.stderr
    path = copy / re.search(r"^Created (\S+\.md) ", created.stdout, re.MULTILINE).group(1)
    assert path.parent == copy / "content" / "events" and path.name.startswith(date)
    text = path.read_text(encoding="utf-8")
    assert "draft: true" in text
    # Filled in as the README says: the draft line gone, a sentence (no quotation, no figure) citing the source.
    text = re.sub(r"^draft: true.*\n", "", text, flags=re.MULTILINE)
    text = re.sub(r"^What happened, in one or two sentences\.", "This entry restates the subject of its source.",
                  text, flags=re.MULTILINE)
    assert f"This entry restates the subject of its source.[^{source}]" in text
    path.write_text(text, encoding="utf-8")

    checked = script(copy, "check", "--strict")
    assert checked.returncode == 0, checked.stderr
    grown, _ = validate(load_content(copy / "content"))
    assert grown is not None and len(grown.events) == before + 1

    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not browser and not slow",
         *CONTENT_TESTS],
        cwd=copy, capture_output=True, text=True, timeout=900, check=False,
    )
    assert tests.returncode == 0, tests.stdout[-6000:] + tests.stderr[-2000:]
    assert re.search(r"\d+ passed", tests.stdout) and " failed" not in tests.stdout
