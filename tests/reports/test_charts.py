"""The check report's pictures: laid out in Python (cdkg.server.reports.charts), drawn by
templates/check_report_charts.html — positions, shades and marks, and the SVG they make."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from jinja2 import Environment, FileSystemLoader, select_autoescape

from cdkg.server.reports.charts import (
    EMPTY_CELL,
    PALETTE,
    Coverage,
    SectorBars,
    blend,
    heatmap,
    sector_chart,
)
from cdkg.server.reports.check_report import TEMPLATES

SVG = "{http://www.w3.org/2000/svg}"
PLACES = [("j:cq", "重庆市（渝民发〔2021〕6号）"), ("j:sc", "四川省"), ("j:tj", "天津<市>")]


def charts():  # type: ignore[no-untyped-def]
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True)
    )
    return environment.get_template("check_report_charts.html").module


def test_heatmap_shades_marks_and_positions() -> None:
    cover = Coverage(
        PLACES,
        [("t:drugs", "禁毒"), ("t:aid", "低保")],
        {
            ("t:drugs", "j:cq"): 16,
            ("t:drugs", "j:sc"): 4,
            ("t:drugs", "j:tj"): 1,
            ("t:aid", "j:sc"): 2,
        },
    )
    chart = heatmap(cover)
    assert (chart.width, chart.height) == (200 + 3 * 92 + 70 + 10, 120 + 2 * 22 + 50)
    assert [c.text for c in chart.columns] == ["重庆市", "四川省", "天津<市>"]
    assert [c.x for c in chart.columns] == [246, 338, 430]
    drugs, aid = chart.rows
    assert (drugs.total, drugs.mark, aid.total, aid.mark) == ("3/3", "all", "1/3", "one")
    # shade = sqrt(n / peak): 16 is the darkest, 4 half-way (t = 0.5, white figures), 1 light
    assert [cell.fill for cell in drugs.marks] == [blend(1.0), blend(0.575), blend(0.3625)]
    assert [cell.dark for cell in drugs.marks] == [True, True, False]
    assert aid.marks[0].fill == EMPTY_CELL and aid.marks[0].text == ""
    assert drugs.marks[1].title == "四川省 · 禁毒: 4"
    assert [step.text for step in chart.legend] == ["1", "4", "8", "16"]


def test_sector_bars_stack_to_the_longest_bar() -> None:
    bars = SectorBars(
        PLACES, [("民政", {"j:cq": 6, "j:tj": 2}, 8), ("公安", {"j:cq": 2}, 2)], {"j:sc": 5}
    )
    chart = sector_chart(bars)
    social, police = chart.bars
    assert [(s.x, s.width, s.fill) for s in social.marks] == [
        (170.0, 420.0, PALETTE[0]),
        (590.0, 140.0, PALETTE[2]),
    ]
    assert social.total_x == 170 + 560 + 6 and police.marks[0].width == 140.0
    assert [(k.text, k.fill) for k in chart.keys] == [
        ("重庆市", PALETTE[0]),
        ("天津<市>", PALETTE[2]),
    ]
    assert chart.empty is None
    assert sector_chart(SectorBars(PLACES, [], {})).empty == (170, 60)


def test_the_template_draws_escaped_text_and_no_style() -> None:
    """Labels are text inside the SVG (a label with < stays text); colours are presentation
    attributes, never a style attribute (the site's CSP has no inline style)."""
    cover = Coverage(PLACES, [("t:x", "<script>")], {("t:x", "j:tj"): 3})
    macros = charts()
    for svg in (
        str(macros.heatmap(heatmap(cover))),
        str(macros.sector_bars(sector_chart(SectorBars(PLACES, [("<b>", {"j:tj": 3}, 3)], {})))),
    ):
        root = ET.fromstring(svg)  # well-formed XML
        assert "style" not in svg and "<script" not in svg and "<b>" not in svg
        texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
        assert any(text.startswith(("<script>", "<b>")) for text in texts)
    heat = ET.fromstring(str(macros.heatmap(heatmap(cover))))
    rects = heat.findall(f"{SVG}rect")
    assert len(rects) == 3 + 2  # three cells, a legend of 1 and 3
    assert rects[2].get("fill") == blend(1.0) and rects[2].findtext(f"{SVG}title") == (
        "天津<市> · <script>: 3"
    )
