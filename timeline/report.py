"""Problems as editors read them: `path:line: message`, a hint under it, a count at the end."""

from __future__ import annotations

from .model import Problem


def format_problem(problem: Problem) -> str:
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
