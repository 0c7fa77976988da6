#!/usr/bin/env python3
"""Generate a synthetic timeline of N events for the speed benchmark.

    python bench/generate.py N OUT_DIR [--seed 1]

Writes, deterministically for a given N and seed:

  OUT_DIR/content/   the project's own content format (what `python build.py` reads):
      site.yaml
      events/<date>-<slug>.md   N events of about 200 words in 2-4 paragraphs, every paragraph
                                citing one of the event's 2 sources with [^source-id]
      sources/<id>.yaml         a pool of about N/2 sources, so sources are shared between events
      sources/<id>.txt          a stored snapshot for about 40% of the sources; some events quote it
  OUT_DIR/hugo/      the same N events as a minimal Hugo site (hugo.toml, content/events/*.md and
                     layouts for one page per event plus one index of all events), so Hugo does
                     comparable work on the same text.

Only the standard library is used, so the generator runs without the project installed.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
from pathlib import Path

GENERATOR_VERSION = "2"  # bump when the output changes, so bench/run.py regenerates its cache

# --- Vocabulary: enough variety for realistic, non-repeating newsroom prose -------------------

SUBJECTS = [
    ("The city council", "Council"), ("The mayor's office", "Mayor"), ("State regulators", "Regulators"),
    ("A federal judge", "Judge"), ("The transport authority", "Transport authority"),
    ("Hospital administrators", "Hospital"), ("The school board", "School board"),
    ("County prosecutors", "Prosecutors"), ("The port authority", "Port authority"),
    ("Union representatives", "Union"), ("The state legislature", "Legislature"),
    ("The health department", "Health department"), ("The election commission", "Election commission"),
    ("The water utility", "Water utility"), ("Police officials", "Police"), ("The governor", "Governor"),
    ("The planning committee", "Planning committee"), ("The auditor general", "Auditor"),
    ("The housing agency", "Housing agency"), ("The energy regulator", "Energy regulator"),
    ("University trustees", "Trustees"), ("The appeals court", "Appeals court"),
    ("The parks department", "Parks department"), ("Fire officials", "Fire service"),
]
VERBS = [
    ("approved", "approves"), ("announced", "announces"), ("rejected", "rejects"), ("postponed", "postpones"),
    ("published", "publishes"), ("confirmed", "confirms"), ("disputed", "disputes"), ("extended", "extends"),
    ("reviewed", "reviews"), ("suspended", "suspends"), ("proposed", "proposes"), ("defended", "defends"),
    ("cancelled", "cancels"), ("expanded", "expands"), ("investigated", "investigates"), ("revised", "revises"),
]
OBJECTS = [
    ("a revised budget for the harbour district", "harbour budget"),
    ("new rules on short-term rentals", "rental rules"),
    ("a plan to close two rural clinics", "clinic closures"),
    ("the contract for the northern rail extension", "rail contract"),
    ("an audit of overtime payments", "overtime audit"),
    ("a proposal to merge three school districts", "school merger"),
    ("emergency funding for flood defences", "flood funding"),
    ("the results of the water quality survey", "water survey"),
    ("a ban on diesel buses in the city centre", "diesel bus ban"),
    ("the redrawing of electoral boundaries", "boundary map"),
    ("a pilot programme for free public transport", "transit pilot"),
    ("new limits on campaign donations", "donation limits"),
    ("the sale of the former power station site", "power station sale"),
    ("a review of police use-of-force reports", "use-of-force review"),
    ("a tax on vacant homes", "vacant homes tax"),
    ("the renewal of the waste collection contract", "waste contract"),
    ("a moratorium on new data centres", "data centre moratorium"),
    ("the expansion of the airport's second runway", "runway expansion"),
    ("a settlement with former employees", "staff settlement"),
    ("a report on hospital waiting times", "waiting times report"),
    ("changes to the minimum wage ordinance", "minimum wage change"),
    ("the closure of the central library", "library closure"),
    ("a new cycling network for the inner suburbs", "cycle network"),
    ("the licence of the largest landfill operator", "landfill licence"),
]
QUALIFIERS = [
    "after a three-hour hearing", "citing rising costs", "according to the published minutes",
    "in a statement on its website", "by a vote of {a} to {b}", "despite objections from residents",
    "two weeks after the first draft was leaked", "at a cost of {m} million dollars",
    "following a complaint from {n} households", "without a public consultation",
    "in a letter seen by reporters", "ahead of the deadline set in {y}",
    "under pressure from the opposition", "at its regular monthly meeting",
    "in a ruling that runs to {p} pages", "after an independent review",
]
FOLLOW_UPS = [
    "Critics said the decision had been rushed and asked for the documents to be released",
    "Officials said the figures would be updated once the final accounts were available",
    "A spokesperson declined to say when the next review would take place",
    "The opposition called for an inquiry into how the estimate had been prepared",
    "Residents who attended the meeting questioned the timetable and the cost",
    "The agency said it had received {n} written submissions during the consultation",
    "Independent analysts estimated the long-term cost at around {m} million dollars",
    "The decision can be appealed within {d} days, according to the notice",
    "Two members abstained, saying they had not seen the full report",
    "The previous plan, agreed in {y}, had been abandoned after legal challenges",
    "Local businesses said they had not been consulted before the announcement",
    "The figures were later corrected in a second statement issued the same evening",
]
TAGS = [
    "budget", "courts", "health", "education", "transport", "housing", "environment", "elections",
    "police", "labour", "energy", "water", "technology", "culture", "economy", "planning",
]
PUBLISHERS = [
    ("The Harbour Gazette", "harbour-gazette", "harbourgazette.example.com"),
    ("City Courier", "city-courier", "citycourier.example.com"),
    ("Metro Daily News", "metro-daily", "metrodaily.example.org"),
    ("Le Courrier du Québec", "courrier-quebec", "courrier.example.ca"),
    ("Public Broadcasting Service (local desk)", "pbs-local", "pbs.example.org"),
    ("State Press Agency", "state-press", "statepress.example.net"),
    ("The Evening Record", "evening-record", "eveningrecord.example.com"),
    ("Valley Times", "valley-times", "valleytimes.example.com"),
    ("Office of the Mayor", "mayor-office", "city.example.gov"),
    ("County Court Records", "county-court", "courts.example.gov"),
    ("Investigative Reporting Network", "irn", "irn.example.org"),
    ("The Northern Observer", "northern-observer", "observer.example.co.uk"),
]


def _without_figures(templates: list[str]) -> list[str]:
    return [t for t in templates if "{" not in t]


EMPHASIS_PHRASES = ["not", "before", "at least", "for the first time", "unanimously", "again", "twice"]
_WORD = re.compile(r"\S+")


def slugify(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def yq(text: str) -> str:
    """A YAML single-quoted scalar: always read as text, whatever the value looks like."""
    return "'" + text.replace("'", "''") + "'"


class Writer:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def fill(self, template: str) -> str:
        r = self.rng
        return template.format(a=r.randint(5, 9), b=r.randint(1, 4), m=r.randint(2, 900), n=r.randint(12, 4000),
                                y=r.randint(1995, 2024), p=r.randint(12, 240), d=r.choice((14, 28, 30, 60)))

    def sentence(self, figures: bool = True) -> str:
        """A sentence of prose; with `figures=False`, one without numbers in digits (the build
        checks every figure against a stored copy of the source cited for it)."""
        r = self.rng
        if r.random() < 0.3:
            return self.fill(r.choice(FOLLOW_UPS if figures else _without_figures(FOLLOW_UPS))) + "."
        subject = r.choice(SUBJECTS)[0]
        verb = r.choice(VERBS)[0]
        obj = r.choice(OBJECTS)[0]
        qualifier = self.fill(r.choice(QUALIFIERS if figures else _without_figures(QUALIFIERS)))
        if r.random() < 0.12:
            verb = f"*{r.choice(EMPHASIS_PHRASES)}* {verb}" if r.random() < 0.5 else verb
            obj = f"**{obj}**" if "*" not in verb else obj
        return f"{subject} {verb} {obj} {qualifier}."

    def plain_sentence(self, figures: bool = True) -> str:
        """A sentence without Markdown, for snapshots and summaries."""
        return self.sentence(figures).replace("*", "")


def event_date(rng: random.Random) -> tuple[str, str]:
    """(the event's date as written, a full date Hugo can read). Some dates have month or year precision."""
    year, month, day = rng.randint(2000, 2025), rng.randint(1, 12), rng.randint(1, 28)
    roll = rng.random()
    if roll < 0.03:
        return f"{year:04d}", f"{year:04d}-01-01"
    if roll < 0.15:
        return f"{year:04d}-{month:02d}", f"{year:04d}-{month:02d}-01"
    return f"{year:04d}-{month:02d}-{day:02d}", f"{year:04d}-{month:02d}-{day:02d}"


def generate(n: int, out: Path, seed: int = 1) -> dict:
    if n < 1:
        raise ValueError("N must be at least 1")
    rng = random.Random(seed)
    writer = Writer(seed + 1)
    content = out / "content"
    hugo = out / "hugo"
    for folder in (content, hugo):
        if folder.exists():
            shutil.rmtree(folder)
    (content / "events").mkdir(parents=True)
    (content / "sources").mkdir(parents=True)
    (hugo / "content" / "events").mkdir(parents=True)

    (content / "site.yaml").write_text(
        f"""# A synthetic timeline for the speed benchmark (bench/generate.py {n} --seed {seed}).
title: Synthetic newsroom timeline ({n} events)
description: A generated timeline of {n} local-news events, each statement linked to its sources.
base_url: https://example.org/synthetic-timeline/
language: en
policy:
  min_sources: 2
  quotes_need_snapshots: true
  archive_required: false
""", encoding="utf-8")

    # --- Sources: a pool of about N/2, each with a snapshot about 40% of the time ---------------
    pool_size = max(2, n // 2)
    sources = []  # dicts: id, title, publisher, url, published, snapshot sentences (or None)
    used_ids: set[str] = set()
    for index in range(pool_size):
        publisher, pub_slug, host = rng.choice(PUBLISHERS)
        year, month, day = rng.randint(2000, 2025), rng.randint(1, 12), rng.randint(1, 28)
        topic = rng.choice(OBJECTS)[1]
        base_id = f"{pub_slug}-{slugify(topic)}-{year:04d}-{month:02d}-{day:02d}"
        source_id = base_id if base_id not in used_ids else f"{base_id}-{index}"
        used_ids.add(source_id)
        subject = rng.choice(SUBJECTS)[1]
        verb = rng.choice(VERBS)[1]
        title = f"{subject} {verb} {topic}"
        if rng.random() < 0.05:
            title = f"({publisher} live page on the {topic})"
        snapshot = None
        if rng.random() < 0.4:
            snapshot = [writer.plain_sentence() for _ in range(rng.randint(8, 20))]
        source = {
            "id": source_id, "title": title, "publisher": publisher,
            "url": f"https://{host}/{year}/{month:02d}/{slugify(title)}-{index}",
            "published": f"{year:04d}-{month:02d}-{day:02d}", "snapshot": snapshot,
        }
        lines = [f"url: {source['url']}", f"title: {yq(title)}", f"publisher: {yq(publisher)}",
                 f"published: '{source['published']}'"]
        if rng.random() < 0.3:
            lines.append(f"archive_url: https://web.archive.org/web/{year:04d}{month:02d}{day:02d}000000/{source['url']}")
            lines.append(f"archive_date: '{year:04d}-{month:02d}-{day:02d}'")
        if rng.random() < 0.1:
            lines.append(f"accessed: '{rng.randint(2020, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}'")
        (content / "sources" / f"{source_id}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        if snapshot is not None:
            (content / "sources" / f"{source_id}.txt").write_text(
                f"{title}\n{publisher}\n\n" + wrap(" ".join(snapshot)) + "\n", encoding="utf-8")
        sources.append(source)

    # --- Events ------------------------------------------------------------------------------
    slugs: set[str] = set()
    words_total = 0
    quotes = 0
    hugo_events = []
    for index in range(n):
        # Every source is cited at least once (index % pool), and the second source is drawn at random.
        first = sources[index % pool_size]
        second = first
        while second is first:
            second = rng.choice(sources)
        cited = [first, second]
        rng.shuffle(cited)

        subject_short = rng.choice(SUBJECTS)[1]
        verb_present = rng.choice(VERBS)[1]
        obj_short = rng.choice(OBJECTS)[1]
        place = rng.choice(("", "", " in Northbridge", " in the valley", " next year", " after appeal", " again"))
        title = f"{subject_short} {verb_present} {obj_short}{place}"
        slug = slugify(title)
        if slug in slugs:
            slug = f"{slug}-{index}"
        slugs.add(slug)
        date, hugo_date = event_date(rng)
        tags = rng.sample(TAGS, rng.randint(1, 3))

        # Body: 2-4 paragraphs, ~200 words; paragraph i cites cited[i] for the first two, then either.
        paragraphs = rng.randint(2, 4)
        target = rng.randint(150, 210)
        per_paragraph = target // paragraphs
        body_parts = []
        words = 0
        for p in range(paragraphs):
            source = cited[p] if p < 2 else rng.choice(cited)
            sentences = []
            count = 0
            while count < per_paragraph:
                # Figures only where the build can check them: a sentence of the cited source's
                # stored copy (about half the time), otherwise prose without numbers in digits.
                if source["snapshot"] and rng.random() < 0.5:
                    sentence = rng.choice(source["snapshot"])
                else:
                    sentence = writer.sentence(figures=False)
                sentences.append(sentence)
                count += len(_WORD.findall(sentence))
            if rng.random() < 0.15:  # a link to a document, as editors write them
                sentences[-1] = sentences[-1][:-1] + f" ([full text](https://documents.example.org/{slug}/{p}))."
            marker = f"[^{source['id']}]"
            if len(sentences) > 2 and rng.random() < 0.3:  # a marker inside the paragraph too
                sentences[0] += marker
            text = " ".join(sentences) + marker
            if p == paragraphs - 1 and rng.random() < 0.1 and source["snapshot"]:
                # A block quote is a quotation: its words come from the cited source's stored text.
                text = "> " + " ".join(source["snapshot"][:2]) + marker
            body_parts.append(text)
            words += count
        words_total += words
        body = "\n\n".join(body_parts) + "\n"

        entries = []
        for source in cited:
            if source["snapshot"] and rng.random() < 0.5:
                quote = rng.choice(source["snapshot"])
                entries.append(f"  - id: {source['id']}\n    quote: {yq(quote)}")
                quotes += 1
            else:
                entries.append(f"  - {source['id']}")
        front = [f"title: {yq(title)}", f"date: '{date}'"]
        summary = ""
        if rng.random() < 0.8:
            lead = rng.choice(cited[0]["snapshot"]) if cited[0]["snapshot"] else writer.plain_sentence(figures=False)
            summary = lead[:-1] + f".[^{cited[0]['id']}]"
            front.append(f"summary: {yq(summary)}")
        front.append("tags: [" + ", ".join(tags) + "]")
        front.append("sources:\n" + "\n".join(entries))
        (content / "events" / f"{date}-{slug}.md").write_text(
            "---\n" + "\n".join(front) + "\n---\n" + body, encoding="utf-8")
        hugo_events.append((slug, title, hugo_date, tags, body, cited))

    write_hugo(hugo, n, hugo_events)
    return {"events": n, "sources": pool_size, "snapshots": sum(1 for s in sources if s["snapshot"]),
            "quotes": quotes, "words_per_event": round(words_total / n, 1)}


def wrap(text: str, width: int = 100) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join(lines + [line] if line else lines)


# --- Hugo ----------------------------------------------------------------------------------------

HUGO_TOML = """\
baseURL = "https://example.org/synthetic-timeline/"
languageCode = "en"
title = "Synthetic newsroom timeline ({n} events)"
# One page per event plus one index, as in the issue: no taxonomy, section, RSS or sitemap pages.
disableKinds = ["section", "taxonomy", "term", "rss", "sitemap", "robotsTXT", "404"]
enableRobotsTXT = false

[markup.goldmark.parser]
  autoHeadingID = false

[markup.goldmark.extensions]
  footnote = true
"""

HUGO_LAYOUTS = {
    "baseof.html": """\
<!doctype html>
<html lang="{{ site.Language.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}">
</head>
<body>
<header><a href="{{ "" | relURL }}">{{ site.Title }}</a></header>
<main>
{{ block "main" . }}{{ end }}
</main>
</body>
</html>
""",
    "single.html": """\
{{ define "main" }}
<article class="event">
  <p class="event-date"><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></p>
  <h1>{{ .Title }}</h1>
  <div class="event-text">
{{ .Content }}
  </div>
  {{ with .Params.tags }}<ul class="tags">{{ range . }}<li>{{ . }}</li>{{ end }}</ul>{{ end }}
</article>
<p class="back"><a href="{{ "" | relURL }}">← Back to the timeline</a></p>
{{ end }}
""",
    "home.html": """\
{{ define "main" }}
<h1>{{ site.Title }}</h1>
<ol class="timeline">
{{ range (where site.RegularPages "Section" "events").ByDate }}
  <li><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time> <a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}
</ol>
{{ end }}
""",
}
HUGO_LAYOUTS["list.html"] = HUGO_LAYOUTS["home.html"]


def write_hugo(hugo: Path, n: int, events) -> None:
    (hugo / "hugo.toml").write_text(HUGO_TOML.format(n=n), encoding="utf-8")
    layouts = hugo / "layouts"
    layouts.mkdir(parents=True, exist_ok=True)
    for name, text in HUGO_LAYOUTS.items():
        (layouts / name).write_text(text, encoding="utf-8")
    for slug, title, date, tags, body, cited in events:
        # The [^id] markers are already Goldmark footnote references; add the footnote definitions.
        notes = "\n".join(
            f"[^{s['id']}]: [{s['title']}]({s['url']}), {s['publisher']}, {s['published']}." for s in cited)
        front = "\n".join([
            "---", f"title: {yq(title)}", f"date: {date}", f"slug: {slug}",
            "tags: [" + ", ".join(tags) + "]", "---",
        ])
        (hugo / "content" / "events" / f"{slug}.md").write_text(f"{front}\n{body}\n{notes}\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, metavar="N", help="number of events")
    parser.add_argument("out", type=Path, metavar="OUT_DIR", help="writes OUT_DIR/content/ and OUT_DIR/hugo/")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1): same N and seed, same files")
    args = parser.parse_args(argv)
    stats = generate(args.n, args.out, args.seed)
    print(f"Generated {stats['events']} events ({stats['words_per_event']} words each on average), "
          f"{stats['sources']} sources ({stats['snapshots']} with snapshots), {stats['quotes']} quotes "
          f"in {args.out / 'content'} and {args.out / 'hugo'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
