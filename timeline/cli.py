"""The commands: build (the default), check, new and serve. None lets a traceback out."""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import jinja2

from .cache import BuildCache
from .digests import digest, folder_digest
from .fields import SLUG, did_you_mean, parse_date, url_problem
from .load import load_content, load_static, symbolic_links
from .model import Location, Problem, Timeline
from .outdir import OutputBusy, UnsafeOutput, check_output_folder, output_lock
from .render import render_site
from .report import checked, count, format_github, format_report
from .search import Indexing, SearchIndexError, index_for_search
from .validate import validate
from .write import SiteWriter, update_in_place

PROJECT = Path(__file__).resolve().parent.parent
COMMANDS = ("build", "check", "new", "serve")
BASE_URL_VARIABLE = "TIMELINE_BASE_URL"  # CI's way to give the real address; --base-url wins


@dataclass(frozen=True)
class Paths:
    content: Path
    templates: Path
    static: Path
    out: Path
    search: bool = True  # build the Pagefind index (the preview skips it: it is the slow part)
    cache: Path | None = None  # where builds remember their work; None: always build everything
    base_url: str | None = None  # the address the site is published at, instead of site.yaml's


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="build.py", description="Build the timeline site from content/.")
    commands = parser.add_subparsers(dest="command", metavar="command")
    build = commands.add_parser("build", help="validate, then write the site (the default command)")
    check = commands.add_parser("check", help="validate only; write nothing")
    new = commands.add_parser("new", help="create a new event file to fill in")
    serve = commands.add_parser("serve", help="preview on 127.0.0.1, rebuilding on every save")
    build.add_argument("--no-search", action="store_true", help="skip the search index (faster; for benchmarks)")
    for command in (build, serve):
        command.add_argument("--cache", type=Path, default=None,
                             help="build cache folder (default: .timeline-cache beside the output folder)")
        command.add_argument("--no-cache", action="store_true", help="build everything from scratch")
    for command in (build, check, new, serve):
        command.add_argument("--content", type=Path, default=PROJECT / "content", help="content folder")
    for command in (build, check, serve):  # `new` writes one file into content/ and reads nothing else
        command.add_argument("--templates", type=Path, default=PROJECT / "templates", help="templates folder")
        command.add_argument("--static", type=Path, default=PROJECT / "static", help="static files folder")
        command.add_argument("--out", type=Path, default=PROJECT / "_site", help="output folder (default: _site/)")
    for command in (build, check):
        command.add_argument("--strict", action="store_true", help="fail on warnings too")
        command.add_argument("--base-url", default=None, metavar="URL",
                             help=f"the address the site is published at, instead of base_url in site.yaml "
                                  f"(default: ${BASE_URL_VARIABLE} when it is set)")
    check.add_argument("--links", action="store_true",
                       help="also request every source address and report dead, moved and slow links (uses the network)")
    new.add_argument("title", help="the event's title, in quotes")
    new.add_argument("--date", required=True, help="YYYY-MM-DD, YYYY-MM or YYYY")
    new.add_argument("--tag", action="append", default=[], help="a topic (repeat for more)")
    new.add_argument("--source", action="append", default=[], help="a source id (repeat for more)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    if not argv or argv[0] not in COMMANDS and argv[0] not in ("-h", "--help"):
        argv = ["build", *argv]  # `python build.py` and `python build.py --out x` build
    return parser.parse_args(argv)


def load_and_validate(paths: Paths, drafts: bool = False, cache: BuildCache | None = None,
                      ) -> tuple[Timeline | None, list[Problem]]:
    raw = load_content(paths.content, cache)
    for folder in (paths.templates, paths.static):  # read (static/: published) as they are
        raw.problems.extend(symbolic_links(folder, _shown(paths, folder)))
    timeline, problems = validate(raw, drafts, cache)
    if timeline is not None and paths.base_url:
        # The real address, given by --base-url or the environment: every page, feed and export
        # is made from the site's settings, and so is every cache key (repr(site)).
        timeline = dataclasses.replace(timeline, site=dataclasses.replace(timeline.site, base_url=paths.base_url))
    return timeline, problems


def render_and_write(timeline: Timeline, paths: Paths, cache: BuildCache, in_place: bool = False) -> list[Problem]:
    """Render every page and write it into a hidden folder, swapped in at the end. Template errors
    are reported, not raised, and leave the output as it was."""
    check_output(paths)  # main() checked it before any work; this is for callers other than main()
    writer = None
    indexing: Indexing | None = None
    if not in_place:
        # With a cache, the site this build replaces is kept as a spare beside the output, and
        # the next build updates that spare instead of writing thousands of files anew.
        keep = cache.folder is not None and cache.output_is_live(paths.out)
        writer = SiteWriter(paths.out, spare=cache.spare, keep_as=cache.live_id if keep else None)
    # Shards of the search index are kept beside the cache, to be reused while unchanged.
    store = cache.folder / "search" if cache.folder is not None else None

    def index_pages() -> None:
        """The event pages are all written: Pagefind can index them while the lists and exports are made."""
        nonlocal indexing
        assert writer is not None
        indexing = Indexing(writer.staging, store, [event.slug for event in timeline.events])

    try:
        try:
            files = render_site(timeline, paths.templates, cache, cache.reuse(paths.out), progress=_progress(),
                                exports=not in_place, sink=writer.put if writer else None,
                                pages_done=index_pages if writer is not None and paths.search else None)
        except jinja2.TemplateSyntaxError as error:
            where = Location(_shown(paths, error.filename or error.name or paths.templates), error.lineno or 0)
            return [Problem(where, f"template error: {error.message}")]
        except jinja2.TemplateError as error:
            return [Problem(Location(_shown(paths, paths.templates)), f"template error: {error}")]
        files.update(load_static(paths.static))
        kept = None
        if writer is None:
            # Forgotten first: after a failed write the next rebuild searches the whole folder.
            previous, cache.in_place_paths = cache.in_place_paths, None
            update_in_place(files, paths.out, previous)
            cache.in_place_paths = written = frozenset(files)
        else:
            say = _progress()
            if say:  # the event pages were written as they were rendered
                say(f"writing {len(files)} more files" + (" and indexing the pages for search" if paths.search else ""))
            for relative, data in files.items():
                writer.put(relative, data)
            started = indexing
            kept = writer.finish(finalize=(lambda _staging: started.finish()) if started is not None
                                 else partial(index_for_search, store=store) if paths.search else None)
            written = frozenset(writer.written)
    except SearchIndexError as error:
        return [Problem(Location("build.py"), str(error), "install the dependencies again: pip install -e .")]
    finally:
        if indexing is not None:
            indexing.cancel()  # ended already, unless the build failed before finish()
        if writer is not None:
            writer.abort()  # after finish(), there is nothing left to remove
    # The preview keeps its cache in memory.
    cache.save(paths.out, persist=not in_place, written=written, kept=kept)
    return []


def open_cache(paths: Paths) -> BuildCache:
    """The cache of earlier builds, or an empty one when caching is off (--no-cache, check)."""
    return BuildCache.open(paths.cache, cache_salt(paths)) if paths.cache else BuildCache(None)


def cache_salt(paths: Paths) -> str:
    """What every cache entry depends on: this program's code and libraries, and the static files."""
    from importlib import metadata

    versions = [f"{name} {metadata.version(name)}" for name in ("markdown", "nh3", "jinja2", "pyyaml")]
    return digest(folder_digest(Path(__file__).parent), *versions, folder_digest(paths.static))


def _progress() -> Callable[[str], None] | None:
    """On a terminal, say what a long build is doing; in CI logs and tests, stay quiet."""
    if not sys.stderr.isatty():
        return None
    return lambda message: print(f"… {message}", file=sys.stderr, flush=True)


def build_once(paths: Paths, drafts: bool = False, cache: BuildCache | None = None, in_place: bool = False,
               ) -> tuple[Timeline | None, list[Problem]]:
    """load → validate → render → write; the site is written only when there is no error."""
    if cache is None:
        cache = open_cache(paths)
    timeline, problems = load_and_validate(paths, drafts, cache)
    if timeline is not None:
        problems = problems + render_and_write(timeline, paths, cache, in_place)
    return timeline, problems


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "new":  # its own options: it needs only the content folder
        return _run_command(args, Paths(args.content, PROJECT / "templates", PROJECT / "static", PROJECT / "_site"))
    cache = None
    if args.command in ("build", "serve") and not args.no_cache:
        cache = args.cache or args.out.parent / ".timeline-cache"
    base_url = None
    if args.command in ("build", "check"):
        base_url, problem = base_url_override(args.base_url, os.environ.get(BASE_URL_VARIABLE))
        if problem:
            print(format_report([problem]), file=sys.stderr)
            return 1
    paths = Paths(args.content, args.templates, args.static, args.out,
                  search=args.command == "build" and not getattr(args, "no_search", False), cache=cache,
                  base_url=base_url)
    collecting = gc.isenabled()
    if args.command in ("build", "check"):
        # One short run that makes hundreds of thousands of objects and frees them by reference
        # counting: the cycle collector would only walk them again and again (at 40,000 events,
        # a fifth of the build's time), and finds next to nothing. The preview, which runs for
        # hours, keeps it.
        gc.disable()
    try:
        return _run_command(args, paths)
    finally:
        if collecting:
            gc.enable()  # main() is also called in-process, by the tests


def base_url_override(flag: str | None, variable: str | None) -> tuple[str | None, Problem | None]:
    """The address given by --base-url, else by $TIMELINE_BASE_URL (an empty one counts as not
    set), checked as site.yaml's base_url is; None when neither is given."""
    where, text = ("--base-url", flag) if flag is not None else (f"${BASE_URL_VARIABLE}", variable or None)
    if text is None:
        return None, None
    text = text.strip()
    hint = "give the folder the site is published at, e.g. https://example.org/timeline/"
    problem = url_problem(text) if text else "is empty"
    if not problem and ("?" in text or "#" in text):
        problem = "must not have a query (?…) or a fragment (#…)"
    if problem:
        return None, Problem(Location(where), f"the base URL {problem}", hint)
    return text, None


def _run_command(args: argparse.Namespace, paths: Paths) -> int:
    try:
        if args.command == "new":
            return run_new(args, paths)
        if args.command == "check":
            return run_build(args, paths)
        if args.command == "serve":  # its own folder, checked and locked by serve.run
            return run_serve(args, paths)
        # The output folder is checked and locked before any work: a folder that is not the
        # tool's is refused at once, and two builds never write one folder at the same time.
        with output_lock(check_output(paths), args.command, paths.out):
            return run_build(args, paths)
    except UnsafeOutput as error:
        print(f"error: {error}" + (f"\n    hint: {error.hint}" if error.hint else ""), file=sys.stderr)
    except OutputBusy as error:
        print(f"error: {error}", file=sys.stderr)
    except OSError as error:  # a full disk, a folder that cannot be written: always with its path
        print(f"error: {error.filename or paths.out}: {error.strerror or error}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug of ours: say so plainly; TIMELINE_DEBUG=1 shows where
        if os.environ.get("TIMELINE_DEBUG"):
            raise
        print(f"internal error: {type(error).__name__}: {error}\n    hint: this is a bug in the generator, not in "
              "your content; run again with TIMELINE_DEBUG=1 and report what it prints", file=sys.stderr)
    return 1


def check_output(paths: Paths) -> Path:
    """The output folder with its links resolved, or UnsafeOutput when it is not the tool's to replace."""
    return check_output_folder(paths.out, paths.content, paths.templates, paths.static)


def run_build(args: argparse.Namespace, paths: Paths) -> int:
    if args.command == "check":
        # Drafts are checked like every event, and counted: an editor sees that the new file was read.
        timeline, problems = load_and_validate(paths, drafts=True)
        if timeline is not None and args.links:
            from .linkcheck import check_links, source_targets

            problems = sorted(problems + check_links(source_targets(timeline.sources)), key=Problem.sort_key)
    else:
        timeline, problems = build_once(paths)
    report(problems)
    if timeline is None or any(p.is_error for p in problems) or (args.strict and problems):
        print(f"{count(problems)}; nothing was written.", file=sys.stderr)
        return 1
    if args.command == "check":
        drafts = sum(event.draft for event in timeline.events)
        print(f"OK: {checked(len(timeline.events), drafts, len(timeline.sources))} are valid.")
    else:
        print(f"Built {len(timeline.events)} events from {len(timeline.sources)} sources into {paths.out}.")
    return 0


def report(problems: list[Problem]) -> None:
    if not problems:
        return
    print(format_report(problems), file=sys.stderr)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        # Workflow commands go to standard output, where the runner reads them.
        for problem in problems:
            print(format_github(problem))


def run_new(args: argparse.Namespace, paths: Paths) -> int:
    from .scaffold import bad_tags, create_event, event_file_name, tag_hint

    problems: list[Problem] = []
    here = Location("build.py new")
    date = parse_date(args.date.strip(), "--date", here, problems)
    if not args.title.strip():
        problems.append(Problem(here, "the title is empty", 'python build.py new "What happened" --date 2024-12-12'))
    for tag in bad_tags(args.tag):
        problems.append(Problem(here, f"the tag '{tag}' is not lowercase-with-hyphens", tag_hint(tag)))
    known = {p.stem for p in (paths.content / "sources").glob("*.yaml")}
    for source in args.source:
        if source not in known:
            hint = did_you_mean(source, known) or f"create content/sources/{source}.yaml first"
            problems.append(Problem(here, f"unknown source '{source}'", hint))
    if date is None:  # reported: parse_date says why
        print(format_report(problems), file=sys.stderr)
        return 1
    if not problems:
        name = event_file_name(date, args.title)
        slug = name[len(date.iso) + 1 : -len(".md")]
        if not SLUG.match(slug):
            problems.append(Problem(here, "the title gives no usable file name", "use letters or digits in the title"))
        taken = [p.name for p in (paths.content / "events").glob(f"*-{slug}.md")] if SLUG.match(slug) else []
        if taken:
            problems.append(Problem(here, f"an event with the slug '{slug}' exists: {', '.join(taken)}",
                                    "choose a more specific title"))
    if problems:
        print(format_report(problems), file=sys.stderr)
        return 1
    try:
        path = create_event(paths.content / "events", args.title.strip(), date, args.tag, args.source)
    except FileExistsError:
        print(f"error: {paths.content / 'events' / name} exists; nothing was changed.", file=sys.stderr)
        return 1
    print(f"Created {_shown(paths, path)} (a draft: checked and shown in the preview, but not published).")
    print(next_steps(paths.content, args.source))
    return 0


def next_steps(content: Path, sources: list[str]) -> str:
    """What is left to do after `new`: only that (the sources given are listed and cited already)."""
    from .scaffold import PLACEHOLDER

    if sources:
        steps = [(f"Replace the line '{PLACEHOLDER}' with what happened,\n"
                  f"     citing each statement with [^id] of a listed source ({', '.join(sources)}).")]
        unsaved = [s for s in sources if not (content / "sources" / f"{s}.txt").is_file()]
        if unsaved:
            steps.append("Save the text of each page beside its .yaml, so that quotes and figures can be checked:\n"
                         + "\n".join(f"       content/sources/{s}.txt" for s in unsaved))
    else:
        steps = [("For each source, add content/sources/<id>.yaml (url, title, publisher, published)\n"
                  "     and save the source's text beside it as content/sources/<id>.txt."),
                 ("List the sources under 'sources:', and replace the line\n"
                  f"     '{PLACEHOLDER}' with what happened, citing each statement with [^id].")]
    steps += ["Check:    python build.py check",
              "Preview:  python build.py serve   (then open http://127.0.0.1:8000/)",
              "When it is ready, delete the line 'draft: true' and open a pull request."]
    return "Next:\n" + "\n".join(f"  {number}. {step}" for number, step in enumerate(steps, 1))


def run_serve(args: argparse.Namespace, paths: Paths) -> int:
    from .serve import preview_folder, run

    # The preview is written into its own folder beside the site's (never over the full build,
    # which a `build` may update meanwhile), with drafts shown, labelled, and no search index.
    # Its cache stays in memory between rebuilds: a save re-renders only what that file changed.
    preview = dataclasses.replace(paths, out=preview_folder(paths.out), search=False, cache=None)
    run(preview, BuildCache(None), args.host, args.port)
    return 0


def _shown(paths: Paths, path: str | Path) -> str:
    try:
        return Path(path).resolve().relative_to(paths.content.resolve().parent).as_posix()
    except ValueError:
        return str(path)
