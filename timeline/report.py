"""Problems as editors read them: `path:line: message`, a hint under it, a count at the end."""

from __future__ import annotations

from .model import Location, Problem
from .yamltext import visible


def _shown(problem: Problem, line_ends: bool = False) -> Problem:
    """The problem with every control character made visible: messages quote what editors
    wrote, and an escape sequence must not reach a reviewer's terminal or a GitHub annotation.
    On a terminal a line end is shown as its escape too (one problem, two lines); a workflow
    command escapes line ends its own way (`line_ends`)."""

    def shown(text: str) -> str:
        return visible(text if line_ends else text.replace("\r", "\\r").replace("\n", "\\n"))

    return Problem(Location(shown(problem.where.path), problem.where.line), shown(problem.message),
                   shown(problem.hint), problem.severity)


def format_problem(problem: Problem) -> str:
    problem = _shown(problem)
    label = "" if problem.is_error else "warning: "
    text = f"{problem.where}: {label}{problem.message}"
    if problem.hint:
        text += f"\n    hint: {problem.hint}"
    return text


def format_report(problems: list[Problem]) -> str:
    return "\n".join(format_problem(p) for p in sorted(problems, key=Problem.sort_key))


def count(problems: list[Problem]) -> str:
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    parts = [f"{errors} error{'s' * (errors != 1)}"]
    if warnings:
        parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
    return ", ".join(parts)


def checked(events: int, drafts: int, sources: int) -> str:
    """What `check` read, e.g. "13 events (1 draft) and 27 sources": drafts and their sources count."""
    shown = f"{events} event{'s' * (events != 1)}"
    if drafts:
        shown += f" ({drafts} draft{'s' * (drafts != 1)})"
    return shown + f" and {sources} source{'s' * (sources != 1)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(problem: Problem) -> str:
    """A GitHub Actions workflow command, so the problem shows on its line of the pull request."""
    problem = _shown(problem, line_ends=True)
    kind = "error" if problem.is_error else "warning"
    props = [f"file={_escape_property(problem.where.path)}"]
    if problem.where.line:
        props.append(f"line={problem.where.line}")
    props.append(f"title={_escape_property('Timeline ' + kind)}")
    message = problem.message + (f"\nhint: {problem.hint}" if problem.hint else "")
    return f"::{kind} {','.join(props)}::{_escape_data(message)}"
