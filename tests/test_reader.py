"""The timeline page's enhancements in Chromium: search, topic filter, order switch, and no-JS."""

from __future__ import annotations

from playwright.sync_api import expect


def visible_event_ids(page) -> list[str]:
    return page.eval_on_selector_all(
        "#timeline article.event", "els => els.filter(e => e.offsetParent !== null).map(e => e.id)")


def test_search_finds_smirnovs_events(base_url, new_page):
    page = new_page()
    page.goto(base_url)
    page.fill("#search-input", "Smirnov")
    results = page.locator("#search-results li a")
    expect(results).to_have_count(2, timeout=10_000)
    hrefs = sorted(results.evaluate_all("links => links.map(a => a.pathname)"))
    assert [h.rstrip("/").rsplit("/", 1)[-1] for h in hrefs] == [
        "smirnov-agrees-to-plead-guilty", "smirnov-plea-accepted"]
    results.first.click()
    expect(page.locator("h1")).to_contain_text("Smirnov")


def test_a_topic_filter_hides_the_others_survives_reload_and_follows_history(base_url, new_page):
    page = new_page()
    page.goto(base_url)
    everything = visible_event_ids(page)
    assert len(everything) == 12

    page.select_option("#tag-filter", "smirnov")
    assert page.url.endswith("?tag=smirnov")
    assert visible_event_ids(page) == ["smirnov-agrees-to-plead-guilty", "smirnov-plea-accepted"]
    expect(page.locator("#filter-status")).to_have_text("Showing 2 of 12 events on the topic “smirnov”.")
    assert page.locator("#year-2022").is_hidden()  # a year with nothing to show is hidden with its heading

    page.reload()
    assert visible_event_ids(page) == ["smirnov-agrees-to-plead-guilty", "smirnov-plea-accepted"]
    page.go_back()
    assert visible_event_ids(page) == everything
    page.go_forward()
    assert len(visible_event_ids(page)) == 2


def test_the_order_switch_reverses_the_list_and_is_kept_in_the_address(base_url, new_page):
    page = new_page()
    page.goto(base_url)
    oldest_first = visible_event_ids(page)
    page.click("#order-toggle")
    assert visible_event_ids(page) == oldest_first[::-1]
    assert "order=newest" in page.url
    expect(page.locator("#order-toggle")).to_have_attribute("aria-pressed", "true")
    page.reload()
    assert visible_event_ids(page) == oldest_first[::-1]
    page.click("#order-toggle")
    assert visible_event_ids(page) == oldest_first


def test_an_unknown_topic_in_the_address_shows_everything(base_url, new_page):
    page = new_page()
    page.goto(base_url + "?tag=%3Cscript%3E")
    assert len(visible_event_ids(page)) == 12
    expect(page.locator("#tag-filter")).to_have_value("")


def test_without_javascript_the_controls_stay_hidden_and_everything_is_there(base_url, new_page):
    page = new_page(java_script_enabled=False)
    page.goto(base_url + "?tag=smirnov&order=newest")
    assert page.locator("#timeline-controls").is_hidden()
    ids = visible_event_ids(page)  # the address is ignored: every event, oldest first
    assert len(ids) == 12 and ids[0] == "trump-first-term-clemency"
    for article in page.locator("#timeline article.event").all():
        assert article.locator("time").first.get_attribute("datetime")
        assert article.locator("ol.source-list a.source-title").count() >= 1


def test_the_timeline_page_is_light_and_blocks_rendering_on_no_script(real_site):
    index = (real_site / "index.html").read_text()
    scripts = [real_site / "static" / "timeline.js"]
    weight = len(index.encode()) + (real_site / "static/style.css").stat().st_size + sum(
        p.stat().st_size for p in scripts)
    assert weight <= 60 * 1024, f"{weight} bytes"
    head = index.split("</head>")[0]
    assert '<script src="./static/timeline.js" defer></script>' in head
    assert head.count("<script") == 1  # the only script is deferred
