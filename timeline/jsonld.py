"""schema.org JSON-LD for event pages: an Article about the event, citing its sources, and a
ClaimReview where the event reviews a claim."""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from .model import Event, SiteConfig, Source


def event_json_ld(event: Event, site: SiteConfig, page_url: str, description: str) -> Markup:
    """The page as an Article about the event, with every source as a citation.

    Not a schema.org Event: search engines read that as something one can attend.
    """
    happening: dict[str, Any] = {"@type": "Event", "name": event.title, "startDate": event.date.iso}
    if event.end_date:
        happening["endDate"] = event.end_date.iso
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": event.title,
        "description": description,
        "url": page_url,
        "inLanguage": site.language,
        "isPartOf": {"@type": "WebSite", "name": site.title, "url": site.base_url},
        "publisher": {"@type": "Organization", "name": site.title, "url": site.base_url},
        "about": happening,
        "keywords": list(event.tags),
        "citation": [_cited(c.source) for c in event.citations],
        # The latest day the record changed (its own date, `updated`, corrections, the claim
        # review), as the feeds, the sitemap and the calendar give it.
        "dateModified": event.last_modified.iso,
    }
    return script_safe_json(data)


def _cited(source: Source) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork"}
    if source.title_is_description:  # our description of the page, not its name
        work["description"] = source.description
    else:
        work["name"] = source.title
    work.update({"url": source.url, "publisher": {"@type": "Organization", "name": source.publisher},
                 "datePublished": source.published.iso})
    return work


def claim_review_json_ld(event: Event, site: SiteConfig, page_url: str) -> Markup | None:
    """Google's required ClaimReview fields and its recommended ones, or None without a review."""
    review = event.claim_review
    if review is None:
        return None
    claim: dict[str, Any] = {"@type": "Claim", "author": {"@type": "Person", "name": review.claimant}}
    if review.claim_date:
        claim["datePublished"] = review.claim_date.iso
    if review.appearance:
        claim["appearance"] = {"@type": "CreativeWork", "url": review.appearance.url,
                               "publisher": {"@type": "Organization", "name": review.appearance.publisher}}
    data = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": page_url,
        "claimReviewed": review.claim,
        "datePublished": review.date.iso,
        "author": {"@type": "Organization", "name": site.title, "url": site.base_url},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": review.rating_value,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": review.rating_name,
        },
        "itemReviewed": claim,
    }
    return script_safe_json(data)


def script_safe_json(data: Any) -> Markup:
    """JSON that cannot end its <script> element early: <, > and & are written as \\u escapes."""
    # Compact: without indentation json.dumps uses its C encoder, many times faster on every page.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
