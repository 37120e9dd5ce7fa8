"""A resident page is light: under 50 KB over the wire for HTML, CSS, JS and fonts, and every
request stays on the app's own origin.

The Flask development server the tests run does not compress, so each response body is
gzip-compressed here (level 6, what nginx and most servers use) and the sizes are summed:
the weight the page would have behind a compressing server."""

from __future__ import annotations

import gzip

import pytest

BUDGET = 50 * 1024
COUNTED = {"document", "stylesheet", "script", "font"}


def weigh(page, server, path):
    """Load `path` with an empty cache; return (url, kind, bytes, gzipped bytes) rows and
    the requests that went elsewhere."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    responses = []
    page.on("response", lambda r: responses.append(r))
    page.goto(path)
    page.wait_for_load_state("networkidle")
    rows, foreign = [], []
    for r in responses:
        if not r.url.startswith(server + "/"):
            foreign.append(r.url)
            continue
        kind = r.request.resource_type
        if kind in COUNTED and not 300 <= r.status < 400:
            body = r.body()
            rows.append((r.url.removeprefix(server), kind, len(body), len(gzip.compress(body, 6))))
    return rows, foreign


@pytest.mark.parametrize("path", ["/", "/apply/prefectural-housing", "FIRST_FORM_PAGE"])
def test_a_resident_page_weighs_under_50_kb(phone, server, path, record_property):
    if path == "FIRST_FORM_PAGE":  # the heaviest kind: a question page with many fields
        phone.goto("/apply/prefectural-housing")
        phone.locator("button.start").click()
        phone.wait_for_load_state("networkidle")  # that page's own requests done before weighing
        path = phone.url.removeprefix(server)
    rows, foreign = weigh(phone, server, path)
    assert not foreign, f"third-party requests: {foreign}"
    total = sum(r[3] for r in rows)
    report = ", ".join(f"{url} {kind} {raw} B → {packed} B" for url, kind, raw, packed in rows)
    record_property("weight", f"{path}: {total} B compressed ({report})")
    print(f"\n{path}: {total} B compressed — {report}")
    assert any(kind == "document" for _, kind, _, _ in rows)
    assert not any(kind == "font" for _, kind, _, _ in rows), "resident pages need no font"
    # the one script is conditional reveal, on pages that show a question as the resident
    # answers (it only enhances: every page works without it)
    scripts = {url.split("?")[0] for url, kind, _, _ in rows if kind == "script"}
    assert scripts <= {"/static/reveal.js"}, scripts
    assert not scripts or phone.locator("[data-show-if]").count()
    assert total < BUDGET, f"{path} weighs {total} B compressed: {report}"
