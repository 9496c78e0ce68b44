"""The shared cd:Topic scheme, the reviewed rules that place duties in it, and per-duty overrides.

Catalogs group their duties in their own words (类别 "社会治安", "一、党的建设"), so a catalog's
categories cannot compare duties across jurisdictions. One topic scheme shared by all catalogs
can: Chongqing's 协助开展禁毒宣传 and Sichuan's 协助开展禁毒防范和社区戒毒 both get drug-control.

Five reviewed files, plain CSV a researcher can read and edit without Python:

``data/registers/topics.csv``
    the scheme in two levels: about 18 domains (no ``broader``) over the topics (``broader``
    names the topic's one domain), so duties compare at either level; ``id`` (stable ASCII
    slug, used in IRIs), zh/en labels and definitions, and a ``note``.
``data/registers/topic-rules.csv``
    the rules: ``method`` keyword (words in the duty's ``name``, ``summary``, ``description``
    or ``any`` of them), legal-basis (law titles in the verbatim ``citation`` text, so the rules
    do not depend on the citation parser) or category (the catalog's own grouping); ``pattern``
    is a plain substring, or a regular expression when it starts with ``re:``; ``catalogs``
    (" | " separated) limits a rule to some catalogs; ``note`` says why the rule is right.
``data/registers/topic-keywords.csv``
    the general rules, for duties the reviewed rules leave unplaced (catalogs never seen):
    per topic, words of its subject and words of the titles of the laws it concerns
    (:func:`load_general_rules`); never a catalog's own phrasing. The ``laws`` column is the
    law → topic table: words of a title that name its subject (道路交通安全法 → road traffic
    safety), so that any of the 1,417 documents of the national register a catalog cites places
    the duty when the title names a subject of community work.
``data/registers/sector-topics.csv``
    the department → sector → topic table, for duties the general rules leave unplaced too: a
    sector (data/registers/sectors.csv) whose community duties have one subject gives that topic
    (消防救援 → fire-safety), with a note; broad sectors (民政, 人社, 住建) are left out, because
    their department says nothing about a duty's subject (:func:`load_sector_topics`).
``data/topic-overrides.csv``
    per-duty corrections where a rule would be wrong: ``catalog, list, number`` name the duty
    (``list`` is a :class:`ListType` value), ``topics`` the " | " separated topic ids,
    ``mode`` ``add`` (to the rules' topics) or ``replace`` (instead of them), and ``reason``.

Every duty gets at least one topic: one no rule, override or department places gets a fallback topic
(``certification`` for the certification list, else ``unclassified``), recorded with method
"fallback" so that the build report can list it for a reviewer. Each
:class:`TopicAssignment` records how its topic was given (method, rule id, matched text).

The module is pure and free of rdflib, so the rules can be tested on parsed records alone;
``cdkg.loaders.rdf.graph.topics_graph`` writes the scheme as SKOS.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..records import DutyRecord, ListType, Problem
from ..registers import RegisterError, read_rows
from .departments import load_sectors

TOPIC_COLUMNS = ("id", "label_zh", "label_en", "definition_en", "definition_zh", "broader", "note")
RULE_COLUMNS = ("rule_id", "topic", "method", "field", "pattern", "catalogs", "note")
OVERRIDE_COLUMNS = ("catalog", "list", "number", "topics", "mode", "reason")

TOPICS_FILE = Path("registers") / "topics.csv"
RULES_FILE = Path("registers") / "topic-rules.csv"
KEYWORDS_FILE = Path("registers") / "topic-keywords.csv"
KEYWORD_COLUMNS = ("topic", "keywords", "laws", "note")
SECTOR_TOPICS_FILE = Path("registers") / "sector-topics.csv"
SECTORS_FILE = Path("registers") / "sectors.csv"
SECTOR_TOPIC_COLUMNS = ("sector", "topic", "note")
# A topic's zh label is one of its own keywords, split where it joins two subjects
# (养老服务与老年人权益 → 养老服务, 老年人权益).
_LABEL_JOINS = re.compile(r"[与和及、，]")
OVERRIDES_FILE = Path("topic-overrides.csv")

# Which duty fields each method may read: a legal-basis rule reads only the cited titles, a
# category rule only the catalog's grouping, so the method recorded says what the evidence was.
METHOD_FIELDS: dict[str, frozenset[str]] = {
    "keyword": frozenset({"name", "summary", "description", "any"}),
    "legal-basis": frozenset({"citation"}),
    "category": frozenset({"category"}),
}
# Every method an assignment may record (cd:assignmentMethod; ontology/shapes.ttl lists the
# same values): the three rule methods, then the department's sector, a person, the fallback.
ASSIGNMENT_METHODS = (*METHOD_FIELDS, "department", "override", "fallback")
MODES = ("add", "replace")
REGEX_PREFIX = "re:"
LIST_SEPARATOR = "|"

# The fallback is a topic of its own rather than a guess, so a SPARQL user sees an unplaced
# duty as unplaced; only a list whose type names its subject falls back to that subject.
FALLBACK_TOPIC = "unclassified"
FALLBACK_BY_LIST: dict[ListType, str] = {ListType.CERTIFICATION: "certification"}
# minter.topic("scheme") names the concept scheme itself, so no topic may take that id.
SCHEME_KEY = "scheme"

_TOPIC_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
_CATALOG_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

DutyKey = tuple[str, str, str]  # (catalog, list type code, number as printed)
# A department of a duty as the build placed it: (name as split from the cell, sector id).
PlacedDepartment = tuple[str, str]


@dataclass(frozen=True)
class Topic:
    """One concept of the shared scheme (a row of topics.csv)."""

    id: str
    label_zh: str
    label_en: str
    definition_en: str
    definition_zh: str
    broader: str = ""
    note: str = ""


@dataclass(frozen=True)
class TopicRule:
    """A reviewed rule: if ``regex`` matches ``field`` of a duty (of one of ``catalogs``, or of
    any catalog when empty), the duty gets ``topic``."""

    rule_id: str
    topic: str
    method: str
    field: str
    pattern: str
    catalogs: tuple[str, ...]
    note: str
    line: int
    regex: re.Pattern[str] = dataclasses.field(compare=False, repr=False)


@dataclass(frozen=True)
class TopicOverride:
    """A researcher's per-duty decision, with the file and line it came from."""

    catalog: str
    list: str
    number: str
    topics: tuple[str, ...]
    mode: str
    reason: str
    file: str
    line: int

    @property
    def key(self) -> DutyKey:
        return (self.catalog, self.list, self.number)

    @property
    def source(self) -> str:
        """Where the decision is written down, recorded as the assignment's rule."""
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class SectorTopic:
    """A reviewed row of sector-topics.csv: a duty of a department of ``sector`` that nothing
    else places gets ``topic``."""

    sector: str
    topic: str
    note: str
    file: str
    line: int

    @property
    def source(self) -> str:
        """Where the rule is written down, recorded as the assignment's rule."""
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class TopicAssignment:
    """How one topic was given to one duty (becomes a cd:TopicAssignment)."""

    topic: str
    method: str  # keyword | legal-basis | category | department | override | fallback
    rule: str  # rule_id, "<file>:<line>" (override, sector-topics), or a fallback description
    matched_text: str  # the words (or department) that matched; empty for override, fallback


# ---------------------------------------------------------------------------------------------
# Loading


def split_list(cell: str) -> tuple[str, ...]:
    """A " | " separated cell as its non-empty, stripped parts, in order."""
    return tuple(part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip())


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A rule pattern as a regex: "re:…" is a regular expression, anything else a substring.

    Raises ``re.error`` for a bad regular expression and ``ValueError`` for an empty pattern
    (which would match every duty).
    """
    body = pattern[len(REGEX_PREFIX) :] if pattern.startswith(REGEX_PREFIX) else re.escape(pattern)
    if not body:
        raise ValueError("empty pattern")
    compiled = re.compile(body)
    if compiled.search(""):
        raise ValueError(f"pattern {pattern!r} matches the empty string")
    return compiled


def load_topics(path: Path) -> dict[str, Topic]:
    """The scheme, by id in file order; every id unique, every row labelled and defined in zh
    and en, every ``broader`` an existing topic without cycles."""
    topics: dict[str, Topic] = {}
    lines: dict[str, int] = {}
    for line, row in read_rows(path, TOPIC_COLUMNS):
        topic_id = row["id"]
        if not _TOPIC_ID.match(topic_id):
            raise RegisterError(path, line, f"id {topic_id!r} is not a lower-case ASCII slug")
        if topic_id == SCHEME_KEY:
            raise RegisterError(path, line, f"id {SCHEME_KEY!r} is reserved for the scheme")
        if topic_id in topics:
            raise RegisterError(
                path, line, f"duplicate id {topic_id} (first on line {lines[topic_id]})"
            )
        for column in ("label_zh", "label_en", "definition_en", "definition_zh"):
            if not row[column]:
                raise RegisterError(path, line, f"topic {topic_id} has no {column}")
        topics[topic_id] = Topic(**row)
        lines[topic_id] = line
    if FALLBACK_TOPIC not in topics:
        raise RegisterError(path, 1, f"the fallback topic {FALLBACK_TOPIC!r} is missing")
    for topic in topics.values():
        _check_broader(path, lines[topic.id], topic, topics)
    _check_two_levels(path, lines, topics)
    return topics


def _check_two_levels(path: Path, lines: Mapping[str, int], topics: Mapping[str, Topic]) -> None:
    """The scheme has two levels: a domain has no broader concept and is the broader of at
    least one topic; every other row is a topic whose broader is a domain."""
    domains = {t.broader for t in topics.values() if t.broader}
    for topic in topics.values():
        if topic.broader and topic.id in domains:
            raise RegisterError(
                path, lines[topic.id], f"{topic.id} is a domain and cannot have a broader"
            )
        if not topic.broader and topic.id not in domains:
            raise RegisterError(path, lines[topic.id], f"topic {topic.id} has no domain (broader)")


def domains(topics: Mapping[str, Topic]) -> set[str]:
    """The upper level of the scheme: the ids other topics name as broader."""
    return {t.broader for t in topics.values() if t.broader}


def _check_broader(path: Path, line: int, topic: Topic, topics: Mapping[str, Topic]) -> None:
    """A topic's broader chain must name existing topics and never come back to it."""
    seen = {topic.id}
    current = topic
    while current.broader:
        if current.broader not in topics:
            raise RegisterError(path, line, f"broader {current.broader!r} is no topic id")
        if current.broader in seen:
            raise RegisterError(path, line, f"broader chain of {topic.id} is a cycle")
        seen.add(current.broader)
        current = topics[current.broader]


def load_rules(
    path: Path, topics: Collection[str], catalogs: Collection[str] | None = None
) -> list[TopicRule]:
    """The rules in file order (the order in which they are tried). Each names a known topic
    (never the fallback), a method with a field it may read, a pattern that compiles, a note,
    and catalog keys (checked against ``catalogs`` when given)."""
    rules: list[TopicRule] = []
    seen: dict[str, int] = {}
    for line, row in read_rows(path, RULE_COLUMNS):
        rule_id, topic, method = row["rule_id"], row["topic"], row["method"]
        if not _RULE_ID.match(rule_id):
            raise RegisterError(path, line, f"rule_id {rule_id!r} is not an ASCII id")
        if rule_id in seen:
            raise RegisterError(path, line, f"duplicate rule_id {rule_id} (line {seen[rule_id]})")
        seen[rule_id] = line
        if topic not in topics:
            raise RegisterError(path, line, f"unknown topic {topic!r}")
        if topic == FALLBACK_TOPIC:
            raise RegisterError(path, line, f"{FALLBACK_TOPIC} is given only as a fallback")
        if method not in METHOD_FIELDS:
            raise RegisterError(path, line, f"method must be one of {', '.join(METHOD_FIELDS)}")
        if row["field"] not in METHOD_FIELDS[method]:
            allowed = ", ".join(sorted(METHOD_FIELDS[method]))
            raise RegisterError(path, line, f"a {method} rule reads field {allowed}")
        if not row["note"]:
            raise RegisterError(path, line, f"rule {rule_id} has no note saying why")
        keys = split_list(row["catalogs"])
        _check_catalogs(path, line, keys, catalogs)
        try:
            regex = compile_pattern(row["pattern"])
        except (re.error, ValueError) as error:
            raise RegisterError(path, line, f"bad pattern {row['pattern']!r}: {error}") from error
        rules.append(
            TopicRule(
                rule_id, topic, method, row["field"], row["pattern"], keys, row["note"], line, regex
            )
        )
    return rules


def _check_catalogs(
    path: Path, line: int, keys: Sequence[str], catalogs: Collection[str] | None
) -> None:
    for key in keys:
        if not _CATALOG_KEY.match(key):
            raise RegisterError(path, line, f"catalog {key!r} is not a catalog key")
        if catalogs is not None and key not in catalogs:
            raise RegisterError(path, line, f"unknown catalog {key!r}")


def load_overrides(path: Path, topics: Collection[str]) -> list[TopicOverride]:
    """The overrides in file order; each names a list type, a number, known topics (never the
    fallback), a mode and a reason, and at most one override per duty. Whether the duty exists
    is checked by the caller, who has the parsed catalogs (:func:`unknown_overrides`)."""
    lists = {list_type.value for list_type in ListType}
    overrides: list[TopicOverride] = []
    seen: dict[DutyKey, int] = {}
    for line, row in read_rows(path, OVERRIDE_COLUMNS):
        if not _CATALOG_KEY.match(row["catalog"]):
            raise RegisterError(path, line, f"catalog {row['catalog']!r} is not a catalog key")
        if row["list"] not in lists:
            raise RegisterError(path, line, f"list must be one of {', '.join(sorted(lists))}")
        if not row["number"]:
            raise RegisterError(path, line, "number is empty")
        chosen = split_list(row["topics"])
        if not chosen:
            raise RegisterError(path, line, "no topics given")
        for topic in chosen:
            if topic not in topics:
                raise RegisterError(path, line, f"unknown topic {topic!r}")
            if topic == FALLBACK_TOPIC:
                raise RegisterError(path, line, f"{FALLBACK_TOPIC} is given only as a fallback")
        if row["mode"] not in MODES:
            raise RegisterError(path, line, f"mode must be one of {', '.join(MODES)}")
        if not row["reason"]:
            raise RegisterError(path, line, "an override needs a reason")
        override = TopicOverride(
            row["catalog"],
            row["list"],
            row["number"],
            chosen,
            row["mode"],
            row["reason"],
            path.name,
            line,
        )
        if override.key in seen:
            raise RegisterError(
                path, line, f"second override of the duty on line {seen[override.key]}"
            )
        seen[override.key] = line
        overrides.append(override)
    return overrides


def load_general_rules(path: Path, topics: Mapping[str, Topic]) -> list[TopicRule]:
    """The scheme's own vocabulary as rules that generalise to catalogs never seen, tried only
    for a duty the reviewed rules and overrides leave unplaced (see :func:`assign_topics`).

    Per topic (a row of topic-keywords.csv, each with a note saying why): its ``keywords``
    (" | " separated) and the parts of its zh label, read in the duty's own words and, failing
    those, in the catalog's category; its ``laws``, words of the titles of the laws whose
    subject the topic is (禁毒法 → drug-control), read in the cited titles. Rule ids are
    ``<topic>.words``, ``<topic>.laws`` and ``<topic>.category``."""
    rules: list[TopicRule] = []
    seen: dict[str, int] = {}
    for line, row in read_rows(path, KEYWORD_COLUMNS):
        topic = row["topic"]
        if topic not in topics or topic == FALLBACK_TOPIC or topic in domains(topics):
            raise RegisterError(path, line, f"{topic!r} is not a topic rules may give")
        if topic in seen:
            raise RegisterError(path, line, f"duplicate topic {topic} (line {seen[topic]})")
        seen[topic] = line
        if not row["note"]:
            raise RegisterError(path, line, f"topic {topic} has no note saying why")
        label_parts = [p for p in _LABEL_JOINS.split(topics[topic].label_zh) if len(p) >= 2]
        words = list(dict.fromkeys([*split_list(row["keywords"]), *label_parts]))
        laws = list(split_list(row["laws"]))
        for suffix, method, field, terms in (
            ("words", "keyword", "any", words),
            ("laws", "legal-basis", "citation", laws),
            ("category", "category", "category", words),
        ):
            if not terms:
                continue
            pattern = REGEX_PREFIX + "|".join(re.escape(t) for t in terms)
            rule_id = f"{topic}.{suffix}"
            rules.append(
                TopicRule(
                    rule_id,
                    topic,
                    method,
                    field,
                    pattern,
                    (),
                    row["note"],
                    line,
                    compile_pattern(pattern),
                )
            )
    # Tried by method: the duty's own words first, then what it cites, then its category.
    order = {"keyword": 0, "legal-basis": 1, "category": 2}
    return sorted(rules, key=lambda r: order[r.method])


def load_sector_topics(
    path: Path, topics: Mapping[str, Topic], sectors: Collection[str]
) -> dict[str, SectorTopic]:
    """The department → sector → topic table by sector: every sector one of ``sectors`` and
    listed once, every topic one rules may give (not a domain, not the fallback), every row
    with a note saying why that sector's community duties have that subject."""
    table: dict[str, SectorTopic] = {}
    for line, row in read_rows(path, SECTOR_TOPIC_COLUMNS):
        sector, topic = row["sector"], row["topic"]
        if sector not in sectors:
            raise RegisterError(path, line, f"unknown sector {sector!r}")
        if sector in table:
            raise RegisterError(
                path, line, f"duplicate sector {sector} (line {table[sector].line})"
            )
        if topic not in topics or topic == FALLBACK_TOPIC or topic in domains(topics):
            raise RegisterError(path, line, f"{topic!r} is not a topic rules may give")
        if not row["note"]:
            raise RegisterError(path, line, f"sector {sector} has no note saying why")
        table[sector] = SectorTopic(sector, topic, row["note"], path.name, line)
    return table


def department_assignments(
    departments: Sequence[PlacedDepartment], sector_topics: Mapping[str, SectorTopic]
) -> list[TopicAssignment]:
    """The topics of a duty's departments' sectors, in the order the departments are printed,
    one per topic; the department's name is the matched text.

    >>> row = SectorTopic("fire-rescue", "fire-safety", "why", "sector-topics.csv", 2)
    >>> department_assignments([("民政局", "civil-affairs"), ("消防救援大队", "fire-rescue")],
    ...                        {"fire-rescue": row})
    [TopicAssignment(topic='fire-safety', method='department', rule='sector-topics.csv:2', \
matched_text='消防救援大队')]
    """
    found: dict[str, TopicAssignment] = {}
    for name, sector in departments:
        row = sector_topics.get(sector)
        if row is not None and row.topic not in found:
            found[row.topic] = TopicAssignment(row.topic, "department", row.source, name)
    return list(found.values())


def general_assignments(duty: DutyRecord, rules: Sequence[TopicRule]) -> list[TopicAssignment]:
    """The general rules' topics for an unplaced duty: every topic whose words the duty's own
    text holds; if none, every topic whose laws it cites; if none, its category's."""
    texts = all_field_texts(duty)
    for method in ("keyword", "legal-basis", "category"):
        found: dict[str, TopicAssignment] = {}
        for rule in rules:
            if rule.method != method or rule.topic in found:
                continue
            text = match_rule(rule, duty, texts)
            if text is not None:
                found[rule.topic] = TopicAssignment(rule.topic, rule.method, rule.rule_id, text)
        if found:
            return list(found.values())
    return []


def unknown_overrides(overrides: Iterable[TopicOverride], keys: Iterable[DutyKey]) -> list[Problem]:
    """Overrides naming no parsed duty, as errors with file and line: a stale override (the
    duty was renumbered, the catalog key changed) must not be silently ignored."""
    known = set(keys)
    return [
        Problem(
            o.file,
            o.line,
            f"topic override for unknown duty {o.catalog} {o.list} {o.number}",
        )
        for o in overrides
        if o.key not in known
    ]


# ---------------------------------------------------------------------------------------------
# Assigning


def duty_key(duty: DutyRecord) -> DutyKey:
    """The key overrides use: catalog, list type code, number as printed."""
    return (duty.catalog, duty.list_type.code, duty.number)


def all_field_texts(duty: DutyRecord) -> dict[str, list[str]]:
    """The texts every rule field reads, computed once per duty (a rules file has over a
    hundred rules; recomputing them per rule was a fifth of the build's normalising time)."""
    citation = duty.citation_text
    return {
        "name": [duty.name] if duty.name else [],
        "summary": [duty.summary] if duty.summary else [],
        "description": [duty.description] if duty.description else [],
        "any": [text for text in (duty.name, duty.summary, duty.description) if text],
        "citation": [citation] if citation else [],
        "category": [duty.category] if duty.category else [],
    }


def enclosing_title(text: str, start: int, end: int) -> str:
    """The 《…》 title around text[start:end], or the matched text itself when the match is
    not inside one, so a legal-basis assignment records which document was cited."""
    opening = text.rfind("《", 0, start + 1)
    if opening == -1 or "》" in text[opening:start]:
        return text[start:end]
    closing = text.find("》", max(end - 1, opening))
    if closing == -1 or "《" in text[end:closing]:
        return text[start:end]
    return text[opening : closing + 1]


def match_rule(
    rule: TopicRule, duty: DutyRecord, texts: Mapping[str, list[str]] | None = None
) -> str | None:
    """The text by which ``rule`` places ``duty``, or None when it does not apply.
    ``texts`` are the duty's :func:`all_field_texts`, when the caller has them already."""
    if rule.catalogs and duty.catalog not in rule.catalogs:
        return None
    for text in (texts or all_field_texts(duty))[rule.field]:
        found = rule.regex.search(text)
        if found is None:
            continue
        if rule.method == "legal-basis":
            return enclosing_title(text, found.start(), found.end())
        return found.group(0)
    return None


def rule_assignments(duty: DutyRecord, rules: Iterable[TopicRule]) -> list[TopicAssignment]:
    """One assignment per topic, from the first rule (in file order) that places the duty in
    it; so the recorded evidence is the most direct one the rules file lists first."""
    found: dict[str, TopicAssignment] = {}
    texts = all_field_texts(duty)
    for rule in rules:
        if rule.topic in found:
            continue
        text = match_rule(rule, duty, texts)
        if text is not None:
            found[rule.topic] = TopicAssignment(rule.topic, rule.method, rule.rule_id, text)
    return list(found.values())


def fallback_assignment(duty: DutyRecord) -> TopicAssignment:
    """The topic of a duty nothing else places (see FALLBACK_BY_LIST)."""
    topic = FALLBACK_BY_LIST.get(duty.list_type, FALLBACK_TOPIC)
    return TopicAssignment(topic, "fallback", f"fallback for the {duty.list_type.code} list", "")


def assign_topics(
    duty: DutyRecord,
    rules: Sequence[TopicRule],
    overrides: Mapping[DutyKey, TopicOverride],
    general: Sequence[TopicRule] = (),
    sector_topics: Mapping[str, SectorTopic] | None = None,
    departments: Sequence[PlacedDepartment] = (),
) -> list[TopicAssignment]:
    """The duty's topics, never empty, in a deterministic order: rule topics in rule-file order,
    then topics an ``add`` override contributes; a ``replace`` override's topics alone; when
    neither gives any, the ``general`` rules' (:func:`general_assignments`); when those give
    none, its ``departments``' sectors' (:func:`department_assignments`: who asks says least
    about what is asked, so it comes last); the fallback only when none of these gives any."""
    override = overrides.get(duty_key(duty))
    found = [] if override and override.mode == "replace" else rule_assignments(duty, rules)
    if override:
        given = {a.topic for a in found}
        found += [
            TopicAssignment(topic, "override", override.source, "")
            for topic in override.topics
            if topic not in given
        ]
    if not found and general:
        found = general_assignments(duty, general)
    if not found and sector_topics:
        found = department_assignments(departments, sector_topics)
    return found or [fallback_assignment(duty)]


def is_fallback_only(assignments: Sequence[TopicAssignment]) -> bool:
    """True for a duty placed by no rule or override (the build report lists these)."""
    return all(a.method == "fallback" for a in assignments)


# ---------------------------------------------------------------------------------------------
# The scheme as one object for the build


@dataclass(frozen=True)
class TopicScheme:
    """Topics, rules and overrides loaded together, as the build's topic normaliser."""

    topics: Mapping[str, Topic]
    rules: tuple[TopicRule, ...]
    overrides: Mapping[DutyKey, TopicOverride]
    general: tuple[TopicRule, ...] = ()
    sector_topics: Mapping[str, SectorTopic] = dataclasses.field(default_factory=dict)

    @classmethod
    def load(cls, data: Path, catalogs: Collection[str] | None = None) -> TopicScheme:
        """Load the five files under the project's data/ folder (sector ids from
        registers/sectors.csv); raises RegisterError naming file and line for any invalid row."""
        topics = load_topics(data / TOPICS_FILE)
        rules = load_rules(data / RULES_FILE, topics, catalogs)
        overrides = load_overrides(data / OVERRIDES_FILE, topics)
        general = load_general_rules(data / KEYWORDS_FILE, topics)
        sectors = load_sectors(data / SECTORS_FILE)
        sector_topics = load_sector_topics(data / SECTOR_TOPICS_FILE, topics, sectors)
        return cls(
            topics, tuple(rules), {o.key: o for o in overrides}, tuple(general), sector_topics
        )

    def __len__(self) -> int:
        return len(self.topics)

    def assign(
        self, duty: DutyRecord, departments: Sequence[PlacedDepartment] = ()
    ) -> list[TopicAssignment]:
        """The duty's topics; ``departments`` are its departments as the build placed them
        (name, sector), for the department → sector → topic table."""
        return assign_topics(
            duty, self.rules, self.overrides, self.general, self.sector_topics, departments
        )

    def check_overrides(self, keys: Iterable[DutyKey]) -> list[Problem]:
        return unknown_overrides(self.overrides.values(), keys)
