"""Page keys are made from the whole template context (timeline/digests.py): any value a page is
given is in its key, so a page can only be kept when nothing it shows has changed."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from timeline.digests import context_digest
from timeline.lists import PlacedCard
from timeline.model import Correction, EventDate, Policy


def key(**context):
    return context_digest("list", "scope", "page/index.html", "page.html", context=context)


BASE = {"count": 3, "title": "A", "rows": [Markup("<li>x</li>")], "pages": [("here/", "2001", "2003")],
        "counts": {"events": 3}, "policy": Policy(), "date": EventDate(2024, 5), "flag": None,
        "cards": [PlacedCard("f1", "e1", 3, "../", "slug", {})]}


def test_the_same_context_gives_the_same_key_and_any_change_another():
    assert key(**BASE) == key(**dict(BASE))
    changes = {"count": 4, "title": "B", "rows": [Markup("<li>y</li>")], "pages": [("here/", "2001", "2004")],
               "counts": {"events": 4}, "policy": Policy(min_sources=2), "date": EventDate(2024, 6), "flag": False,
               "cards": [PlacedCard("f2", "e1", 3, "../", "slug", {})]}
    keys = {key(**{**BASE, name: value}) for name, value in changes.items()}
    assert len(keys) == len(changes) and key(**BASE) not in keys
    assert key(**BASE, extra="") != key(**BASE)  # a value added to the context is in the key


def test_a_card_is_keyed_by_what_makes_it_not_by_its_html():
    cards = {("slug", 3): "<article>\ue003events/slug/</article>"}
    card = PlacedCard("f1", "e1", 3, "../", "slug", cards)
    assert card.__html__() == "<article>../events/slug/</article>"
    cards["slug", 3] = "changed"  # the cards follow from the fingerprint: the key does not read them
    assert key(cards=[card]) == key(cards=[PlacedCard("f1", "e1", 3, "../", "slug", {})])
    assert key(cards=[card]) != key(cards=[PlacedCard("f1", "e1", 3, "./", "slug", {})])


def test_a_value_it_cannot_describe_is_an_error_not_a_guess():
    class Opaque:
        pass

    with pytest.raises(TypeError, match="cannot describe a Opaque"):
        key(thing=Opaque())
    correction = Correction(EventDate(2025, 1, 2), "A fix.")
    assert key(c=[correction]) != key(c=[Correction(EventDate(2025, 1, 2), "Another fix.")])
