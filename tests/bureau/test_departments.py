"""The department table puts laggards first, with deadlines, 期限超過 and a trend; each
department has a page with the same for each of its procedures."""

from __future__ import annotations

import re

from tests.bureau.test_official_figure import shipped, text  # noqa: F401 - the fixture


def _rows(html: str) -> list[str]:
    table = html.split('class="departments"')[1].split("<tbody>")[1].split("</table>")[0]
    return re.findall(r"<tr>\s*(.*?)</tr>", table, re.S)


def test_laggards_first_with_deadlines_and_overdue(shipped):  # noqa: F811
    c = shipped.test_client()
    html = c.get("/dashboard?fy=2025", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    rows = [text(r) for r in _rows(html)]
    assert len(rows) == 15
    # the first row is below its target, the last ones have reached it
    assert "ポイント" in rows[0] and "達成・順調" in rows[-1]
    distances = [
        float(m.group(1)) if (m := re.search(r"−([\d.]+) ポイント", r)) else 0.0 for r in rows
    ]
    overdue = ["期限超過" in r for r in rows]
    # overdue departments first, then by distance
    assert overdue == sorted(overdue, reverse=True)
    for a, b, oa, ob in zip(distances, distances[1:], overdue, overdue[1:], strict=False):
        assert oa > ob or a >= b
    assert "期限 2024" in rows[0] and "期限 2026" in rows[0]
    assert html.count('<svg class="spark"') == 15


def test_department_page_lists_each_procedure(shipped):  # noqa: F811
    c = shipped.test_client()
    html = c.get("/dashboard?fy=2025").get_data(as_text=True)
    first = re.search(r'href="(/dashboard/departments/[^"?]+)\?fy=2025"', html).group(1)
    r = c.get(first + "?fy=2025", headers={"Accept-Language": "ja"})
    assert r.status_code == 200
    page = text(r.get_data(as_text=True))
    assert "手続ごとの状況" in page and "重点手続:" in page and "期限" in page
    assert c.get("/dashboard/departments/nope").status_code == 404
    assert c.get(first + "?fy=abc").status_code == 400
    assert c.get(first + "?lang=en").status_code == 200
