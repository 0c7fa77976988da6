"""site.yaml → SiteConfig: the site's settings, its editorial policy, its topics and its About facts."""

from __future__ import annotations

import re

from .fields import SLUG, Fields, slugify
from .load import RawContent
from .model import About, Event, Location, Policy, Problem, SiteConfig, Topic
from .yamltext import YMap, YValue

SITE_KEYS = ("title", "description", "base_url", "language", "policy", "topics", "about")
TOPIC_KEYS = ("label", "description")
ABOUT_KEYS = ("owner", "contact", "funding", "report_url")
POLICY_KEYS = ("min_sources", "quotes_need_snapshots", "archive_required", "figures_must_match")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*\Z")


def read_site(raw: RawContent, problems: list[Problem]) -> SiteConfig | None:
    if raw.site_where is None or any(p.where.path == raw.site_where.path for p in raw.problems):
        return None  # already reported: missing or unreadable
    fields = Fields(raw.site, raw.site_where, problems, "site.yaml")
    fields.check_keys(SITE_KEYS)
    config = SiteConfig(
        title=fields.text("title", required=True),
        description=fields.text("description", required=True),
        base_url=fields.url("base_url", required=True),
        language=fields.text("language", required=True, hint="a language tag such as en or en-GB"),
        policy=_policy(fields),
        topics=_topics(fields),
        about=_about(fields),
    )
    if config.base_url and ("?" in config.base_url or "#" in config.base_url):
        fields.problem(fields.line("base_url"), "'base_url' must not have a query (?…) or a fragment (#…)",
                       "every page's address is made by adding its path to base_url: give the folder, "
                       "e.g. https://example.org/timeline/")
    if config.language and not _LANGUAGE.match(config.language):
        fields.problem(fields.line("language"), f"'language' is not a language tag: '{config.language}'", "e.g. en or en-GB")
    return config


def check_every_topic_used(site: SiteConfig, events: list[Event], data: YValue | None, where: Location,
                            problems: list[Problem]) -> None:
    used = {tag for event in events for tag in event.tags}
    lines = Fields(data, where, [], "site.yaml").nested("topics", "topics").map.key_lines
    for topic in site.topics:
        if topic.slug not in used:
            problems.append(Problem(Location(where.path, lines.get(topic.slug, where.line)),
                                    f"the topic '{topic.slug}' has no event", "tag an event with it, or remove it",
                                    "warning"))


def _topics(site: Fields) -> tuple[Topic, ...]:
    """`topics:` maps each tag to its label (and, optionally, a description): 'slug: Label', or
    'slug:' with 'label:' and 'description:' under it."""
    value = site.map.items.get("topics")
    if value is None:
        return ()
    if not isinstance(value.value, YMap):
        site.problem(value.line, f"'topics' must be a list of 'tag: Label' lines, not {value.kind}",
                     "e.g. hunter-biden: Hunter Biden")
        return ()
    topics = []
    for slug, line in value.value.key_lines.items():
        if not SLUG.match(slug):
            hint = f"write it as '{slugify(slug)}'" if slugify(slug) else "lowercase letters, digits and hyphens"
            site.problem(line, f"the topic '{slug}' is not lowercase-with-hyphens", hint)
            continue
        entry = value.value.items[slug]
        if isinstance(entry.value, str):
            label, description = entry.value.strip(), ""
        else:
            fields = site.nested("topics", "topics").nested(slug, f"topic '{slug}'")
            fields.check_keys(TOPIC_KEYS)
            label, description = fields.text("label"), fields.text("description")
        if not label:
            site.problem(entry.line, f"the topic '{slug}' has no label", f"e.g. {slug}: {slug.replace('-', ' ').capitalize()}")
            continue
        topics.append(Topic(slug, label, description))
    return tuple(topics)


def _about(site: Fields) -> About:
    if "about" not in site.map.items:
        return About()
    fields = site.nested("about", "about")
    fields.check_keys(ABOUT_KEYS)
    contact = fields.text("contact")
    if contact and not contact.startswith("mailto:") and "@" not in contact:
        contact = fields.url("contact")
    return About(fields.text("owner"), contact, fields.text("funding"), _report_url(fields))


def _report_url(fields: Fields) -> str:
    """Where readers report an error: an https address, or mailto: with an address."""
    text = fields.text("report_url")
    if text.startswith("mailto:"):
        if not re.fullmatch(r"mailto:[^\s<>\"'@]+@[^\s<>\"'@]+", text):
            fields.problem(fields.line("report_url"), f"'report_url' is not an e-mail address: '{text}'",
                           "write it as mailto:corrections@example.org")
            return ""
        return text
    return fields.url("report_url")


def _policy(site: Fields) -> Policy:
    if "policy" not in site.map.items:
        return Policy()
    fields = site.nested("policy", "policy")
    fields.check_keys(POLICY_KEYS)
    text = fields.text("min_sources") or "1"
    if not (text.isascii() and text.isdigit() and len(text) <= 4) or int(text) < 1:
        fields.problem(fields.line("min_sources"), f"'min_sources' must be a whole number of at least 1, not '{text}'")
        text = "1"
    return Policy(int(text), fields.boolean("quotes_need_snapshots"), fields.boolean("archive_required"),
                  fields.boolean("figures_must_match"))
