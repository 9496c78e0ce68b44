"""Generate the national law register from the national law database's public mirror.

    .venv/bin/python tools/make_national_register.py SQLITE [--texts MIRROR] [--out DIR]

SQLITE is the mirror's ``db.sqlite3`` (github:LawRefBook/Laws; ../shared/reference/
law-register-source.sqlite3 is that file at commit 2f4c5c2). It is read, never shipped. MIRROR,
when given, is a checkout of the whole mirror: the header of each edition's Markdown file (the
full title on its first line, then the adoption and amendment history) is read from it into
data/registers/law-headers.csv, which is committed, so that the register can be regenerated
(and checked in sync by the tests) from the sqlite file alone. Without --texts the committed
headers are used. Writes, in DIR (default data/registers):

- laws-national.csv — one row per document (法律, 行政法规, 司法解释, 宪法, 部门规章; the mirror's
  案例 and 其他 are not legal documents and are left out);
- law-editions.csv — one row per edition (document id, edition date, valid_from, expired, the
  history event, the source), which the law-texts work joins on.

What is read as a fact, and nothing more (see data/registers/README.md):
- an edition is a sqlite row (its ``publish`` date, ``valid_from``, ``expired``) or a dated line
  of its text's header history (通过/公布/修正/修订 …) that no sqlite row has;
- ``expired`` marks an edition no longer current, superseded or repealed: a document whose latest
  sqlite edition is expired is ``repealed`` (no longer in force; the date is not in the source),
  otherwise ``in_force``; the expired flag of older editions is copied, never interpreted;
- the full title is the text's own first line; when the mirror has no text for the document, a
  reviewed rule (:func:`full_title_by_rule`) and the note say so;
- the issuer is read from the header history (全国人民代表大会, its 常务委员会, 国务院,
  中央军事委员会, the courts' 审判委员会/检察委员会), the title (最高人民法院/最高人民检察院
  for 司法解释) or the mirror's folder (部门规章/公安部);
- the document number is the 国务院令 number of a 行政法规's first promulgation, or the 法释 number
  printed in a 司法解释's header.

Ids are ``lrb-`` and the first 12 hex digits of the sqlite row id (LawRefBook's uuid) of the
document's earliest edition: ASCII, stable across re-generation, never built from the title.
"""

from __future__ import annotations

import argparse
import csv
import re
import sqlite3
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cdkg.loaders.laws.register import EDITION_COLUMNS as EDITION_COLUMNS_READ
from cdkg.loaders.laws.register import NATIONAL_COLUMNS
from cdkg.loaders.registers import read_rows

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "github:LawRefBook/Laws@2f4c5c2"  # the snapshot the sqlite file and headers come from
DOC_TYPES = {
    "法律": "法律",
    "行政法规": "行政法规",
    "司法解释": "司法解释",
    "宪法": "宪法",
    "部门规章": "部门规章",
}
HEADER_COLUMNS = ("file", "line", "text")
# The columns the loader reads (one definition: cdkg.loaders.laws.register).
DOCUMENT_COLUMNS, EDITION_COLUMNS = NATIONAL_COLUMNS, EDITION_COLUMNS_READ
_DATE = re.compile(r"^[（(]?\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_EDITION_EVENTS = ("通过", "公布", "发布", "修正", "修订", "颁布")
_STATE = "中华人民共和国"


@dataclass(frozen=True)
class SourceRow:
    """One row of the sqlite ``law`` table joined with its category's folder."""

    id: str
    level: str
    name: str
    filename: str  # a code's part (民法典 总则 → 总则): its file name in the mirror
    publish: str
    valid_from: str
    expired: bool
    order: int
    folder: str


@dataclass(frozen=True)
class Event:
    """A dated line of a text's header history: ``2009年8月27日 …第一次修正``."""

    date: str
    kind: str
    text: str
    line: int


@dataclass(frozen=True)
class Header:
    """A text's header: its full title and its dated history lines."""

    file: str
    title: str
    title_line: int
    events: tuple[Event, ...]


@dataclass
class Document:
    """One national document: its editions (sqlite rows) and the headers of their texts."""

    rows: list[SourceRow]
    headers: list[Header] = field(default_factory=list)


def read_source(path: Path) -> list[SourceRow]:
    """The sqlite rows of the kinds in :data:`DOC_TYPES`, in id order."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT l.id, l.level, l.name, l.filename, l.publish, l.valid_from, l.expired,"
            ' l."order", c.folder FROM law l JOIN category c ON c.id = l.category_id ORDER BY l.id'
        ).fetchall()
    finally:
        connection.close()
    return [
        SourceRow(r[0], r[1], r[2], r[3] or "", r[4] or "", r[5] or "", bool(r[6]), r[7] or 0, r[8])
        for r in rows
        if r[1] in DOC_TYPES
    ]


def text_files(row: SourceRow) -> tuple[str, ...]:
    """The mirror paths an edition's text may have, the usual first.

    ``<folder>/<name>(<publish>).md``; the mirror names a few texts without the date
    (刑法/刑法修正案（七）.md), and a code's part by its file name (民法典/总则.md).

    >>> text_files(SourceRow("x", "法律", "安全生产法", "", "2021-06-10", "", False, 0, "社会法"))
    ('社会法/安全生产法(2021-06-10).md', '社会法/安全生产法.md')
    >>> text_files(SourceRow("x", "法律", "民法典 总则", "总则", "", "", False, 110, "民法典"))
    ('民法典/总则.md',)
    """
    if row.filename:
        return (f"{row.folder}/{row.filename}.md",)
    undated = f"{row.folder}/{row.name}.md"
    return (f"{row.folder}/{row.name}({row.publish}).md", undated) if row.publish else (undated,)


def read_header_lines(path: Path) -> list[tuple[int, str]]:
    """The non-empty lines of a text before ``<!-- INFO END -->``, with their line numbers."""
    lines: list[tuple[int, str]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            text = line.strip()
            if text == "<!-- INFO END -->":
                return lines
            if text:
                lines.append((number, text))
    return []  # no header marker: not a law text of the mirror's layout


def parse_header(file: str, lines: Sequence[tuple[int, str]]) -> Header:
    """The full title and the dated history of a header's lines.

    The first line is the title. Other lines before the first dated one are left alone: they
    are the title again wrapped over two lines, a document number or a covering letter, never
    more of the title. A line that starts with no date continues the event before it.

    >>> h = parse_header("f.md", [(1, "# 中华人民共和国农村土地承包经营纠纷调解仲裁法"),
    ...     (2, "中华人民共和国农村土地"), (3, "2009年6月27日 第十一届…第九次会议通过"),
    ...     (4, "2014年8月31日 …《关于修改<中华人民共和国"), (5, "安全生产法>的决定》第二次修正")])
    >>> h.title
    '中华人民共和国农村土地承包经营纠纷调解仲裁法'
    >>> [(e.date, e.kind, e.line) for e in h.events]
    [('2009-06-27', '通过', 3), ('2014-08-31', '修正', 4)]
    """
    title, title_line = "", 0
    pending: list[tuple[str, str, int]] = []  # (date, text, line)
    for number, text in lines:
        if not title:
            title, title_line = text.removeprefix("#").strip(), number
            continue
        match = _DATE.match(text)
        if match:
            year, month, day = match.groups()
            pending.append((f"{year}-{int(month):02d}-{int(day):02d}", text, number))
        elif pending:
            date, before, line = pending[-1]
            pending[-1] = (date, before + text, line)
    events = [Event(date, event_kind(text), text, line) for date, text, line in pending]
    return Header(file, title, title_line, tuple(events))


def event_kind(text: str) -> str:
    """What a history line records: the last edition-making word (修正, 修订, 通过, 公布, 发布,
    颁布), else 施行 or 废止, else empty.

    >>> event_kind("2009年8月27日第十一届…第十次会议《关于修改部分法律的决定》第一次修正")
    '修正'
    >>> event_kind("2008年7月17日 经人力资源和社会保障部第6次部务会议通过 自2008年9月18日起施行")
    '通过'
    """
    for kinds in (_EDITION_EVENTS, ("施行", "废止")):
        found = [(text.rfind(kind), kind) for kind in kinds if kind in text]
        if found:
            return max(found)[1]
    return ""


def read_headers(mirror: Path, rows: Iterable[SourceRow]) -> list[tuple[str, int, str]]:
    """``(file, line, text)`` header lines of every row's text present in the mirror."""
    out: list[tuple[str, int, str]] = []
    for files in sorted({text_files(row) for row in rows}):
        for file in files:
            if (mirror / file).is_file():
                out.extend((file, n, text) for n, text in read_header_lines(mirror / file))
                break
    return out


def document_name(row: SourceRow) -> str:
    """The short title shared by a document's editions (a code's parts share the code's).

    >>> document_name(SourceRow("x", "法律", "民法典 总则", "总则", "", "", False, 110, "民法典"))
    '民法典'
    """
    return row.name.split(" ")[0] if row.filename else row.name


def full_title_by_rule(doc_type: str, name: str) -> str:
    """The full title of a document the mirror has no text for (the reviewed rule).

    A 法律 or 宪法 is titled 中华人民共和国 + its short title, except an act titled by its
    maker (全国人民代表大会…关于…的决定) or one already carrying the state name; every other
    kind is titled as the database lists it.

    >>> full_title_by_rule("法律", "刑法修正案（十）")
    '中华人民共和国刑法修正案（十）'
    >>> full_title_by_rule("法律", "全国人民代表大会常务委员会关于加强经济工作监督的决定")
    '全国人民代表大会常务委员会关于加强经济工作监督的决定'
    >>> full_title_by_rule("司法解释", "最高人民法院关于适用《民法典》时间效力的若干规定")
    '最高人民法院关于适用《民法典》时间效力的若干规定'
    """
    if doc_type not in ("法律", "宪法") or name.startswith((_STATE, "全国人民代表大会")):
        return name
    return _STATE + name


def issuer(doc_type: str, title: str, folder: str, events: Sequence[Event]) -> str:
    """The issuing body, read from the first history line, the title or the folder.

    >>> e = [Event("2002-06-29", "通过", "2002年6月29日 第九届全国人民代表大会常务委员会…通过", 3)]
    >>> issuer("法律", "中华人民共和国安全生产法", "社会法", e)
    '全国人民代表大会常务委员会'
    >>> issuer("司法解释", "最高人民法院、最高人民检察院关于办理…的解释", "司法解释", [])
    '最高人民法院、最高人民检察院'
    >>> issuer("部门规章", "企业职工带薪年休假实施办法", "部门规章/人力资源社会保障部", [])
    '人力资源社会保障部'
    """
    first = events[0].text if events else ""
    if doc_type in ("法律", "宪法"):
        if "全国人民代表大会常务委员会" in first:
            return "全国人民代表大会常务委员会"
        return "全国人民代表大会" if "全国人民代表大会" in first or doc_type == "宪法" else ""
    if doc_type == "行政法规":
        both = "中央军事委员会" in first or "中央军委" in first
        return "国务院、中央军事委员会" if both else "国务院"
    if doc_type == "司法解释":
        courts = [
            body
            for body, meeting in (("最高人民法院", "审判委员会"), ("最高人民检察院", "检察委员会"))
            if body in title.split("关于")[0] or any(meeting in e.text for e in events)
        ]
        return "、".join(courts)
    return folder.split("/")[-1] if "/" in folder else ""


def document_number(doc_type: str, events: Sequence[Event]) -> str:
    """A 行政法规's 国务院令 number at first promulgation, or a 司法解释's 法释 number.

    >>> e = [Event("2005-03-24", "公布", "2005年3月24日 中华人民共和国国务院令第434号公布", 3)]
    >>> document_number("行政法规", e)
    '国务院令第434号'
    """
    pattern = {
        "行政法规": r"国务院(?:、中央军事委员会)?令\s*第\s*(\d+)\s*号",
        "司法解释": r"法释\s*[〔［\[]\s*(\d{4})\s*[〕］\]]\s*(\d+)\s*号",
    }
    if doc_type not in pattern:
        return ""
    for event in events:
        match = re.search(pattern[doc_type], event.text)
        if match:
            if doc_type == "行政法规":
                return (
                    f"国务院令第{match.group(1)}号"
                    if "中央军事委员会令" not in match.group(0)
                    else f"国务院、中央军事委员会令第{match.group(1)}号"
                )
            return f"法释〔{match.group(1)}〕{match.group(2)}号"
    return ""


def edition_events(events: Sequence[Event]) -> list[Event]:
    """The history lines that date an edition. An adoption followed by its promulgation
    (国务院常务会议通过, then 国务院令…公布) is one edition, dated by the promulgation; a line
    recording only when a text took effect or was repealed dates no edition.

    >>> e = [Event("2005-01-05", "通过", "", 3), Event("2005-01-10", "公布", "", 5),
    ...      Event("2014-08-31", "修正", "", 7), Event("2015-01-01", "施行", "", 9)]
    >>> [x.date for x in edition_events(e)]
    ['2005-01-10', '2014-08-31']
    """
    out = []
    for index, event in enumerate(events):
        after = events[index + 1].kind if index + 1 < len(events) else ""
        if event.kind in _EDITION_EVENTS and not (
            event.kind == "通过" and after in ("公布", "发布", "颁布")
        ):
            out.append(event)
    return out


def group_key(name: str) -> str:
    """What two source rows of one document have in common: their short titles differ at most
    in spaces and 、 between joint issuers (the source lists 最高人民法院 最高人民检察院关于
    办理非法从事资金支付结算业务…的解释 twice, dated and undated).

    >>> group_key("最高人民法院 最高人民检察院关于…")
    '最高人民法院最高人民检察院关于…'
    >>> group_key("最高人民法院、最高人民检察院关于…")
    '最高人民法院最高人民检察院关于…'
    """
    return re.sub(r"[\s、]", "", name)


def group_documents(rows: Iterable[SourceRow], headers: Sequence[Header]) -> dict[str, Document]:
    """The documents by id: rows sharing kind and short title are one document's editions."""
    by_key: dict[tuple[str, str], list[SourceRow]] = defaultdict(list)
    for row in rows:
        by_key[(row.level, group_key(document_name(row)))].append(row)
    by_file = {h.file: h for h in headers}
    documents: dict[str, Document] = {}
    for editions in by_key.values():
        editions.sort(key=lambda r: (r.publish or "9999", r.order, r.id))
        doc = Document(editions)
        files = dict.fromkeys(f for row in editions for f in text_files(row))
        doc.headers = [by_file[f] for f in files if f in by_file]
        documents["lrb-" + editions[0].id[:12]] = doc
    return dict(sorted(documents.items()))


def _source(row: SourceRow) -> str:
    return f"db.sqlite3#law/{row.id}"


def document_rows(
    documents: dict[str, Document],
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The laws-national.csv and law-editions.csv rows of the documents."""
    laws: list[dict[str, str]] = []
    editions: list[dict[str, str]] = []
    for doc_id, doc in documents.items():
        first = doc.rows[0]
        latest = ([r for r in doc.rows if r.publish] or doc.rows)[-1]
        notes: list[str] = []
        if len({r.name for r in doc.rows}) > 1:
            notes.append(
                "one document listed under two spellings: "
                + " / ".join(sorted({r.name for r in doc.rows}))
            )
        doc_type = DOC_TYPES[first.level]
        if first.folder == "其他":  # the mirror's level for an unsorted folder is 法律 by default
            doc_type = "规范性文件"
            notes.append("kind: the source's level 法律 only means its folder (其他) is unsorted")
        name = document_name(first)
        header = doc.headers[-1] if doc.headers else None  # the newest text's history is fullest
        if header and header.title:
            title = header.title
            title_source = f"{header.file}:{header.title_line}"
        else:
            title = full_title_by_rule(doc_type, name)
            title_source = ""
            notes.append("full title by rule: no text in the mirror")
        events = header.events if header else ()
        dated: dict[str, dict[str, str]] = {}
        for event in edition_events(events):
            dated.setdefault(
                event.date,
                {
                    "edition": event.date,
                    "valid_from": "",
                    "expired": "",
                    "event": event.kind,
                    "sources": "",
                },
            )
            entry = dated[event.date]
            entry["sources"] = _join(
                entry["sources"], f"{header.file}:{event.line}" if header else ""
            )
        undated_rows = []
        for row in doc.rows:
            if not row.publish:
                undated_rows.append(row)
                continue
            entry = dated.setdefault(
                row.publish,
                {
                    "edition": row.publish,
                    "valid_from": "",
                    "expired": "",
                    "event": "",
                    "sources": "",
                },
            )
            entry["valid_from"] = row.valid_from
            entry["expired"] = "1" if row.expired else "0"
            entry["sources"] = _join(_source(row), entry["sources"])
        if undated_rows and not dated:
            notes.append("edition dates not in the source")
        for entry in sorted(dated.values(), key=lambda e: e["edition"]):
            editions.append(
                {
                    "document_id": doc_id,
                    "edition": entry["edition"],
                    "valid_from": entry["valid_from"],
                    "expired": entry["expired"],
                    "event": entry["event"],
                    "source": entry["sources"],
                }
            )
        ordered = sorted(dated.values(), key=lambda e: e["edition"])
        status = "repealed" if latest.expired else "in_force"
        sources = [
            *(_source(r) for r in doc.rows),
            *([f"title: {title_source}"] if title_source else []),
        ]
        if latest.expired:
            notes.append(
                "no longer in force: its latest edition is expired in the source"
                " (date and successor not in the source)"
            )
        laws.append(
            {
                "id": doc_id,
                "title": title,
                "short_title": name,
                "doc_type": doc_type,
                "issuer": issuer(doc_type, title, first.folder, events),
                "document_number": document_number(doc_type, events),
                "promulgated": ordered[0]["edition"] if ordered else "",
                "effective": ordered[0]["valid_from"] if ordered else "",
                "latest_edition": ordered[-1]["edition"] if ordered else "",
                "status": status,
                "source": " ; ".join(sources),
                "note": "; ".join(notes),
            }
        )
    return laws, editions


def _join(a: str, b: str) -> str:
    return " ; ".join(x for x in (a, b) if x)


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict[str, str]]) -> None:
    """UTF-8, ``\n`` line ends, every cell as is: the files are diffed on review."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def read_header_csv(path: Path) -> list[Header]:
    """The committed header lines (law-headers.csv), parsed per file; read like every
    register CSV, so a changed column or a torn row is an error naming the line."""
    lines: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for _, row in read_rows(path, HEADER_COLUMNS):
        lines[row["file"]].append((int(row["line"]), row["text"]))
    return [parse_header(file, rows) for file, rows in lines.items()]


def generate(sqlite: Path, out: Path, texts: Path | None = None) -> tuple[int, int]:
    """Write the register files into ``out``; returns (documents, editions)."""
    rows = read_source(sqlite)
    headers_csv = out / "law-headers.csv"
    if texts is not None:
        lines = read_headers(texts, rows)
        write_csv(
            headers_csv,
            HEADER_COLUMNS,
            ({"file": f, "line": str(n), "text": t} for f, n, t in lines),
        )
    headers = read_header_csv(headers_csv) if headers_csv.exists() else []
    laws, editions = document_rows(group_documents(rows, headers))
    write_csv(out / "laws-national.csv", DOCUMENT_COLUMNS, laws)
    write_csv(out / "law-editions.csv", EDITION_COLUMNS, editions)
    return len(laws), len(editions)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sqlite", type=Path, help="the mirror's db.sqlite3")
    parser.add_argument(
        "--texts", type=Path, help="a checkout of the whole mirror (refreshes law-headers.csv)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "registers")
    args = parser.parse_args(argv)
    if not args.sqlite.is_file():
        parser.error(f"sqlite: {args.sqlite} is not a file")
    if args.texts is not None and not args.texts.is_dir():
        parser.error(f"--texts: {args.texts} is not a folder")
    documents, editions = generate(args.sqlite, args.out, args.texts)
    print(f"{documents} documents, {editions} editions → {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
