"""Figures in a text, read as values, so that a statement's numbers can be found in its sources.

A figure is a number written in digits (1,499; 39; $5 million; 2.5; the 12 of "12 December").
The same value may be spelled otherwise in a source: 1499, "five", "$5,000,000", "5 million",
so sources are read for values too. Number words in a statement ("one of his first actions")
are not figures: too many are not numbers at all.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_SCALES = {"thousand": Decimal(1000), "million": Decimal(10) ** 6, "billion": Decimal(10) ** 9,
           "trillion": Decimal(10) ** 12}
_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "dozen": 12, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
}
_SCALE = r"(?:\s+(thousand|million|billion|trillion)\b)?"
# A number not glued to a word before it: "COVID-19" and "J6" are names, not figures.
_NUMBER = re.compile(
    r"(?<![\w.,])(?<![^\W\d_][-\u2010\u2011\u2013])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:st|nd|rd|th)?(?!\w)" + _SCALE,
    re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
# Matched in the source's text lowercased: a case-insensitive alternation of words is about three
# times slower, and a build reads every stored copy.
_NUMBER_IN_SOURCE = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?" + _SCALE)
_WORD_IN_SOURCE = re.compile(r"\b(" + "|".join(_WORDS) + r")(?:[ -]+(" + "|".join(_WORDS) + r"))?\b" + _SCALE)


@dataclass(frozen=True)
class Figure:
    written: str  # as in the text: "1,499", "$5 million" (without the "$")
    value: Decimal
    start: int  # offset in the text
    end: int


def figures_in(text: str) -> list[Figure]:
    found = []
    end = 0
    # _NUMBER's look-behinds make a scan of the whole text slow. It can only match where a run of
    # digits starts (a digit before a digit is a word character), so it is tried there alone.
    for run in _DIGITS.finditer(text):
        if run.start() < end:
            continue  # part of the figure before: the 499 of 1,499
        match = _NUMBER.match(text, run.start())  # the look-behinds still see the text before
        if match is None:
            continue
        end = match.end()
        whole, fraction, scale = match.groups()
        value = _value(whole, fraction, scale)
        if value is not None:
            found.append(Figure(match.group().strip(), value, match.start(), match.end()))
    return found


@functools.lru_cache(maxsize=65536)  # a snapshot is read once however many figures cite it
def values_in(source_text: str) -> frozenset[Decimal]:
    """Every value a source's text states, in digits or in words, with and without its scale
    ("$5 million" states 5 000 000, and also 5)."""
    values: set[Decimal] = set()
    source_text = source_text.lower()
    for match in _NUMBER_IN_SOURCE.finditer(source_text):
        whole, fraction, scale = match.groups()
        for with_scale in (scale, None):
            value = _value(whole, fraction, with_scale)
            if value is not None:
                values.add(value)
    for match in _WORD_IN_SOURCE.finditer(source_text):
        first, second, scale = match.groups()
        number = Decimal(_WORDS[first.lower()])
        if second:
            following = Decimal(_WORDS[second.lower()])
            number = number * following if following == 100 else number + following
        values.add(number)
        if scale:
            values.add(number * _SCALES[scale.lower()])
    return frozenset(values)


def _value(whole: str, fraction: str | None, scale: str | None) -> Decimal | None:
    try:
        value = Decimal(whole.replace(",", "") + (fraction or ""))
    except InvalidOperation:
        return None
    if scale:
        value *= _SCALES[scale.lower()]
    return value.normalize()


def parse_figure(text: str) -> Decimal | None:
    """A figure as an editor writes it in front matter: '237', '1,499', '$5 million'."""
    found = figures_in(text.strip().lstrip("$"))
    return found[0].value if len(found) == 1 else None


_ARITHMETIC = str.maketrans({"×": "*", "x": "*", "÷": "/", "\u2212": "-", "\u2013": "-"})
_OPERAND = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def evaluate(formula: str) -> tuple[Decimal | None, list[Decimal]]:
    """The value of a sum such as '143 + 94' or '1,715 - 212', and its operands; None when the
    formula is not plain arithmetic on numbers. Read with Python's own parser, never run."""
    operands = [Decimal(n.replace(",", "")) for n in _OPERAND.findall(formula)]
    expression = _OPERAND.sub(lambda m: m.group().replace(",", ""), formula.translate(_ARITHMETIC))
    try:
        tree = ast.parse(expression.strip(), mode="eval")
        return _compute(tree.body), operands
    except (SyntaxError, ValueError, ZeroDivisionError, InvalidOperation, RecursionError):
        return None, operands


def _compute(node: ast.AST) -> Decimal:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return Decimal(str(node.value))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_compute(node.operand)
    if isinstance(node, ast.BinOp):
        left, right = _compute(node.left), _compute(node.right)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            return left / right
    raise ValueError("not arithmetic")
