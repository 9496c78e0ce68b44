"""One resolver for named-query parameters, for every door (``cdkg query --param``, the web's
``/queries/NAME?…``): what a person types becomes the IRI the query binds.

A parameter named after a kind of resource (``jurisdiction``, ``other_jurisdiction``,
``list_type``, ``topic``, …; see :data:`KINDS`) accepts

* an IRI (``<…>`` or bare), or a prefixed name (``id:jurisdiction/500000``, ``cd:AssistanceDuty``);
* the resource's key: a GB/T 2260 code (``500000``), a list-type code (``assistance``), a
  topic id (``drug-control``);
* its Chinese or English name: ``重庆市``, ``重庆`` (the name without 省/市/区/县/自治区…),
  ``协助`` / ``依法协助`` / ``协助办理`` (the list-type names of
  data/registers/import-headers.csv), ``禁毒``.

A name that fits several resources is refused with the list of them; a value that fits none
gets "did you mean" suggestions (difflib over the names, short names and keys). Errors are
:class:`ParamError`, with the message in Chinese and in English. :meth:`Resolver.choices`
lists what a parameter may take (label, key), for select boxes.

Only the read side is used (a ``select``/``ask`` store): no web framework.

>>> choice = Choice("https://w3id.org/cdkg/id/jurisdiction/500000", "重庆市", "Chongqing", "500000")
>>> short_names(choice)
('重庆',)
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rdflib.term import Node

from cdkg.loaders.imports.headers import load_vocabulary
from cdkg.loaders.records import ListType
from cdkg.ontology.namespace import PREFIXES

from .library import NamedQuery

__all__ = [
    "KINDS",
    "Choice",
    "Kind",
    "ParamError",
    "Resolver",
    "kind_of",
    "short_names",
]

_CD = PREFIXES["cd"]
_RDFS = PREFIXES["rdfs"]
_SKOS = PREFIXES["skos"]
LIST_AT_MOST = 80
"""An error lists every choice when there are at most this many."""
SUGGESTIONS = 5
# Longest first: 宁夏回族自治区 → 宁夏, not 宁夏回族自治.
_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "自治州",
    "地区",
    "省",
    "市",
    "区",
    "县",
    "盟",
)
_LIST_CLASSES = {
    ListType.SELF_GOVERNANCE: "SelfGovernanceDuty",
    ListType.ASSISTANCE: "AssistanceDuty",
    ListType.SUPERVISION: "SupervisionDuty",
    ListType.CERTIFICATION: "CertificationDuty",
    ListType.CANCELLED: "CancelledDuty",
    ListType.EXCLUDED: "ExcludedDuty",
}


class Selector(Protocol):
    """What the resolver reads: any store of cdkg.server.store."""

    def select(self, query: str) -> list[dict[str, Node]]: ...


@dataclass(frozen=True)
class Kind:
    """A kind of resource a parameter may name, recognised by the parameter's name."""

    name: str
    path: str
    """Where its instance IRIs live under the base (``jurisdiction/``); empty for list types,
    which are ontology classes."""
    cls: str
    """The cd: class its members have (for list types: the class they are subclasses of)."""
    zh: str
    """The kind's name in Chinese, for messages."""
    listed: bool = True
    """Whether its members are offered as choices and matched by name (not duties)."""

    def matches(self, param: str) -> bool:
        lowered = param.lower()
        return lowered == self.name or lowered.endswith("_" + self.name)


KINDS = (
    Kind("jurisdiction", "jurisdiction/", "Jurisdiction", "地区"),
    Kind("list_type", "", "Duty", "清单类型"),
    Kind("topic", "topic/", "Topic", "主题"),
    Kind("sector", "sector/", "Sector", "部门领域"),
    Kind("department", "department/", "Department", "部门"),
    Kind("catalog", "catalog/", "Catalog", "清单"),
    Kind("document", "law/", "LegalDocument", "法律文件"),
    Kind("law", "law/", "LegalDocument", "法律文件"),
    Kind("duty", "duty/", "Duty", "事项", listed=False),
)


def kind_of(param: str) -> Kind | None:
    """The kind of resource parameter ``param`` names, by its name (None: any value).

    >>> kind_of("other_jurisdiction").name, kind_of("list_type").zh, kind_of("keyword")
    ('jurisdiction', '清单类型', None)
    """
    return next((kind for kind in KINDS if kind.matches(param)), None)


@dataclass(frozen=True)
class Choice:
    """One value a parameter may take: the IRI bound, the names people know it by, its key."""

    value: str
    label: str
    label_en: str = ""
    key: str = ""
    """The GB/T 2260 code, list-type code or topic id: what a URL or a command line gives."""
    names: tuple[str, ...] = ()
    """Further names it is known by (list types: the headings of import-headers.csv)."""

    @property
    def display(self) -> str:
        """``重庆市 (500000)``: how a person recognises it in a list."""
        return f"{self.label} ({self.key})" if self.key and self.key != self.label else self.label


def short_names(choice: Choice) -> tuple[str, ...]:
    """The Chinese label without its administrative suffix (重庆市 → 重庆, 宁夏回族自治区 → 宁夏).

    >>> short_names(Choice("x", "宁夏回族自治区")), short_names(Choice("x", "市"))
    (('宁夏',), ())
    """
    for suffix in _SUFFIXES:
        if choice.label.endswith(suffix) and len(choice.label) > len(suffix) + 1:
            return (choice.label[: -len(suffix)],)
    return ()


class ParamError(ValueError):
    """A parameter value that names nothing, or several things; the message in zh and en."""

    def __init__(
        self,
        param: str,
        zh: str,
        en: str,
        suggestions: Sequence[Choice] = (),
        candidates: Sequence[Choice] = (),
    ) -> None:
        self.param = param
        self.zh = zh
        self.en = en
        self.suggestions = tuple(suggestions)
        """Close matches ("did you mean"), best first."""
        self.candidates = tuple(candidates)
        """The resources an ambiguous name fits, or every choice when there are few."""
        super().__init__(f"{en} / {zh}")


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


@dataclass
class Resolver:
    """Resolves the parameters of named queries against one dataset (choices are read once
    per kind and kept: build a new resolver for a new dataset version)."""

    selector: Selector
    base: str = "https://w3id.org/cdkg/id/"
    list_names: Mapping[ListType, tuple[str, ...]] = field(default_factory=dict)
    """Further names of each list type (see :func:`list_type_names`)."""
    _cache: dict[str, list[Choice]] = field(default_factory=dict, repr=False)

    # --- choices ---------------------------------------------------------------------------

    def choices(self, param: str) -> list[Choice]:
        """What parameter ``param`` may take, sorted by key (jurisdictions by code), for a
        select box; empty when it names no listed kind (a keyword, a duty)."""
        kind = kind_of(param)
        if kind is None or not kind.listed:
            return []
        if kind.name not in self._cache:
            self._cache[kind.name] = self._read(kind)
        return self._cache[kind.name]

    def _read(self, kind: Kind) -> list[Choice]:
        if kind.name == "list_type":
            return self._list_types()
        code = (
            f"OPTIONAL {{ ?member <{_CD}divisionCode> ?code }}"
            if kind.name == "jurisdiction"
            else ""
        )
        rows = self.selector.select(
            f"""SELECT DISTINCT ?member ?label ?en ?code WHERE {{
                  ?member a/<{_RDFS}subClassOf>* <{_CD}{kind.cls}> .
                  OPTIONAL {{ ?member <{_RDFS}label>|<{_SKOS}prefLabel> ?label
                              FILTER(lang(?label) = "zh") }}
                  OPTIONAL {{ ?member <{_RDFS}label>|<{_SKOS}prefLabel> ?en
                              FILTER(langMatches(lang(?en), "en")) }}
                  {code}
                }}"""
        )
        found: dict[str, Choice] = {}
        prefix = self.base + kind.path
        for row in rows:
            iri = str(row["member"])
            if iri in found:
                continue
            key = str(row["code"]) if "code" in row else iri.removeprefix(prefix)
            found[iri] = Choice(iri, str(row.get("label", key)), str(row.get("en", "")), key)
        return sorted(found.values(), key=lambda c: (c.key, c.value))

    def _list_types(self) -> list[Choice]:
        rows = self.selector.select(
            f"""SELECT ?class ?label ?en WHERE {{
                  ?class <{_RDFS}subClassOf> <{_CD}Duty> .
                  OPTIONAL {{ ?class <{_RDFS}label> ?label FILTER(lang(?label) = "zh") }}
                  OPTIONAL {{ ?class <{_RDFS}label> ?en FILTER(langMatches(lang(?en), "en")) }}
                }}"""
        )
        labels = {str(row["class"]): row for row in rows}
        choices = []
        for list_type, local in _LIST_CLASSES.items():
            iri = _CD + local
            row = labels.get(iri, {})
            choices.append(
                Choice(
                    iri,
                    str(row.get("label", local)),
                    str(row.get("en", "")),
                    list_type.code,
                    self.list_names.get(list_type, ()),
                )
            )
        return choices

    # --- resolving -------------------------------------------------------------------------

    def resolve(self, query: NamedQuery, raw: Mapping[str, str]) -> dict[str, str]:
        """``raw`` (parameter → what a person gave) with every resource parameter turned into
        its IRI, ready for ``query.bind``; other parameters pass unchanged (the library
        validates them). Raises ParamError for the first value that names nothing or
        several things, ValueError (from the library) for an unknown parameter."""
        resolved: dict[str, str] = {}
        for name, value in raw.items():
            param = query.param(name)
            resolved[name] = self.value(name, value) if param.type == "iri" else value
        return resolved

    def value(self, param: str, raw: str) -> str:
        """The IRI ``raw`` names for parameter ``param``."""
        text = raw.strip()
        if not text:
            raise ParamError(param, f"参数 {param} 为空", f"parameter {param!r} is empty")
        kind = kind_of(param)
        iri = self._as_iri(text, kind)
        choices = self.choices(param)
        if kind is None or not kind.listed:
            if iri is None:
                what = f"a {kind.name} IRI or key" if kind else "an IRI"
                raise ParamError(
                    param,
                    f"参数 {param}：“{text}”不是 IRI",
                    f"parameter {param!r}: {text!r} is not {what}",
                )
            self._check_present(param, iri, kind)
            return iri
        if iri is not None and any(c.value == iri for c in choices):
            return iri
        found = self._by_name(text, choices)
        if len(found) == 1:
            return found[0].value
        if len(found) > 1:
            names = "、".join(c.display for c in found)
            raise ParamError(
                param,
                f"参数 {param}：“{text}”可指多个{kind.zh}：{names}，请写全称或代码",
                f"parameter {param!r}: {text!r} fits several: {names}; give the full name or code",
                candidates=found,
            )
        raise self._unknown(param, kind, text, choices)

    def _check_present(self, param: str, iri: str, kind: Kind | None) -> None:
        """ParamError unless ``iri`` is in the dataset (as a ``kind`` when one is named)."""
        if not re.fullmatch(r"[^\x00-\x20<>\"{}|^`\\]+", iri):
            raise ParamError(
                param, f"参数 {param}：{iri!r} 不是 IRI", f"{param!r}: bad IRI {iri!r}"
            )
        if kind is None:
            where = f"{{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }}"
        else:
            where = f"<{iri}> a/<{_RDFS}subClassOf>* <{_CD}{kind.cls}>"
        if self.selector.select(f"SELECT * WHERE {{ {where} }} LIMIT 1"):
            return
        what = f"a {kind.name} of the dataset" if kind else "in the dataset"
        zh = f"数据中没有这个{kind.zh}" if kind else "数据中没有它"
        hint_en = hint_zh = ""
        if kind is not None and kind.name == "duty":
            hint_en = "; find duties with: cdkg query search-duties --param keyword=…"
            hint_zh = "；可用 search-duties 按关键词查找事项"
        raise ParamError(
            param,
            f"参数 {param}：<{iri}> {zh}{hint_zh}",
            f"parameter {param!r}: <{iri}> is not {what}{hint_en}",
        )

    def _as_iri(self, text: str, kind: Kind | None) -> str | None:
        """``text`` as an absolute IRI when it is written as one, a prefixed name, or (for a
        kind with instance IRIs) a key; None otherwise."""
        if text.startswith("<") and text.endswith(">"):
            return text[1:-1]
        prefix, colon, rest = text.partition(":")
        if colon and rest.startswith("//"):
            return text
        if colon and re.fullmatch(r"[A-Za-z][\w-]*", prefix):
            if prefix == "id":
                return self.base + rest
            if prefix in PREFIXES:
                return PREFIXES[prefix] + rest
            return text if re.fullmatch(r"[a-z][a-z0-9+.-]*", prefix) else None
        if kind is not None and kind.path and re.fullmatch(r"[\w.~/-]+", text, re.ASCII):
            return self.base + kind.path + text
        return None

    @staticmethod
    def _by_name(text: str, choices: Sequence[Choice]) -> list[Choice]:
        """The choices ``text`` names: a key or a full name exactly, else a short name, else
        the one whose names contain it (or it contains one of the further names)."""
        wanted = _normalise(text)
        for test in (
            lambda c: wanted in {_normalise(c.key), _normalise(c.label), _normalise(c.label_en)},
            lambda c: wanted in {_normalise(n) for n in (*short_names(c), *c.names)},
            lambda c: (
                any(wanted in _normalise(n) for n in (c.label, *c.names))
                or any(_normalise(n) in wanted for n in c.names)
            ),
        ):
            found = [c for c in choices if test(c)]
            if found:
                return found
        return []

    def _unknown(self, param: str, kind: Kind, text: str, choices: Sequence[Choice]) -> ParamError:
        by_name: dict[str, Choice] = {}
        for choice in choices:
            for name in (choice.label, choice.key, choice.label_en, *short_names(choice)):
                if name:
                    by_name.setdefault(name, choice)
        close = difflib.get_close_matches(text, list(by_name), n=SUGGESTIONS * 2, cutoff=0.5)
        suggestions = list(dict.fromkeys(by_name[name] for name in close))[:SUGGESTIONS]
        hint_en = hint_zh = ""
        if suggestions:
            names = "、".join(c.display for c in suggestions)
            hint_zh, hint_en = f"。您是否要找：{names}", f"; did you mean {names}?"
        listed = list(choices) if len(choices) <= LIST_AT_MOST else []
        return ParamError(
            param,
            f"参数 {param}：没有名为“{text}”的{kind.zh}{hint_zh}",
            f"parameter {param!r}: no {kind.name.replace('_', ' ')} {text!r}{hint_en}",
            suggestions,
            listed,
        )


def list_type_names(registers: Path) -> dict[ListType, tuple[str, ...]]:
    """The list-type headings of data/registers/import-headers.csv (依法自治, 协助办理, 负面,
    …) by list type: the names a list type is also known by."""
    names: dict[ListType, list[str]] = {}
    for synonym, list_type in load_vocabulary(registers / "import-headers.csv").lists:
        names.setdefault(list_type, []).append(synonym)
    return {list_type: tuple(found) for list_type, found in names.items()}


def resolver_for(selector: Selector, base: str, registers: Path | None) -> Resolver:
    """A resolver with the list-type names of ``registers`` (none when it is None or the
    file is absent: list types are then matched by code and label only)."""
    names = {}
    if registers is not None and (registers / "import-headers.csv").is_file():
        names = list_type_names(registers)
    return Resolver(selector, base, names)


def describe(choices: Iterable[Choice]) -> str:
    """Choices one per line, for a terminal: ``  500000  重庆市``."""
    return "\n".join(f"  {c.key or c.value}  {c.label}".rstrip() for c in choices)
