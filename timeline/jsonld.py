"""schema.org JSON-LD for event pages: a ClaimReview where the event reviews a claim."""

from __future__ import annotations

import json

from markupsafe import Markup

from .model import Event, SiteConfig


def claim_review_json_ld(event: Event, site: SiteConfig, page_url: str) -> Markup | None:
    """Google's required ClaimReview fields and its recommended ones, or None without a review."""
    review = event.claim_review
    if review is None:
        return None
    claim: dict = {"@type": "Claim", "author": {"@type": "Person", "name": review.claimant}}
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


def script_safe_json(data) -> Markup:
    """JSON that cannot end its <script> element early: <, > and & are written as \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
