"""One small catalog written as a government would publish it, in every format ``cdkg import``
reads: Word (python-docx), Excel (openpyxl), a web page (written here), a PDF with a text
layer and a scanned one (reportlab, with Debian's WenQuanYi Micro Hei for the Chinese), and a
numbered-text notice. The duties are the nine rows of tests/catalogs/fixtures/example.csv
(themselves copied from the seed catalogs; see its source_note), under three lists.

Each writer puts in what the format's publishers do: merged category cells, a header repeated
after a page break, numbers printed inside name cells, basis cells with two titles on two
lines, title rows above the header, list headings with declared counts.
"""

from __future__ import annotations

import csv
import html
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "catalogs" / "fixtures" / "example.csv"
FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")

TITLE = "关于印发《贵州省城乡社区工作事项清单》的通知"
NUMBER = "黔民发〔2024〕3号"
ISSUER = "贵州省民政厅"
DATE_LINE = "2024年5月10日"
BODY = "各市（州）民政局：现将《贵州省城乡社区工作事项清单》印发给你们，请认真贯彻执行。"
HEADINGS = {
    "self-governance": "一、依法履行职责事项（3项）",
    "assistance": "二、依法协助政府工作事项（4项）",
    "excluded": "三、负面事项清单（2项）",
}
HEADER = ("序号", "事项名称", "类别", "具体内容", "指导部门", "法律依据")
GAP = 140  # points of blank page above the assistance table (see write_pdf)
FIELDS = ("list_type", "number", "name", "category", "description", "departments", "basis")


def items() -> list[dict[str, str]]:
    """The nine duties as the template holds them (what every format must give back)."""
    with EXAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    start = next(i for i, row in enumerate(rows) if row[:1] == ["list_type"])
    return [dict(zip(FIELDS, row, strict=True)) for row in rows[start + 1 :] if row]


def by_list() -> dict[str, list[dict[str, str]]]:
    lists: dict[str, list[dict[str, str]]] = {}
    for item in items():
        lists.setdefault(item["list_type"], []).append(item)
    return lists


def row_cells(item: dict[str, str], numbered_name: bool = False) -> list[str]:
    """A table row: the number in its own column, or printed inside the name cell."""
    name = f"{item['number']}.{item['name']}" if numbered_name else item["name"]
    cells = [name, item["category"], item["description"], item["departments"], item["basis"]]
    return cells if numbered_name else [item["number"], *cells]


# --- Word ---------------------------------------------------------------------------------


def write_docx(path: Path) -> None:
    """Headings as paragraphs; the assistance table has its list heading as a title row
    merged across (gridSpan), 社会治安 merged down two rows (vMerge) and left blank on the
    third, and its header repeated after a page break; the excluded table prints numbers
    inside the name cells."""
    from docx import Document
    from docx.enum.text import WD_BREAK

    document = Document()
    for line in (TITLE, NUMBER, BODY, ISSUER, DATE_LINE):
        document.add_paragraph(line)
    lists = by_list()

    document.add_paragraph(HEADINGS["self-governance"])
    table = document.add_table(rows=0, cols=6)
    for cells in (HEADER, *(row_cells(i) for i in lists["self-governance"])):
        for cell, text in zip(table.add_row().cells, cells, strict=True):
            cell.text = text

    table = document.add_table(rows=0, cols=6)
    title = table.add_row().cells
    title[0].merge(title[5]).text = HEADINGS["assistance"]
    assistance = lists["assistance"]
    rows = [HEADER, row_cells(assistance[0]), row_cells(assistance[1]), HEADER]
    rows += [row_cells(assistance[2]), row_cells(assistance[3])]
    added = []
    for cells in rows:
        row = table.add_row().cells
        for cell, text in zip(row, cells, strict=True):
            cell.text = text
        added.append(row)
    # The page break before the repeated header, as Word prints a long table.
    added[2][1].paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    added[1][2].merge(added[2][2]).text = "社会治安"  # vMerge over items 1 and 2
    added[4][2].text = ""  # item 3 leaves its category blank: carried down from above

    document.add_paragraph(HEADINGS["excluded"])
    table = document.add_table(rows=0, cols=5)
    for cells in (HEADER[1:], *(row_cells(i, True) for i in lists["excluded"])):
        for cell, text in zip(table.add_row().cells, cells, strict=True):
            cell.text = text
    document.save(str(path))


# --- Excel --------------------------------------------------------------------------------


def write_xlsx(path: Path) -> None:
    """One sheet per list: a title row and the list heading merged across above the header,
    categories merged down, and the excluded sheet's numbers inside the name cells."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet_names = {
        "self-governance": "依法履行事项",
        "assistance": "协助政府工作事项",
        "excluded": "负面事项",
    }
    for index, (list_type, duties) in enumerate(by_list().items()):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        assert sheet is not None
        sheet.title = sheet_names[list_type]
        numbered_name = list_type == "excluded"
        width = 5 if numbered_name else 6
        if index == 0:
            sheet.append(["贵州省城乡社区工作事项清单"])
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        sheet.append([HEADINGS[list_type]])
        sheet.merge_cells(
            start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=width
        )
        sheet.append(list(HEADER[1:] if numbered_name else HEADER))
        first = sheet.max_row + 1
        for item in duties:
            sheet.append(row_cells(item, numbered_name))
        if list_type == "assistance":  # 社会治安 printed once, merged down three rows
            for row in (first + 1, first + 2):
                sheet.cell(row, 3).value = None
            sheet.merge_cells(start_row=first, start_column=3, end_row=first + 2, end_column=3)
    workbook.save(path)


# --- Web page -----------------------------------------------------------------------------


def write_html(path: Path) -> None:
    """A page as a government site prints it: the notice, then one table per list; the
    first with its heading as a colspan title row, the assistance one with rowspan, line
    breaks as <br>, the excluded one numbering inside the name cells."""
    lists = by_list()
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>通知</title></head><body>",
        f"<h1>{TITLE}</h1><p>{NUMBER}</p><p>{BODY}</p><p>{ISSUER}<br>{DATE_LINE}</p>",
    ]

    def cell(text: str, tag: str = "td", **attributes: int) -> str:
        shown = "<br>".join(html.escape(line) for line in text.split("\n"))
        extra = "".join(f' {name}="{value}"' for name, value in attributes.items())
        return f"<{tag}{extra}>{shown}</{tag}>"

    def header(cells: tuple[str, ...]) -> str:
        return "<tr>" + "".join(cell(c, "th") for c in cells) + "</tr>"

    rows = [f"<tr>{cell(HEADINGS['self-governance'], colspan=6)}</tr>", header(HEADER)]
    rows += [
        "<tr>" + "".join(cell(c) for c in row_cells(i)) + "</tr>" for i in lists["self-governance"]
    ]
    parts.append("<table border='1'>" + "".join(rows) + "</table>")

    parts.append(f"<h2>{HEADINGS['assistance']}</h2>")
    rows = [header(HEADER)]
    for index, item in enumerate(lists["assistance"]):
        cells = row_cells(item)
        if index == 0:
            cells_html = [cell(c) for c in cells]
            cells_html[2] = cell(cells[2], rowspan=3)
        elif index in (1, 2):
            cells_html = [cell(c) for i, c in enumerate(cells) if i != 2]
        else:
            cells_html = [cell(c) for c in cells]
        rows.append("<tr>" + "".join(cells_html) + "</tr>")
    parts.append("<table border='1'><tbody>" + "".join(rows) + "</tbody></table>")

    parts.append(f"<p><strong>{HEADINGS['excluded']}</strong></p>")
    rows = [header(HEADER[1:])]
    rows += [
        "<tr>" + "".join(cell(c) for c in row_cells(i, True)) + "</tr>" for i in lists["excluded"]
    ]
    parts.append("<table border='1'>" + "".join(rows) + "</table></body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")


# --- PDF ----------------------------------------------------------------------------------


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "WQY" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("WQY", str(FONT), subfontIndex=0))
    return "WQY"


def write_pdf(path: Path) -> None:
    """A text PDF: the notice, a heading and a ruled table per list, the assistance table
    long enough to break over a page (its header repeated there), 社会治安 spanning rows."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A5, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import (
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    font = _font()
    text = ParagraphStyle("text", fontName=font, fontSize=9, leading=12)
    small = ParagraphStyle("cell", fontName=font, fontSize=11, leading=14, wordWrap="CJK")

    def para(value: str, style: ParagraphStyle = small) -> Paragraph:
        return Paragraph(html.escape(value).replace("\n", "<br/>"), style)

    widths = [22, 90, 40, 160, 60, 150]
    lists = by_list()
    story: list[object] = [para(line, text) for line in (TITLE, NUMBER, BODY, ISSUER, DATE_LINE)]
    for list_type, duties in lists.items():
        numbered_name = list_type == "excluded"
        header = HEADER[1:] if numbered_name else HEADER
        data = [[para(c) for c in header]]
        data += [[para(c) for c in row_cells(i, numbered_name)] for i in duties]
        style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        if list_type == "assistance":
            for row in (2, 3):
                data[row][2] = ""
            style.append(("SPAN", (2, 1), (2, 3)))
            # Start on a new page with room for the header and items 1–3 only, so the
            # fourth row goes to the next page under the repeated header.
            story += [PageBreak(), Spacer(1, GAP)]
        story.append(para(HEADINGS[list_type], text))
        story.append(
            Table(
                data,
                colWidths=widths[1:] if numbered_name else widths,
                repeatRows=1,
                style=TableStyle(style),
            )
        )
    SimpleDocTemplate(
        str(path),
        pagesize=landscape(A5),
        topMargin=20,
        bottomMargin=20,
        leftMargin=20,
        rightMargin=20,
    ).build(story)


def write_scanned_pdf(path: Path) -> None:
    """A 'scan': the notice as an image only, no text layer."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("RGB", (600, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.text((10, 10), TITLE, fill="black", font=ImageFont.truetype(str(FONT), 20))
    page = canvas.Canvas(str(path), pagesize=A5)
    page.drawImage(ImageReader(image), 20, 300, width=360, height=120)
    page.save()


# --- Numbered text ------------------------------------------------------------------------


def write_text(path: Path) -> None:
    """The notice as numbered paragraphs: three list headings (**bold**, one declaring its
    count), items numbered 1. and （一）, labelled 类别/具体内容/指导部门/依据 lines, and a
    basis continued on a second line."""
    lists = by_list()
    lines = [TITLE, NUMBER, "", BODY, "", ISSUER, DATE_LINE, "", "附件", ""]
    for list_type, duties in lists.items():
        lines.append(
            f"**{HEADINGS[list_type]}**" if list_type != "excluded" else "三、负面事项清单"
        )
        for item in duties:
            marker = (
                f"（{'一二'[int(item['number']) - 1]}）"
                if list_type == "excluded"
                else (f"{item['number']}.")
            )
            lines.append(f"{marker}{item['name']}")
            lines.append(f"类别：{item['category']}")
            if item["description"]:
                lines.append(f"具体内容：{item['description']}")
            lines.append(f"指导部门：{item['departments']}")
            if item["basis"]:
                lines.append(f"依据：{item['basis']}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


WRITERS = {
    "docx": write_docx,
    "xlsx": write_xlsx,
    "html": write_html,
    "pdf": write_pdf,
    "txt": write_text,
}
