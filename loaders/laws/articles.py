"""Each cited article read against the law's own text, in the edition in force on the
catalog's date.

For every provision a catalog cites in a registered national document whose texts the folder
holds (:mod:`cdkg.loaders.laws.texts`), :func:`read_citations` decides which edition was in
force on the catalog's date, which edition's text it could be read in (the nearest one when
that edition's file is missing), whether the article, paragraph and item exist there, and
what text they hold; then two text comparisons, both on character bigrams (:func:`bigrams`):

* **renumbering** — the cited article's text is compared with the same number in the latest
  edition with a text (:func:`dice`, the Dice coefficient of the two bigram sets). Below
  :data:`SAME_TEXT` the number now holds other text, and the article of the latest edition
  most similar to the cited text (at least :data:`SAME_TEXT`) is where it went;
* **relevance** — the overlap coefficient (:func:`overlap`) of the duty's bigrams (name and
  description) and the cited text's. Below :data:`UNRELATED` the text shares (next to)
  nothing with the duty; the article of the same edition with the highest overlap is named
  beside it when it overlaps at least twice as much, as a pointer for the reviewer (a hint,
  not a finding: catalogs describe duties in their own words).

Everything here is pure: records in, :class:`Reading` records out; :mod:`law_text_graph`
writes them as RDF, and the named queries in queries/ turn the stored facts into findings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..normalise.citations import ProvisionRef, numbered_citations
from ..rdf.iris import Minter
from ..records import ParseResult
from ..registers import CatalogEntry
from .register import LawEntry, LawRegister
from .texts import Article, LawText, Matched, TextIndex, match_files, read_law_text, scan_folder

__all__ = [
    "SAME_TEXT",
    "UNRELATED",
    "CitedProvision",
    "EditionText",
    "Reading",
    "bigrams",
    "cited_provisions",
    "dice",
    "document_editions",
    "overlap",
    "read_citations",
    "read_folder",
    "reference_date",
]

SAME_TEXT = 0.5
"""Dice similarity of bigram sets at or above which two article texts are the same text."""
UNRELATED = 0.05
"""Overlap of the duty's and the cited text's bigrams below which they share (next to)
nothing: fewer than one bigram in twenty of the shorter text (common pairs such as 工作 or
社区 make a literal zero rare)."""

_KEEP = re.compile(r"[\u3400-\u9fff\uf900-\ufaffA-Za-z0-9]")
_ORDINAL = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")


def bigrams(text: str) -> frozenset[str]:
    """The set of adjacent character pairs of ``text`` once punctuation, spaces and item
    labels are dropped (Chinese has no word spaces: bigrams are the usual unit).

    >>> sorted(bigrams("（一）报告隐患。"))
    ['告隐', '报告', '隐患']
    """
    kept = "".join(_KEEP.findall(_ORDINAL.sub("", text)))
    return frozenset(kept[i : i + 2] for i in range(len(kept) - 1))


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """2|A∩B| / (|A|+|B|): 1.0 for the same bigrams, 0.0 for none shared (or both empty).

    >>> round(dice(bigrams("居民委员会报告"), bigrams("居民委员会应当报告")), 3)
    0.714
    """
    if not a and not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """|A∩B| / min(|A|, |B|), the overlap coefficient: how much of the shorter text the
    longer one shares, so a long duty description is not penalised against a short article
    (nor a long article against a short duty). 0.0 when either is empty.

    >>> overlap(bigrams("报告隐患"), bigrams("发现事故隐患应当报告"))
    0.6666666666666666
    """
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def reference_date(catalog_date: str) -> str | None:
    """The day a catalog's date stands for: its first day (``2017`` → ``2017-01-01``,
    ``2019-08`` → ``2019-08-01``); None for an undated catalog.

    >>> reference_date("2017"), reference_date("2019-08"), reference_date("2019-08-06")
    ('2017-01-01', '2019-08-01', '2019-08-06')
    """
    if not catalog_date:
        return None
    parts = catalog_date.split("-")
    return "-".join((*parts, *["01"] * (3 - len(parts))))


@dataclass(frozen=True)
class CitedProvision:
    """One provision a duty cites in a registered document: the IRIs the catalog graph gave
    the citation and the provision, the catalog's key and date, the duty's text."""

    citation: str
    provision: str
    duty: str
    catalog: str
    catalog_date: str
    law: LawEntry
    ref: ProvisionRef
    duty_text: str


def cited_provisions(
    catalogs: Iterable[tuple[CatalogEntry, ParseResult]], laws: LawRegister, minter: Minter
) -> list[CitedProvision]:
    """Every cited provision of registered documents, with the IRIs :mod:`cdkg.loaders.rdf.graph`
    mints for them (citations numbered per duty in the same order: every citation of every
    cell counts, resolved or not)."""
    found = []
    for entry, result in catalogs:
        for duty in result.duties:
            node = minter.duty(entry.key, duty.list_type, duty.number)
            for index, citation in numbered_citations(duty.citation_cells):
                resolution = laws.resolve(citation)
                if resolution is None:
                    continue
                law = resolution.entry
                for ref in citation.provisions:
                    provision = minter.provision(law.id, ref.article, ref.paragraph, ref.item)
                    found.append(
                        CitedProvision(
                            str(minter.citation(node, index)),
                            str(provision),
                            str(node),
                            entry.key,
                            entry.date,
                            law,
                            ref,
                            f"{duty.name} {duty.description}".strip(),
                        )
                    )
    return found


@dataclass(frozen=True)
class EditionText:
    """One edition of a document: its date, when it took effect (``valid_from``, else its
    date), the history event, the file holding its text (None: not in the folder) and
    whether law-editions.csv lists it."""

    date: str
    in_force_from: str
    event: str
    text: LawText | None = None
    listed: bool = True

    @property
    def file(self) -> str | None:
        return self.text.file if self.text is not None else None


def document_editions(
    entry: LawEntry, matched: Sequence[Matched], read: Callable[[Matched], LawText]
) -> list[EditionText]:
    """The document's editions, oldest first: the register's, each with its text when a file
    of that date matched, plus files of dates the register does not list."""
    texts = {}
    for m in matched:
        text = read(m)
        texts[text.edition] = text
    editions = [
        EditionText(e.date, e.valid_from or e.date, e.event, texts.pop(e.date, None))
        for e in entry.editions
    ]
    editions += [EditionText(d, d, "", t, listed=False) for d, t in texts.items()]
    return sorted(editions, key=lambda e: e.date)


@dataclass(frozen=True)
class Reading:
    """One cited provision read against the texts (see the module docstring).

    ``in_force`` is the edition in force on the catalog's date (the latest one for an
    undated catalog); ``read`` the edition whose text was read (``in_force`` when its file is
    there, else the nearest edition with a text). ``article`` is None when ``read`` has no
    such article; ``text`` None when the article, paragraph or item is not there."""

    cited: CitedProvision
    reference: str | None
    in_force: EditionText
    read: EditionText
    article: Article | None
    text: str | None
    item_count: int | None = None
    duty_similarity: float | None = None
    closest: Article | None = None
    closest_similarity: float | None = None
    latest: EditionText | None = None
    same_number_similarity: float | None = None
    now_held_by: Article | None = None
    now_held_similarity: float | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def found(self) -> bool:
        return self.text is not None


def _in_force(editions: Sequence[EditionText], reference: str | None) -> tuple[EditionText, str]:
    if reference is None:
        return editions[-1], "the catalog is undated: read against the latest edition"
    before = [e for e in editions if e.in_force_from <= reference]
    if not before:
        return editions[0], (
            f"the catalog's date ({reference}) precedes the first edition: read against it"
        )
    return before[-1], ""


def _nearest_text(editions: Sequence[EditionText], target: EditionText) -> EditionText | None:
    with_text = [e for e in editions if e.text is not None]
    if not with_text:
        return None

    def distance(e: EditionText) -> tuple[int, int]:
        gap = abs(int(e.date.replace("-", "")) - int(target.date.replace("-", "")))
        return gap, 0 if e.date > target.date else 1

    return min(with_text, key=distance)


def _renumbering(reading: Reading, editions: Sequence[EditionText]) -> Reading:
    article = reading.article
    later = [e for e in editions if e.text is not None and e.date > reading.read.date]
    if article is None or not later:
        return reading
    latest = later[-1]
    assert latest.text is not None
    cited = bigrams(article.text)
    same = latest.text.article(article.number, article.sub)
    similarity = dice(cited, bigrams(same.text)) if same is not None else 0.0
    reading = _replace(reading, latest=latest, same_number_similarity=similarity)
    if similarity >= SAME_TEXT:
        return reading
    scored = [(dice(cited, bigrams(a.text)), a) for a in latest.text.articles]
    best_score, best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
    if best is None or best_score < SAME_TEXT or best is same:
        return reading
    return _replace(reading, now_held_by=best, now_held_similarity=best_score)


def _relevance(reading: Reading) -> Reading:
    duty = bigrams(reading.cited.duty_text)
    if reading.text is None or not duty:
        return reading
    similarity = overlap(duty, bigrams(reading.text))
    reading = _replace(reading, duty_similarity=similarity)
    if similarity >= UNRELATED or reading.read.text is None:
        return reading
    scored = [(overlap(duty, bigrams(a.text)), a) for a in reading.read.text.articles]
    score, best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
    if best is None or best is reading.article or score < 2 * max(similarity, UNRELATED):
        return reading
    return _replace(reading, closest=best, closest_similarity=score)


def _replace(reading: Reading, **changes: object) -> Reading:
    return replace(reading, **changes)  # type: ignore[arg-type]


def read_one(cited: CitedProvision, editions: Sequence[EditionText]) -> Reading | None:
    """The reading of one cited provision; None when no edition of its document has a text."""
    reference = reference_date(cited.catalog_date)
    in_force, note = _in_force(editions, reference)
    read = in_force if in_force.text is not None else _nearest_text(editions, in_force)
    if read is None or read.text is None:
        return None
    notes = [note] if note else []
    if read is not in_force:
        notes.append(
            f"the text of the edition in force ({in_force.date}) is not in the folder: "
            f"read against the nearest edition ({read.date})"
        )
    if reference and len(cited.catalog_date) < len("2019-08-06"):
        within = [
            e.date
            for e in editions
            if e.in_force_from.startswith(cited.catalog_date) and e.in_force_from > reference
        ]
        if within:
            notes.append(
                f"the catalog is dated {cited.catalog_date} only; read as {reference}, but "
                f"the edition of {', '.join(within)} took effect within that period"
            )
    ref = cited.ref
    article = read.text.article(ref.article)
    text = article.provision_text(ref.paragraph, ref.item) if article is not None else None
    reading = Reading(
        cited,
        reference,
        in_force,
        read,
        article,
        text,
        item_count=(
            len(article.items_of(ref.paragraph))
            if article is not None and ref.item is not None
            else None
        ),
        notes=tuple(notes),
    )
    return _relevance(_renumbering(reading, editions))


@dataclass
class TextReadings:
    """What the folder gave for a build: the editions of each cited document (by law id),
    the readings of the cited provisions, and the cited documents with no text at all."""

    editions: dict[str, list[EditionText]] = field(default_factory=dict)
    readings: list[Reading] = field(default_factory=list)
    without_text: list[LawEntry] = field(default_factory=list)
    cited: int = 0
    unmatched_files: list[str] = field(default_factory=list)
    """Files of the folder whose title no register document has."""
    unlisted_editions: list[str] = field(default_factory=list)
    """Files of a register document dated by no edition of law-editions.csv."""

    def describe(self) -> str:
        found = sum(1 for r in self.readings if r.found)
        with_text = len(self.editions) - len(self.without_text)
        return (
            f"{self.cited} cited provisions of registered documents, {len(self.readings)} read "
            f"in {with_text} documents with texts ({found} found), "
            f"{len(self.without_text)} cited documents with editions but no text, "
            f"{len(self.unmatched_files)} files matching no register document"
        )


def read_citations(cited: Sequence[CitedProvision], index: TextIndex) -> TextReadings:
    """Read every cited provision whose document has editions in the register."""
    result = TextReadings(cited=len(cited))

    def read(m: Matched) -> LawText:
        return read_law_text(index.folder, m.text_file.file, m.edition)

    for provision in cited:
        law = provision.law
        if law.id not in result.editions:
            matched = index.files_of(law.id)
            if not law.editions and not matched:
                continue
            editions = document_editions(law, matched, read)
            result.editions[law.id] = editions
            if all(e.text is None for e in editions):
                result.without_text.append(law)
        reading = read_one(provision, result.editions[law.id])
        if reading is not None:
            result.readings.append(reading)
    return result


def read_folder(
    folder: Path,
    catalogs: Iterable[tuple[CatalogEntry, ParseResult]],
    laws: LawRegister,
    minter: Minter,
) -> TextReadings:
    """The build's step: match the folder's files to the register, then read every cited
    provision (only the files of cited documents are opened)."""
    index = match_files(folder, scan_folder(folder), laws)
    result = read_citations(cited_provisions(catalogs, laws, minter), index)
    result.unmatched_files = [f.file for f in index.unmatched]
    result.unlisted_editions = [m.text_file.file for m in index.unlisted_editions]
    return result
