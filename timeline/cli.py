"""The commands: build (the default) and check. Each returns an exit status; none lets a traceback out."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .load import load_content, load_static
from .model import Location, Problem, Timeline
from .render import render_site
from .report import count, format_report
from .validate import validate
from .write import UnsafeOutput, check_output_folder, write_site

PROJECT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Paths:
    content: Path
    templates: Path
    static: Path
    out: Path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="build.py", description="Build the timeline site from content/.")
    parser.add_argument("command", nargs="?", default="build", choices=["build", "check"],
                        help="build (default): validate and write the site; check: validate only, write nothing")
    parser.add_argument("--content", type=Path, default=PROJECT / "content", help="content folder (default: content/)")
    parser.add_argument("--templates", type=Path, default=PROJECT / "templates", help="templates folder")
    parser.add_argument("--static", type=Path, default=PROJECT / "static", help="static files folder")
    parser.add_argument("--out", type=Path, default=PROJECT / "_site", help="output folder (default: _site/)")
    parser.add_argument("--strict", action="store_true", help="fail on warnings too")
    return parser.parse_args(argv)


def load_and_validate(paths: Paths) -> tuple[Timeline | None, list[Problem]]:
    return validate(load_content(paths.content))


def render_and_write(timeline: Timeline, paths: Paths) -> list[Problem]:
    """Render every page, then write them all at once. Template errors are reported, not raised."""
    try:
        files = render_site(timeline, paths.templates)
    except jinja2.TemplateSyntaxError as error:
        return [Problem(Location(_shown(paths, error.filename or error.name or "templates"), error.lineno or 0),
                        f"template error: {error.message}")]
    except jinja2.TemplateError as error:
        return [Problem(Location(_shown(paths, paths.templates)), f"template error: {error}")]
    files.update(load_static(paths.static))
    write_site(files, paths.out)
    return []


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    paths = Paths(args.content, args.templates, args.static, args.out)
    try:
        timeline, problems = load_and_validate(paths)
        failed = timeline is None or (args.strict and problems)
        if problems:
            print(format_report(problems), file=sys.stderr)
        if failed:
            print(f"{count(problems)}; nothing was written.", file=sys.stderr)
            return 1
        if args.command == "check":
            print(f"OK: {len(timeline.events)} events and {len(timeline.sources)} sources are valid.")
            return 0
        check_output_folder(paths.out, [paths.content, paths.templates, paths.static])
        problems = render_and_write(timeline, paths)
        if problems:
            print(format_report(problems) + "\nnothing was written.", file=sys.stderr)
            return 1
    except UnsafeOutput as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    print(f"Built {len(timeline.events)} events from {len(timeline.sources)} sources into {paths.out}.")
    return 0


def _shown(paths: Paths, path) -> str:
    try:
        return Path(path).resolve().relative_to(paths.content.resolve().parent).as_posix()
    except ValueError:
        return str(path)
