"""Accessibility of the real site in Chromium: axe-core on every kind of page, in light and dark
colour schemes and after the timeline's controls are used (and on every kind of page of a generated
site of 2,000 events, which has year pages and long lists), then what axe cannot see: the keyboard
(skip link, tab order, visible focus), the heading outline, visible labels inside accessible names,
reduced motion, and the timeline's controls appearing without pushing the events down.

axe-core comes bundled with the PyPI package axe-playwright-python. Besides its default rules, the
WCAG 2.2 rule target-size (off by default in axe) is switched on.
"""

from __future__ import annotations

import itertools
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import SITES, find_page
from playwright.sync_api import Page, expect

SCHEMES = ["light", "dark"]

# The kinds of page every test here opens on the real site: the timeline, an event (one with a claim
# review if there is one), a topic, the sources and the 404 page. Which event and which topic is
# found in the build (conftest.find_page): no test names the live content's.
PAGES = ["timeline", "event page", "tag page", "sources page", "404 page"]
# axe-core also checks the search page, on both sites, and on the big site the pages only it has.
AXE_PAGES = [
    *(("real", which) for which in [*PAGES, "404 page (deep)", "search page"]),
    *(("big", which) for which in ["timeline", "event page", "tag page", "sources page", "search page", "year page",
                                   "sources letter page"]),
]
OPTIONAL = {"sources letter page"}  # only when the site's sources are split by initial
DEEP_MISSING = "events/no-such-event/deeper/"  # where a host would serve 404.html for a missing address

AXE_OPTIONS = {
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations", "incomplete", "passes"],  # full node lists: the contrast check counts them
}

_axe = Axe()

# Relative luminance and contrast ratio (WCAG 2) of computed rgb()/rgba() colours, in the page.
CONTRAST_JS = """
    const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
    const lum = c => {
        const [r, g, b] = parse(c).slice(0, 3).map(v => v / 255)
            .map(v => v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const opaque = c => { const v = parse(c); return v.length === 3 || (v.length === 4 && v[3] === 1); };
    const backgroundOf = el => {  // the first opaque background colour at or above el
        for (let e = el; e; e = e.parentElement) {
            const bg = getComputedStyle(e).backgroundColor;
            if (opaque(bg)) return bg;
        }
        return 'rgb(255, 255, 255)';
    };
"""


# ---- Helpers ----

def _open(new_page, base_url: str, site, which: str, **options) -> Page:
    """A page of the given kind, loaded and settled; '404 page (deep)' is 404.html served at a missing address."""
    page = new_page(**options)
    if which == "404 page (deep)":
        body = (site / "404.html").read_bytes()
        page.route(base_url + DEEP_MISSING,
                   lambda route: route.fulfill(status=404, body=body, content_type="text/html; charset=utf-8"))
        response = page.goto(base_url + DEEP_MISSING, wait_until="load")
        assert response is not None and response.status == 404
    else:
        address = find_page(site, which)
        assert address is not None, f"no {which} was built in {site}"
        response = page.goto(base_url + address, wait_until="load")
        assert response is not None and response.status == 200
        if which == "search page":
            page.wait_for_load_state("networkidle")  # the search box is made by a script, which may fetch more
    # The stylesheet must have applied, or axe would check an unstyled page.
    assert page.evaluate("() => [...document.styleSheets].some(s => s.href && s.href.endsWith('/static/style.css'))")
    return page


def _scheme_applied(page: Page, scheme: str) -> None:
    """The page really is in the scheme: a light background in light, a dark one in dark."""
    background, luminance = page.evaluate("() => {" + CONTRAST_JS + """
        const bg = backgroundOf(document.body); return [bg, lum(bg)]; }""")
    assert (luminance > 0.5) if scheme == "light" else (luminance < 0.1), (
        f"the {scheme} colour scheme is not in effect: the page's background is {background}")


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    target: {' '.join(map(str, node['target']))}")
            lines.append(f"      html: {node['html'][:300]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n            ")
            lines.append(f"      why:  {summary}")
    return "\n".join(lines)


def _run_axe(page: Page, context: str | None = None, every_node: bool = True) -> dict:
    """axe-core's results for the page (or the part matching the CSS selector context). Without
    every_node, passed and undecided rules name only their first node: on a page of 10,000 elements
    (the big site's sources) that halves the time, and the real site's pages check every node."""
    options = AXE_OPTIONS if every_node else {**AXE_OPTIONS, "resultTypes": ["violations"]}
    results = _axe.run(page, context=context, options=options).response
    assert results["testEngine"]["name"] == "axe-core"
    return results


def _assert_no_violations(results: dict, where: str) -> None:
    violations = results["violations"]
    assert not violations, f"{len(violations)} axe violation(s) on {where}:\n{_describe(violations)}"


def _nodes(results: dict, kind: str, rule: str) -> list[dict]:
    return [node for entry in results[kind] if entry["id"] == rule for node in entry["nodes"]]


# How the test measures a node that axe leaves undecided: [text colour, background colour], or null.
MEASURE_JS = "el => {" + CONTRAST_JS + """
    if (!(el instanceof SVGElement)) return [getComputedStyle(el).color, backgroundOf(el)];
    // SVG text: its fill against the last shape drawn before it under its box, else what is behind the SVG.
    const fill = getComputedStyle(el).fill;
    if (!/^rgb/.test(fill) || parseFloat(getComputedStyle(el).fillOpacity) !== 1) return null;
    const box = el.getBoundingClientRect();
    const overlaps = r => r.left < box.right && box.left < r.right && r.top < box.bottom && box.top < r.bottom;
    let background = backgroundOf(el.closest('svg').parentElement);
    for (const shape of el.closest('svg').querySelectorAll('rect, circle, ellipse, path, polygon, image')) {
        if (!(shape.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING)) continue;
        if (!overlaps(shape.getBoundingClientRect())) continue;
        const s = getComputedStyle(shape);
        const invisible = s.fill === 'none' || s.display === 'none' || s.visibility === 'hidden'
            || parse(s.fill)[3] === 0 || parseFloat(s.fillOpacity) === 0 || parseFloat(s.opacity) === 0;
        if (invisible) continue;  // paints nothing: a transparent target for the pointer, say
        if (shape.tagName === 'image' || !opaque(s.fill) || parseFloat(s.fillOpacity) !== 1
            || parseFloat(s.opacity) !== 1) return null;  // a picture or a see-through shape: undecidable here
        background = s.fill;
    }
    return [fill, background];
}"""


def _assert_contrast_was_checked(page: Page, results: dict, where: str, every_node: bool = True) -> int:
    """color-contrast must decide for (nearly) every text node. The only undecided ones allowed are
    those axe cannot do by design: text of symbols alone such as the '↑' back-links ('nonBmp') and
    text inside an SVG drawing. Their contrast is measured here instead. Returns how many there were."""
    passed = _nodes(results, "passes", "color-contrast")
    assert passed, f"color-contrast checked no text on {where}"
    incomplete = _nodes(results, "incomplete", "color-contrast")
    unexplained, measured = [], []
    for node in incomplete:
        reason = ((node["any"] or [{}])[0].get("data") or {}).get("messageKey")
        element = page.locator(node["target"][0])
        is_svg = element.evaluate("el => el instanceof SVGElement")
        if reason != "nonBmp" and not is_svg:
            unexplained.append((node["target"], node["html"][:120], node["any"][0]["message"] if node["any"] else ""))
            continue
        measured.append((node["target"], element.evaluate(MEASURE_JS)))
    assert not unexplained, (
        f"color-contrast could not decide {len(unexplained)} node(s) on {where} (a pseudo-element or image "
        f"behind the text?): {unexplained[:10]}")
    if every_node:  # otherwise axe lists one node of each
        assert len(incomplete) < len(passed), f"{where}: {len(incomplete)} undecided, {len(passed)} checked"
    for target, colours in measured:
        assert colours, f"{target} on {where}: neither axe nor this test can tell its contrast"
        ratio = page.evaluate("([fg, bg]) => {" + CONTRAST_JS + "return ratio(fg, bg); }", colours)
        assert ratio >= 4.5, f"{target} on {where}: contrast {ratio:.2f}:1 ({colours}) measured here, 4.5:1 needed"
    return len(incomplete)


# ---- axe-core: every kind of page, both colour schemes ----

@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("name", "which"), AXE_PAGES, ids=[f"{name}-{which}" for name, which in AXE_PAGES])
def test_axe_finds_no_violations(new_page, request, name, which, scheme):
    site_fixture, url_fixture = SITES[name]
    site = request.getfixturevalue(site_fixture)
    if which in OPTIONAL and find_page(site, which) is None:
        pytest.skip(f"the {name} site has no {which}")
    page = _open(new_page, request.getfixturevalue(url_fixture), site, which, color_scheme=scheme)
    _scheme_applied(page, scheme)
    if which == "event page" and any('class="claim-review' in p.read_text(encoding="utf-8")
                                     for p in site.glob("events/*/index.html")):
        expect(page.locator("section.claim-review")).to_have_count(1)
    every_node = name == "real"  # the big site's pages are made by the same templates, and many times longer
    results = _run_axe(page, every_node=every_node)
    where = f"the {which} of the {name} site ({scheme})"
    _assert_no_violations(results, where)
    undecided = _assert_contrast_was_checked(page, results, where, every_node)
    print(f"{where}: color-contrast checked {len(_nodes(results, 'passes', 'color-contrast'))} nodes, "
          f"{undecided} undecided (symbol-only or SVG text, measured by the test instead)")
    assert _nodes(results, "passes", "target-size"), "target-size checked no link or control"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_no_violations_on_the_timeline_after_using_its_controls(new_page, base_url, real_site, scheme):
    page = _open(new_page, base_url, real_site, "timeline", color_scheme=scheme)
    expect(page.locator("#timeline-controls")).to_be_visible()  # timeline.js shows the controls
    _assert_no_violations(_run_axe(page), f"the timeline with its controls shown ({scheme})")

    # The first topic in the menu, with the number of its events that the menu shows: "topic (n)".
    topic, label = page.locator("#tag-filter option:not([value=''])").first.evaluate("o => [o.value, o.text]")
    shown = re.search(r"\((\d+)\)\s*$", label)
    assert shown, f"the topic menu does not say how many events {topic!r} has: {label!r}"
    page.select_option("#tag-filter", topic)
    expect(page.locator("#filter-status")).to_contain_text(f"Showing {shown.group(1)} of")
    page.click("#order-toggle")
    expect(page.locator("#order-toggle")).to_have_attribute("aria-pressed", "true")
    results = _run_axe(page)
    _assert_no_violations(results, f"the timeline filtered by a topic, newest first ({scheme})")
    _assert_contrast_was_checked(page, results, f"the filtered timeline ({scheme})")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", list(SITES))
def test_axe_finds_no_violations_on_the_search_page_showing_results(new_page, request, name, scheme):
    site = request.getfixturevalue(SITES[name][0])
    event = site / find_page(site, "event page") / "index.html"
    # The longest word of an event's title is sure to be found.
    title = re.search(r"<h1\b[^>]*>(.*?)</h1>", event.read_text(encoding="utf-8"), re.DOTALL)
    assert title, f"{event} has no h1"
    word = max(re.findall(r"[^\W\d_]+", re.sub(r"<[^>]+>", " ", title.group(1))), key=len)
    page = new_page(color_scheme=scheme)
    response = page.goto(request.getfixturevalue(SITES[name][1]) + f"{find_page(site, 'search page')}?q={word}")
    assert response is not None and response.status == 200
    expect(page.locator("main ol li a").first).to_be_visible(timeout=10_000)  # search.js shows the results
    where = f"the search page of the {name} site showing the results for {word!r} ({scheme})"
    results = _run_axe(page)
    _assert_no_violations(results, where)
    _assert_contrast_was_checked(page, results, where)


@pytest.mark.parametrize("which", PAGES)
def test_axe_finds_no_violations_on_a_small_screen(new_page, base_url, real_site, which):
    """At a phone's width the timeline loses its rule and dots, and targets crowd together."""
    page = _open(new_page, base_url, real_site, which, viewport={"width": 360, "height": 740},
                 is_mobile=True, has_touch=True, device_scale_factor=2)
    results = _run_axe(page)
    _assert_no_violations(results, f"the {which} at 360px")
    _assert_contrast_was_checked(page, results, f"the {which} at 360px")


# ---- The keyboard ----

@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("which", PAGES)
def test_the_skip_link_comes_first_shows_itself_and_leads_into_main(new_page, base_url, real_site, which, scheme):
    page = _open(new_page, base_url, real_site, which, color_scheme=scheme, viewport={"width": 360, "height": 640})
    skip = page.locator("a.skip-link")
    assert skip.bounding_box()["y"] + skip.bounding_box()["height"] <= 0, "the skip link shows before it has focus"

    page.keyboard.press("Tab")
    assert skip.evaluate("a => a === document.activeElement"), (
        "Tab from the top of the page does not reach the skip link first: "
        + page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)"))
    expect(skip).to_have_attribute("href", "#main")
    box = skip.bounding_box()
    viewport = page.viewport_size
    assert box and box["width"] > 0 and box["height"] > 0
    assert 0 <= box["x"] and box["x"] + box["width"] <= viewport["width"], f"skip link outside the viewport: {box}"
    assert 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"], f"skip link outside the viewport: {box}"
    # Not clipped or covered: what is drawn at its corners and its centre is the skip link itself.
    covered = skip.evaluate("""a => {
        const r = a.getBoundingClientRect();
        const points = [[r.left + 2, r.top + 2], [r.right - 2, r.top + 2], [r.left + 2, r.bottom - 2],
                        [r.right - 2, r.bottom - 2], [(r.left + r.right) / 2, (r.top + r.bottom) / 2]];
        return points.filter(([x, y]) => !a.contains(document.elementFromPoint(x, y)));
    }""")
    assert not covered, f"the focused skip link is hidden at {covered}"
    assert skip.evaluate("a => getComputedStyle(a).clipPath === 'none' && getComputedStyle(a).opacity === '1'")
    # Its colours and focus ring can only be checked while it shows.
    _assert_no_violations(_run_axe(page, "a.skip-link"), f"the focused skip link on the {which} ({scheme})")
    assert skip.evaluate("a => getComputedStyle(a).outlineStyle") != "none"

    first_in_main = page.evaluate("""() => {
        const tabbable = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), '
                       + 'textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
        const el = [...document.querySelectorAll('main ' + tabbable.replaceAll(', ', ', main '))]
            .find(e => e.getClientRects().length > 0 && e.checkVisibility());
        return el ? el.outerHTML : null;
    }""")
    assert first_in_main, f"the {which} has nothing to focus in <main>"
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
    assert page.evaluate("() => document.querySelector('main').matches(':target')")
    # The page scrolls (smoothly) to <main>, less its 1rem :target margin, or as far as a short page goes.
    page.wait_for_function("""() => Math.abs(document.querySelector('main').getBoundingClientRect().top) <= 20
        || Math.ceil(scrollY) >= document.documentElement.scrollHeight - innerHeight""", timeout=5_000)
    # Focus moved to <main>: the next Tab goes to the first thing in it, not back into the header.
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.outerHTML")
    assert focused == first_in_main, f"after the skip link, Tab went to {focused[:200]}, not to {first_in_main[:200]}"


TABBABLE_JS = """() => {
    const selector = 'a[href], area[href], button, input, select, textarea, summary, iframe, [contenteditable], [tabindex]';
    // checkVisibility: not inside a closed <details> either, whose content keeps its boxes in Chromium.
    const shown = e => e.getClientRects().length > 0 && e.checkVisibility({visibilityProperty: true});
    window.__tabbable = [...document.querySelectorAll(selector)]
        .filter(e => !e.disabled && e.tabIndex >= 0 && shown(e));
    window.__ring = e => {
        const s = getComputedStyle(e);
        return {outline: s.outlineStyle === 'none' ? 'none' : `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
                width: parseFloat(s.outlineWidth) || 0, color: s.outlineColor, shadow: s.boxShadow};
    };
    window.__resting = window.__tabbable.map(window.__ring);  // before anything has focus
    return window.__tabbable.map(e => e.outerHTML.slice(0, 160));
}"""

FOCUSED_JS = """() => {""" + CONTRAST_JS + """
    const el = document.activeElement;
    const index = window.__tabbable.indexOf(el);
    const ring = window.__ring(el);
    return {index, html: el.outerHTML.slice(0, 160), ring, resting: index >= 0 ? window.__resting[index] : null,
            focusVisible: el.matches(':focus-visible'),
            contrast: ring.outline === 'none' ? 0 : ratio(ring.color, backgroundOf(el.parentElement || el))};
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_control_on_the_timeline_is_reached_by_tab_and_shows_focus(new_page, base_url, real_site, scheme):
    page = _open(new_page, base_url, real_site, "timeline", color_scheme=scheme)
    expect(page.locator("#timeline-controls")).to_be_visible()
    tabbable = page.evaluate(TABBABLE_JS)
    assert len(tabbable) > 50, f"only {len(tabbable)} focusable elements found on the timeline"
    for control in ('input[type="search"]', "#tag-filter", "#order-toggle", "a.skip-link"):
        assert page.locator(control).evaluate("e => window.__tabbable.includes(e)"), control

    order, problems = [], []
    for _ in range(len(tabbable)):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUSED_JS)
        order.append(focus["index"])
        if focus["index"] < 0:
            problems.append(f"Tab focused something not counted as focusable: {focus['html']}")
            continue
        ring, resting = focus["ring"], focus["resting"]
        outlined = ring["outline"] != "none" and ring["width"] >= 2 and ring["outline"] != resting["outline"]
        shadowed = ring["shadow"] not in ("none", resting["shadow"])
        if not focus["focusVisible"]:
            problems.append(f"not :focus-visible after Tab: {focus['html']}")
        if not (outlined or shadowed):
            problems.append(f"no visible focus indicator (focused {ring}, unfocused {resting}): {focus['html']}")
        elif outlined and focus["contrast"] < 3:
            problems.append(f"focus outline {ring['color']} has contrast {focus['contrast']:.2f}:1 < 3:1 "
                            f"against what surrounds it: {focus['html']}")
    missed = [tabbable[i] for i in range(len(tabbable)) if i not in order]
    assert not missed, f"{len(missed)} element(s) never reached by Tab: {missed[:10]}"
    assert order == list(range(len(tabbable))), f"the tab order does not follow the page: {order}"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", [412, 1280])
def test_showing_the_timeline_controls_moves_nothing(new_page, base_url, real_site, width):
    """timeline.js unhides the controls after the first paint; their place is kept from the start
    (style.css, @media (scripting: enabled)), so the events do not jump down as a reader starts on them."""
    viewport = {"width": width, "height": 800}
    where = "() => document.getElementById('timeline').getBoundingClientRect().top + scrollY"

    before = new_page(viewport=viewport)  # scripts on, but timeline.js never arrives: the page as first painted
    before.route(re.compile(r".*/static/timeline\.js$"), lambda route: route.abort())
    before.goto(base_url, wait_until="load")
    assert before.locator("#timeline-controls").is_hidden()
    after = _open(new_page, base_url, real_site, "timeline", viewport=viewport)
    expect(after.locator("#timeline-controls")).to_be_visible()
    expect(after.locator("#filter-status")).not_to_be_empty()
    assert abs(before.evaluate(where) - after.evaluate(where)) < 1, (
        f"the events move from {before.evaluate(where)}px to {after.evaluate(where)}px when the controls appear")
    shifts = after.evaluate("""() => new Promise(resolve => {
        const seen = [];
        new PerformanceObserver(list => seen.push(...list.getEntries().map(e => e.value)))
            .observe({type: 'layout-shift', buffered: true});
        setTimeout(() => resolve(seen), 300);
    })""")
    assert sum(shifts) < 0.01, f"layout shifts while the timeline loads: {shifts}"

    without = new_page(viewport=viewport, java_script_enabled=False)  # and without scripts they take no room
    without.goto(base_url, wait_until="load")
    assert without.locator("#timeline-controls").evaluate("c => getComputedStyle(c).display") == "none"
    assert without.evaluate(where) < after.evaluate(where) - 50


# ---- Structure ----

@pytest.mark.parametrize("which", PAGES)
def test_headings_start_at_h1_and_skip_no_level(new_page, base_url, real_site, which):
    page = _open(new_page, base_url, real_site, which)
    headings = page.locator("h1, h2, h3, h4, h5, h6").evaluate_all(
        "hs => hs.map(h => [Number(h.tagName[1]), h.textContent.trim().replace(/\\s+/g, ' ').slice(0, 60)])")
    assert headings, f"the {which} has no headings"
    outline = "\n".join("  " * (level - 1) + f"h{level} {text}" for level, text in headings)
    assert headings[0][0] == 1, f"the {which} does not start with an h1:\n{outline}"
    assert [level for level, _ in headings].count(1) == 1, f"the {which} has more than one h1:\n{outline}"
    assert all(text for _, text in headings), f"an empty heading on the {which}:\n{outline}"
    skips = [(a, b) for (a, _), (b, _) in itertools.pairwise(headings) if b > a + 1]
    assert not skips, f"heading levels skipped on the {which} {skips}:\n{outline}"


LABELLED_JS = """() => [...document.querySelectorAll(
        'a[href][aria-label], button[aria-label], [role="button"][aria-label], [role="link"][aria-label]')]
    .filter(e => e.getClientRects().length > 0)
    .map(e => [e.outerHTML.slice(0, 160), e.innerText, e.getAttribute('aria-label')])"""


def _words(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


@pytest.mark.parametrize("which", PAGES)
def test_the_visible_label_is_part_of_the_accessible_name(new_page, base_url, real_site, which):
    """WCAG 2.5.3 Label in Name: a speech-input user says what they see ("click a"), so a control's
    accessible name must contain its visible words. axe-core 4.12 (bundled with axe-playwright-python)
    runs its rule for this only as an experiment; axe-core 4.14 (in Lighthouse 12) reports it."""
    page = _open(new_page, base_url, real_site, which)
    labelled = page.evaluate(LABELLED_JS)
    mismatched = []
    for html, visible, name in labelled:
        seen = _words(visible)  # symbols alone, such as a bare '↑', have no words to say
        if seen and not re.search(rf"(^| ){re.escape(seen)}( |$)", _words(name)):
            mismatched.append(f"visible {visible.strip()!r}, accessible name {name!r}: {html}")
    assert not mismatched, f"{len(mismatched)} control(s) on the {which} whose name leaves out what they show:\n" + (
        "\n".join(mismatched[:20]))


# ---- Motion ----

MOTION_JS = """() => {
    const moving = [];
    const nonzero = list => list.split(',').some(d => (parseFloat(d) || 0) > 0);  // 'auto' counts as 0s
    for (const el of document.querySelectorAll('*')) {
        for (const pseudo of [null, '::before', '::after', '::marker']) {
            const s = getComputedStyle(el, pseudo);
            if (nonzero(s.transitionDuration) || nonzero(s.animationDuration)) {
                const classes = (el.getAttribute('class') || '').trim();
                moving.push(`${el.tagName.toLowerCase()}${classes ? '.' + classes.replace(/\\s+/g, '.') : ''}`
                            + `${pseudo || ''}: transition ${s.transitionDuration}, animation ${s.animationDuration}`);
            }
        }
    }
    return {scroll: getComputedStyle(document.documentElement).scrollBehavior, moving};
}"""


@pytest.mark.parametrize("which", PAGES)
def test_reduced_motion_turns_off_smooth_scrolling_transitions_and_animations(new_page, base_url, real_site, which):
    # The probe sees motion where there is some: without the preference the site scrolls smoothly.
    page = _open(new_page, base_url, real_site, which, reduced_motion="no-preference")
    moving = page.evaluate(MOTION_JS)
    assert moving["scroll"] == "smooth"
    if which in ("timeline", "event page", "tag page"):  # their topic pills and back-links have transitions
        assert moving["moving"], f"no transition found on the {which} without the reduced-motion preference"

    page = _open(new_page, base_url, real_site, which, reduced_motion="reduce")
    assert page.evaluate("() => matchMedia('(prefers-reduced-motion: reduce)').matches")
    still = page.evaluate(MOTION_JS)
    assert still["scroll"] == "auto", f"scroll-behavior is {still['scroll']} with reduced motion"
    assert not still["moving"], f"motion left on the {which} with reduced motion:\n" + "\n".join(still["moving"][:20])


@pytest.mark.parametrize("name", list(SITES))
def test_axe_was_given_the_pages_it_should_check(request, name):
    """Every kind of page named above is found in the build, so no parameter checks an empty page."""
    site = request.getfixturevalue(SITES[name][0])
    for which in {which for site_name, which in AXE_PAGES if site_name == name} - {"404 page (deep)"}:
        path = find_page(site, which)
        if which in OPTIONAL and path is None:
            continue
        assert path is not None, f"the {name} site has no {which}"
        target = site / (path + "index.html" if path == "" or path.endswith("/") else path)
        assert target.is_file(), f"{which}: {target} was not built"
        assert re.search(r"<main\b", target.read_text(encoding="utf-8")), f"{which} has no <main>"
    if name == "real" and any('class="claim-review' in p.read_text(encoding="utf-8")
                              for p in site.glob("events/*/index.html")):
        assert 'class="claim-review' in (site / find_page(site, "event page") / "index.html").read_text(
            encoding="utf-8"), "the event page checked is not one with a claim review"
