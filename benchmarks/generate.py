"""Deterministic synthetic catalogs in the catalog-template format, for benchmarks.

    .venv/bin/python benchmarks/generate.py --jurisdictions 300 --output DIR [--seed 42]

writes DIR/syn-<code>.csv, one catalog per synthetic jurisdiction, which ``cdkg build`` reads
through the real template loader when DIR is a project's data/catalogs/. Not part of the test
suite (tests/catalogs/test_generator.py checks a small run).

The shape follows the five seed catalogs. Each jurisdiction is a city or a district with a
synthetic GB/T 2260-looking code under a real province-level division of
data/registers/jurisdictions.csv (cities at PPCC00 with CC from 51 up, their districts at
PPCCDD; a municipality's districts directly under it). Each catalog has about 60 duties:
self-governance 14–18, assistance 25–37, cancelled and/or excluded 5–9 each, and in some
catalogs certification (8–14) and supervision (3–5), numbered 1..N. Duty names, categories and
the first line of descriptions are drawn from the 210 seed duties (only those the real topic
rules place, so topics resolve), with small wording variations; 1–4 departments come from
data/registers/department-names.csv; 0–4 citations name documents of data/registers/laws.csv
with the article numbers the seeds cite (or 1–40 for documents no seed cites), so they resolve
through the real law register. A small share of citations (``--outside``, 3% by default) names
documents outside the reviewed register, so that scale runs exercise what a new catalog brings:
half invented local documents (《<place>社区志愿服务积分管理办法》, which no register can know and
a build makes provisional), half national documents known only to the national register, printed
with damage (a wrap space, 中华人民共和国 dropped or added).

Each jurisdiction has its own random stream seeded by (seed, index), so the same seed gives
byte-identical files and a smaller run is a prefix of a larger one.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from cdkg.loaders.laws.register import LawRegister
from cdkg.loaders.normalise.citations import parse_citations
from cdkg.loaders.normalise.departments import load_generic_names, load_sectors
from cdkg.loaders.normalise.topics import TopicScheme
from cdkg.loaders.records import DutyRecord, ListType
from cdkg.loaders.registers import Jurisdiction, load_catalogs, load_jurisdictions
from cdkg.loaders.sources import LAYOUTS
from cdkg.loaders.sources.template import DUTY_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "syn-"
SYNTHETIC_CATALOG = "synthetic"  # the catalog key topic rules see (matches no seed-only rule)
FIRST_BLOCK = 51  # synthetic city digits start here, above most real prefecture codes
DISTRICTS_PER_CITY = 39
# (list type, probability the catalog has the list, fewest, most items)
LISTS: tuple[tuple[ListType, float, int, int], ...] = (
    (ListType.SELF_GOVERNANCE, 1.0, 14, 18),
    (ListType.ASSISTANCE, 1.0, 25, 37),
    (ListType.SUPERVISION, 0.15, 3, 5),
    (ListType.CERTIFICATION, 0.35, 8, 14),
    (ListType.CANCELLED, 0.6, 5, 9),
    (ListType.EXCLUDED, 0.6, 5, 9),
)
# (values, cumulative weights): 1–4 departments mostly 1–2, 0–4 citations mostly 0–2.
DEPARTMENT_COUNTS = ((1, 2, 3, 4), (40, 70, 90, 100))
CITATION_COUNTS = ((0, 1, 2, 3, 4), (25, 60, 80, 92, 100))
ANY_ARTICLE = tuple(range(1, 41))
DIGITS = "零一二三四五六七八九"
OUTSIDE_SHARE = 0.03  # citations drawn from outside the reviewed register
# Invented local documents: subjects and kinds no register holds (synthetic, never real titles).
INVENTED_SUBJECTS = (
    "社区志愿服务积分",
    "楼道公共空间治理",
    "居民议事协商",
    "网格员队伍建设",
    "小区停车秩序",
)
INVENTED_KINDS = ("管理办法", "实施细则", "若干规定", "工作规程")


@dataclass(frozen=True)
class SeedDuty:
    name: str
    category: str
    description: str


@dataclass(frozen=True)
class CitedDocument:
    title: str
    articles: tuple[int, ...]  # the articles the seeds cite; empty: any of 1–40


@dataclass
class Pools:
    """What synthetic rows are drawn from, all read from the project's real files."""

    provinces: list[Jurisdiction]
    duties: dict[ListType, list[SeedDuty]]
    departments: list[str]
    documents: list[CitedDocument]
    cumulative_weights: list[int] = field(default_factory=list)
    national: list[str] = field(default_factory=list)  # titles only the national register holds


@dataclass
class Summary:
    files: int = 0
    duties: int = 0
    bytes: int = 0
    seconds: float = 0.0

    def describe(self) -> str:
        return (
            f"{self.files} catalogs, {self.duties} duties, {self.bytes / 1e6:.1f} MB "
            f"in {self.seconds:.2f} s"
        )


def chinese_number(value: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五 (article numbers as catalogs print them)."""
    if value < 10:
        return DIGITS[value]
    if value < 20:
        return "十" + (DIGITS[value % 10] if value % 10 else "")
    if value < 100:
        return DIGITS[value // 10] + "十" + (DIGITS[value % 10] if value % 10 else "")
    rest = value % 100
    head = DIGITS[value // 100] + "百"
    if rest == 0:
        return head
    if rest < 10:
        return head + "零" + DIGITS[rest]
    return head + (DIGITS[rest // 10] + "十" + (DIGITS[rest % 10] if rest % 10 else ""))


def load_pools(root: Path = ROOT) -> Pools:
    """Seed duties, generic department names and citable documents from ``root``'s data/."""
    registers = root / "data" / "registers"
    jurisdictions = load_jurisdictions(registers / "jurisdictions.csv")
    provinces = sorted(
        (j for j in jurisdictions.values() if j.level in ("province", "municipality")),
        key=lambda j: j.code,
    )
    laws = LawRegister.load(registers / "laws.csv")
    topics = TopicScheme.load(root / "data")
    duties: dict[ListType, list[SeedDuty]] = {t: [] for t in ListType}
    cited: dict[str, set[int]] = {}
    for entry in load_catalogs(registers / "catalogs.csv", jurisdictions):
        for duty in LAYOUTS[entry.layout](root / "data" / "raw" / entry.file).duties:
            for cell in duty.citation_cells:
                for citation in parse_citations(cell):
                    resolution = laws.resolve(citation)
                    if resolution is not None:
                        seen = cited.setdefault(resolution.entry.id, set())
                        seen.update(p.article for p in citation.provisions)
            seed = SeedDuty(duty.name, duty.category, duty.description.split("\n")[0][:120])
            if _placed_by_rules(topics, duty.list_type, seed):
                duties[duty.list_type].append(seed)
    documents: list[CitedDocument] = []
    weights: list[int] = []
    for entry in laws:
        title = entry.canonical_title
        probe = parse_citations(f"《{title}》第三条")
        resolved = [laws.resolve(c) for c in probe]
        if len(resolved) != 1 or resolved[0] is None or resolved[0].entry.id != entry.id:
            continue  # a title the citation parser would not read back as this document
        documents.append(CitedDocument(title, tuple(sorted(cited.get(entry.id, ())))))
        weights.append(8 if entry.id in cited else 1)
    sectors = load_sectors(registers / "sectors.csv")
    names = [e.name for e in load_generic_names(registers / "department-names.csv", sectors)]
    national = [
        e.canonical_title
        for e in laws.documents()
        if not e.reviewed and e.doc_type in ("法律", "行政法规") and "《" not in e.canonical_title
    ]
    return Pools(provinces, duties, names, documents, list(accumulate(weights)), national)


def _placed_by_rules(topics: TopicScheme, list_type: ListType, seed: SeedDuty) -> bool:
    """Whether the real topic rules place this name in a topic in a non-seed catalog."""
    probe = DutyRecord(
        catalog=SYNTHETIC_CATALOG,
        list_type=list_type,
        number="1",
        name=seed.name,
        line=1,
        category=seed.category,
        description=seed.description,
    )
    assignments = topics.assign(probe)
    return list_type is ListType.CERTIFICATION or any(a.method != "fallback" for a in assignments)


@dataclass(frozen=True)
class SyntheticJurisdiction:
    code: str
    name: str
    name_en: str
    level: str
    part_of: str


def jurisdiction(index: int, provinces: Sequence[Jurisdiction]) -> SyntheticJurisdiction:
    """The index-th synthetic jurisdiction: round-robin over the province-level divisions; in
    a province every 40th is a city and the next 39 its districts."""
    province = provinces[index % len(provinces)]
    k = index // len(provinces)
    prefix = province.code[:2]
    block = k // 99 if province.level == "municipality" else k // (DISTRICTS_PER_CITY + 1)
    if FIRST_BLOCK + block > 99:
        raise ValueError(f"too many jurisdictions for province {province.code}")
    if province.level == "municipality":
        block, district = divmod(k, 99)
        code = f"{prefix}{FIRST_BLOCK + block:02d}{district + 1:02d}"
        parent = province.code
    else:
        block, position = divmod(k, DISTRICTS_PER_CITY + 1)
        city = f"{prefix}{FIRST_BLOCK + block:02d}00"
        if position == 0:
            return SyntheticJurisdiction(
                city, f"合成市{city}", f"Synthetic city {city}", "city", province.code
            )
        code, parent = f"{prefix}{FIRST_BLOCK + block:02d}{position:02d}", city
    return SyntheticJurisdiction(
        code, f"合成区{code}", f"Synthetic district {code}", "district", parent
    )


def _vary(name: str, rng: random.Random) -> str:
    """A small wording variation that keeps the words the topic rules look for."""
    roll = rng.random()
    if roll < 0.6:
        return name
    stem, end = (name[:-1], name[-1]) if name.endswith(("。", "；")) else (name, "")
    if roll < 0.8 and len(stem) <= 20 and not stem.endswith(("工作", "。", "，")):
        return f"{stem}工作{end}"
    if roll < 0.9 and not stem.startswith("依法"):
        return f"依法{stem}{end}"
    if "社区" in stem and "城乡社区" not in stem:
        return stem.replace("社区", "城乡社区", 1) + end
    return name


def _citation(document: CitedDocument, rng: random.Random) -> str:
    pool = document.articles or ANY_ARTICLE
    if len(pool) > 1 and rng.random() < 0.25:
        articles = sorted(rng.sample(pool, 2))
    else:
        articles = [rng.choice(pool)]
    text = "、".join(f"第{chinese_number(a)}条" for a in articles)
    if rng.random() < 0.1:
        text += f"第{chinese_number(rng.randint(1, 3))}款"
    return f"《{document.title}》{text}"


def _outside_citation(pools: Pools, place: str, rng: random.Random) -> str:
    """A citation of a document outside the reviewed register: invented, or national and
    printed with damage a real copy has."""
    article = f"第{chinese_number(rng.randint(1, 30))}条"
    if not pools.national or rng.random() < 0.5:
        subject, kind = rng.choice(INVENTED_SUBJECTS), rng.choice(INVENTED_KINDS)
        return f"《{place}{subject}{kind}》{article}"
    title = rng.choice(pools.national)
    if rng.random() < 0.5:
        cut = rng.randint(1, len(title) - 1)
        title = f"{title[:cut]} {title[cut:]}"
    else:
        state = "中华人民共和国"
        title = title.removeprefix(state) if title.startswith(state) else state + title
    return f"《{title}》{article}"


def catalog_rows(
    index: int, pools: Pools, seed: int, outside: float = OUTSIDE_SHARE
) -> tuple[SyntheticJurisdiction, list[list[str]], int]:
    """The rows of one synthetic catalog file (metadata, blank row, table) and its duty count."""
    rng = random.Random(f"{seed}:{index}")
    place = jurisdiction(index, pools.provinces)
    counts: list[tuple[ListType, int]] = []
    for list_type, probability, low, high in LISTS:
        if rng.random() < probability:
            counts.append((list_type, rng.randint(low, high)))
    if not any(t in (ListType.CANCELLED, ListType.EXCLUDED) for t, _ in counts):
        counts.append((rng.choice((ListType.CANCELLED, ListType.EXCLUDED)), rng.randint(5, 9)))
        counts.sort(key=lambda c: [t for t, *_ in LISTS].index(c[0]))
    year = rng.randint(2017, 2024)
    date = rng.choice((str(year), f"{year}-{rng.randint(1, 12):02d}"))
    rows: list[list[str]] = [
        ["key", f"{PREFIX}{place.code}"],
        ["title", f"关于印发《{place.name}社区工作事项清单》的通知"],
        ["jurisdiction_code", place.code],
        ["jurisdiction_name", place.name],
        ["jurisdiction_name_en", place.name_en],
        ["jurisdiction_level", place.level],
        ["part_of_code", place.part_of],
        ["document_number", f"合民发〔{year}〕{rng.randint(1, 120)}号"],
        ["issuer", f"{place.name}民政局"],
        ["date", date],
        ["list_types", " | ".join(f"{t.code}={n}" for t, n in counts)],
        ["source_note", f"Synthetic benchmark data (benchmarks/generate.py, seed {seed})."],
        [],
        list(DUTY_COLUMNS),
    ]
    for list_type, count in counts:
        for number in range(1, count + 1):
            duty = rng.choice(pools.duties[list_type])
            how_many = rng.choices(DEPARTMENT_COUNTS[0], cum_weights=DEPARTMENT_COUNTS[1])[0]
            departments = rng.sample(pools.departments, how_many)
            how_many = rng.choices(CITATION_COUNTS[0], cum_weights=CITATION_COUNTS[1])[0]
            documents = rng.choices(
                pools.documents, cum_weights=pools.cumulative_weights, k=how_many
            )
            separator = "；" if rng.random() < 0.5 else "\n"
            rows.append(
                [
                    list_type.code,
                    str(number),
                    _vary(duty.name, rng),
                    duty.category,
                    duty.description,
                    ("；" if rng.random() < 0.2 else "、").join(departments),
                    separator.join(
                        _outside_citation(pools, place.name, rng)
                        if rng.random() < outside
                        else _citation(d, rng)
                        for d in documents
                    ),
                ]
            )
    return place, rows, sum(n for _, n in counts)


def generate(
    jurisdictions: int,
    output: Path,
    seed: int = 42,
    root: Path = ROOT,
    outside: float = OUTSIDE_SHARE,
) -> Summary:
    """Write ``jurisdictions`` synthetic catalogs into ``output`` (created if needed).

    Refuses to mix runs: a syn-*.csv file in ``output`` that this run would not write is an
    error (remove it or use an empty folder), so a folder never holds two runs' catalogs.
    """
    started = time.perf_counter()
    pools = load_pools(root)
    places = [jurisdiction(i, pools.provinces) for i in range(jurisdictions)]
    names = {f"{PREFIX}{p.code}.csv" for p in places}
    if len(names) != jurisdictions:
        raise ValueError("synthetic codes are not unique")
    output.mkdir(parents=True, exist_ok=True)
    stale = sorted(p.name for p in output.glob(f"{PREFIX}*.csv") if p.name not in names)
    if stale:
        raise FileExistsError(f"{output} holds catalogs of another run: {', '.join(stale[:5])}…")
    summary = Summary()
    for index in range(jurisdictions):
        place, rows, duties = catalog_rows(index, pools, seed, outside)
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        data = buffer.getvalue().encode("utf-8")
        (output / f"{PREFIX}{place.code}.csv").write_bytes(data)
        summary.files += 1
        summary.duties += duties
        summary.bytes += len(data)
    summary.seconds = time.perf_counter() - started
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jurisdictions", type=int, required=True)
    parser.add_argument("--output", type=Path, required=True, help="folder for the CSV files")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--outside",
        type=float,
        default=OUTSIDE_SHARE,
        help="share of citations naming documents outside the reviewed register (0–1)",
    )
    args = parser.parse_args(argv)
    if not 0 <= args.outside <= 1:
        parser.error(f"--outside: {args.outside} is not a share between 0 and 1")
    try:
        summary = generate(args.jurisdictions, args.output, args.seed, outside=args.outside)
    except (ValueError, FileExistsError) as error:
        print(f"generate: {error}", file=sys.stderr)
        return 2
    print(f"{args.output}: {summary.describe()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
