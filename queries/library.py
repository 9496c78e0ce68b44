"""The named-query library: queries/*.rq with a comment header, and safe parameters.

One file is one query, runnable unchanged in any SPARQL tool: its header is SPARQL comments
and each parameter's default is written into the query as ``VALUES ?name { <default> }``.
The server, ``cdkg query`` and ``cdkg check`` all read the library through this module.

Header (comment lines at the top of the file; ``description`` may continue on following
comment lines)::

    # title@zh: 没有法律依据的职责
    # title@en: Duties with no legal basis
    # summary@zh: 一行中文说明（可选）
    # description: One or more lines of English text.
    # kind: check                  (or: question)
    # severity: error              (checks only: error | warning | info)
    # param: jurisdiction iri <https://w3id.org/cdkg/id/jurisdiction/500000> The jurisdiction
    # materialise: yes             (optional: the build answers it once; see below)

``materialise: yes`` marks a question whose answer is as large as the data (a row per duty,
or per jurisdiction and topic): the build runs it once and stores its rows, in order, in the
graph ``<base>graph/answers`` (:mod:`cdkg.loaders.answers`), and the named-query doors read
the page asked for from that table by IRI (:mod:`cdkg.queries.answers`) instead of
evaluating and sorting every row on each request. Only a parameter-free SELECT that can be
paged (a top-level ORDER BY, :func:`cdkg.queries.paging.refusal`) may say so: anything else
is refused here, naming the file and line.

A ``param`` line gives the name, the type (``iri``, ``string``, ``integer``, ``lang-string``),
the default as a SPARQL term, and a description. Binding a value replaces the term of that
parameter's VALUES clause with the value, validated for its type and written as a SPARQL term
by this module — a value can never add SPARQL of its own. Unknown names and bad values raise
ValueError naming the parameter.

>>> q = parse_query("demo", '''# title@zh: 示例
... # title@en: Demo
... # description: Count labels in one language.
... # kind: question
... # param: lang string "zh" The language tag
... SELECT (COUNT(*) AS ?n) WHERE { VALUES ?lang { "zh" } ?s ?p ?o FILTER(lang(?o) = ?lang) }
... ''')
>>> q.bind({"lang": "en"}).splitlines()[-1]
'SELECT (COUNT(*) AS ?n) WHERE { VALUES ?lang { "en" } ?s ?p ?o FILTER(lang(?o) = ?lang) }'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .paging import refusal

PARAM_TYPES = ("iri", "string", "integer", "lang-string")
KINDS = ("check", "question")
SEVERITIES = ("error", "warning", "info")

_HEADER_LINE = re.compile(r"^#\s*(?P<key>[A-Za-z][\w@-]*)\s*:\s*(?P<value>.*?)\s*$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# SPARQL IRIREF excludes these characters; an absolute IRI starts with a scheme.
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*$")
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_INTEGER = re.compile(r"^[+-]?[0-9]{1,18}$")
_STRING_TERM = re.compile(r'^"((?:[^"\\\n\r]|\\.)*)"$', re.DOTALL)
_LANG_TERM = re.compile(r'^"((?:[^"\\\n\r]|\\.)*)"@([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)$')
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_TERM_PATTERN = r'<[^<>\s]*>|"(?:[^"\\\n\r]|\\.)*"(?:@[A-Za-z0-9-]+)?|[+-]?[0-9]+'


@dataclass(frozen=True)
class Param:
    """One parameter: name, type, default (as a SPARQL term) and description."""

    name: str
    type: str
    default: str
    description: str = ""


@dataclass(frozen=True)
class NamedQuery:
    """One query of the library."""

    name: str
    title_zh: str
    title_en: str
    description: str
    kind: str
    severity: str | None
    params: tuple[Param, ...]
    text: str
    path: Path | None = None
    summary_zh: str = ""
    """One line in Chinese saying what the query answers (``# summary@zh:``, optional): what
    the site's home page shows under the title."""
    materialise: bool = False
    """``# materialise: yes``: the build stores the answer, the doors read it by page."""
    _spans: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False, compare=False)

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        known = ", ".join(p.name for p in self.params) or "none"
        raise ValueError(f"{self.name}: unknown parameter {name!r} (parameters: {known})")

    def bind(self, values: Mapping[str, str]) -> str:
        """The query text with ``values`` (raw user input, by parameter name) substituted.

        Raises ValueError naming the parameter for an unknown name or a bad value."""
        replacements = []
        for name, raw in values.items():
            param = self.param(name)
            replacements.append((self._spans[name], format_value(param, raw)))
        text = self.text
        for (start, end), term in sorted(replacements, reverse=True):
            text = text[:start] + term + text[end:]
        return text


# --- terms ----------------------------------------------------------------------------------


def _escape(text: str) -> str:
    """``text`` as the inside of a double-quoted SPARQL string."""
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            raise ValueError(f"control character U+{ord(char):04X}")
        else:
            out.append(char)
    return "".join(out)


def _unescape(body: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ECHAR.get(m.group(1), m.group(0)), body)


def format_value(param: Param, raw: str) -> str:
    """Validate user input ``raw`` for ``param`` and write it as a SPARQL term.

    iri: an absolute IRI, with or without <>; string: any text; integer: decimal digits;
    lang-string: ``text@tag`` or ``"text"@tag``. ValueError names the parameter."""
    try:
        return _format(param.type, raw)
    except ValueError as error:
        raise ValueError(f"parameter {param.name!r} ({param.type}): {error}") from None


def _format(kind: str, raw: str) -> str:
    if kind == "iri":
        value = raw.strip()
        if value.startswith("<") and value.endswith(">"):
            value = value[1:-1]
        if not _IRI.match(value):
            raise ValueError(f"not an absolute IRI: {raw!r}")
        return f"<{value}>"
    if kind == "string":
        return f'"{_escape(raw)}"'
    if kind == "integer":
        value = raw.strip()
        if not _INTEGER.match(value):
            raise ValueError(f"not an integer: {raw!r}")
        return str(int(value))
    if kind == "lang-string":
        quoted = _LANG_TERM.match(raw.strip())
        if quoted:
            text, tag = _unescape(quoted.group(1)), quoted.group(2)
        else:
            text, at, tag = raw.rpartition("@")
            if not at:
                raise ValueError(f"expected text@language, e.g. 禁毒@zh: {raw!r}")
        if not _LANG.match(tag):
            raise ValueError(f"not a language tag: {tag!r}")
        return f'"{_escape(text)}"@{tag.lower()}'
    raise ValueError(f"unknown parameter type {kind!r}; use one of {', '.join(PARAM_TYPES)}")


def parse_term(kind: str, term: str) -> str:
    """Check that ``term`` (a default as written in a header) is a SPARQL term of ``kind``;
    return it in canonical form."""
    term = term.strip()
    if kind == "iri":
        if not (term.startswith("<") and term.endswith(">")):
            raise ValueError(f"an iri default is written <…>: {term!r}")
        return _format("iri", term)
    if kind == "string":
        match = _STRING_TERM.match(term)
        if not match:
            raise ValueError(f'a string default is written "…": {term!r}')
        return _format("string", _unescape(match.group(1)))
    if kind == "lang-string":
        if not _LANG_TERM.match(term):
            raise ValueError(f'a lang-string default is written "…"@tag: {term!r}')
        return _format("lang-string", term)
    return _format(kind, term)


# --- files ----------------------------------------------------------------------------------


def _split_param(value: str) -> tuple[str, str, str, str]:
    """``name type default description`` (the default may contain spaces inside quotes)."""
    match = re.match(rf"^(\S+)\s+(\S+)\s+({_TERM_PATTERN})(?:\s+(.*))?$", value)
    if not match:
        raise ValueError(f"expected 'param: name type default description', got {value!r}")
    return match.group(1), match.group(2), match.group(3), match.group(4) or ""


def parse_query(name: str, text: str, path: Path | None = None) -> NamedQuery:
    """Parse one library file; ValueError (with the file and line) if the header is wrong."""
    where = str(path or name)
    header: dict[str, str] = {}
    lines: dict[str, int] = {}
    params: list[Param] = []
    last_key = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            continue
        match = _HEADER_LINE.match(stripped)
        key = match.group("key").lower() if match else None
        if match and key in (
            "title@zh",
            "title@en",
            "summary@zh",
            "description",
            "kind",
            "severity",
            "param",
            "materialise",
        ):
            value = match.group("value")
            last_key = key
            if key == "param":
                try:
                    p_name, p_type, p_default, p_description = _split_param(value)
                    if not _NAME.match(p_name):
                        raise ValueError(f"bad parameter name {p_name!r}")
                    if p_type not in PARAM_TYPES:
                        raise ValueError(f"type must be one of {', '.join(PARAM_TYPES)}")
                    default = parse_term(p_type, p_default)
                except ValueError as error:
                    raise ValueError(f"{where}:{number}: {error}") from None
                params.append(Param(p_name, p_type, default, p_description))
            elif key in header:
                raise ValueError(f"{where}:{number}: {key} given twice")
            else:
                header[key] = value
                lines[key] = number
        elif last_key == "description" and stripped.lstrip("#").strip():
            header["description"] += " " + stripped.lstrip("#").strip()
        elif stripped.lstrip("#").strip():
            raise ValueError(f"{where}:{number}: not a header line: {stripped!r}")
    for key in ("title@zh", "title@en", "description", "kind"):
        if not header.get(key):
            raise ValueError(f"{where}: the header has no {key}")
    kind = header["kind"]
    if kind not in KINDS:
        raise ValueError(f"{where}: kind must be one of {', '.join(KINDS)}")
    severity = header.get("severity")
    if kind == "check" and severity not in SEVERITIES:
        raise ValueError(f"{where}: a check needs severity: {' | '.join(SEVERITIES)}")
    if kind == "question" and severity is not None:
        raise ValueError(f"{where}: only checks have a severity")
    spans = {param.name: _values_span(where, text, param) for param in params}
    if len(spans) != len(params):
        raise ValueError(f"{where}: a parameter is declared twice")
    materialise = _materialise(f"{where}:{lines.get('materialise')}", header, params, text)
    return NamedQuery(
        name=name,
        title_zh=header["title@zh"],
        title_en=header["title@en"],
        description=header["description"],
        kind=kind,
        severity=severity,
        params=tuple(params),
        text=text,
        path=path,
        summary_zh=header.get("summary@zh", ""),
        materialise=materialise,
        _spans=spans,
    )


def query_form(text: str) -> str | None:
    """SELECT, CONSTRUCT, DESCRIBE or ASK: the query's first form keyword outside comments,
    strings and IRIs (None if there is none).

    >>> query_form('PREFIX s: <http://e/ASK#> # CONSTRUCT\\nSELECT ?s { ?s ?p "ASK" }')
    'SELECT'
    """
    plain = re.sub(r'#[^\n\r]*|<[^<>\s]*>|"(?:[^"\\\n\r]|\\.)*"', " ", text)
    found = re.search(r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", plain, re.IGNORECASE)
    return found.group(1).upper() if found else None


def _materialise(where: str, header: Mapping[str, str], params: list[Param], text: str) -> bool:
    """The ``materialise`` header as a bool; ValueError (``where`` is the file and line)
    for a value other than yes/no, and for a query whose answer cannot be stored once and
    read by page: one with parameters (its answer depends on them), one that is not a
    SELECT (no table), one that cannot be paged (no total order)."""
    value = header.get("materialise")
    if value is None or value.lower() == "no":
        return False
    if value.lower() != "yes":
        raise ValueError(f"{where}: materialise must be yes or no, got {value!r}")
    if params:
        names = ", ".join(param.name for param in params)
        raise ValueError(
            f"{where}: a query with parameters ({names}) cannot be materialised: "
            "its answer depends on them"
        )
    form = query_form(text)
    if form != "SELECT":
        raise ValueError(f"{where}: only a SELECT can be materialised (this is {form})")
    refused = refusal(text)
    if refused is not None:
        raise ValueError(f"{where}: cannot be materialised: {refused.en}")
    return True


def _values_span(where: str, text: str, param: Param) -> tuple[int, int]:
    """Where the default term of ``VALUES ?name { term }`` is; it must occur exactly once and
    equal the header's default."""
    pattern = re.compile(
        rf"VALUES\s+\?{re.escape(param.name)}\s*\{{\s*({_TERM_PATTERN})\s*\}}", re.IGNORECASE
    )
    found = list(pattern.finditer(text))
    if len(found) != 1:
        raise ValueError(
            f"{where}: parameter {param.name!r} needs exactly one "
            f"'VALUES ?{param.name} {{ {param.default} }}' in the query (found {len(found)})"
        )
    term = found[0].group(1)
    try:
        canonical = parse_term(param.type, term)
    except ValueError as error:
        raise ValueError(f"{where}: VALUES ?{param.name}: {error}") from None
    if canonical != param.default:
        raise ValueError(
            f"{where}: VALUES ?{param.name} has {term}, the header's default is {param.default}"
        )
    return found[0].span(1)


def load_query(path: Path) -> NamedQuery:
    """Read one .rq file of the library."""
    return parse_query(path.stem, path.read_text(encoding="utf-8"), path)


INSTALLED = Path(__file__).resolve().parent
"""The queries installed with the package (``cdkg.queries``): what a home without a queries/
folder of its own reads."""


def load_library(folder: Path, errors: list[str] | None = None) -> dict[str, NamedQuery]:
    """Every ``*.rq`` of ``folder`` by name (the file stem), sorted by name; the installed
    package's queries (:data:`INSTALLED`) when ``folder`` does not exist, so that a
    ``--home`` with a build but no queries/ of its own still lists and runs them.

    The one loader of the library, for every door: ``cdkg query`` and ``cdkg check`` want the
    first bad file as an error (ValueError, or OSError for an unreadable one); the web pages
    pass ``errors``, and then each bad file is left out and described there
    (``"<file>: <why>"``), so one broken file does not take the other queries down.
    """
    library: dict[str, NamedQuery] = {}
    if not Path(folder).is_dir():
        folder = INSTALLED
    for path in sorted(Path(folder).glob("*.rq")):
        try:
            library[path.stem] = load_query(path)
        except (ValueError, OSError) as error:
            if errors is None:
                raise
            errors.append(f"{path.name}: {error}")
    return library
