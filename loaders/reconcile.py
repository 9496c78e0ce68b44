"""Reconciliation: declared counts and unbroken numbering are checksums.

For every printed list: the count its heading declares (if any) must equal the duties parsed,
the categories that declare counts must match too, and the numbers 1..N must each be present
exactly once. A mismatch is an error unless a reviewed corrections-file entry explains it
(field ``explain`` with the list, the item number or ``count``, and the reason).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from .records import ListType, ParseResult


@dataclass
class ListReconciliation:
    """One row of the reconciliation table."""

    catalog: str
    file: str
    list_type: ListType
    heading_line: int
    declared: int | None
    parsed: int
    numbers: str  # "1–27" when unbroken, else what is wrong
    skipped: int
    errors: list[str] = field(default_factory=list)
    explained: list[str] = field(default_factory=list)
    declared_in_source: bool = False  # False: the count comes from the catalogs register

    @property
    def ok(self) -> bool:
        return not self.errors


def number_issues(numbers: Sequence[str]) -> list[tuple[str, str]]:
    """(item number, problem) for every duplicated, non-numeric or missing number of 1..max."""
    counts = Counter(numbers)
    issues = [(n, "duplicate item number") for n, c in counts.items() if c > 1]
    issues += [(n, "non-numeric item number") for n in counts if not n.isdigit()]
    values = {int(n) for n in counts if n.isdigit()}
    if values:
        issues += [
            (str(n), "missing item number") for n in sorted(set(range(1, max(values) + 1)) - values)
        ]
    return issues


def reconcile(
    catalog: str,
    result: ParseResult,
    explanations: dict[tuple[str, str], str],
    expected: dict[str, int] | None = None,
) -> list[ListReconciliation]:
    """One reconciliation row per list of a catalog.

    ``explanations`` maps (list code, item number or "count") to a reviewed reason; an
    explained mismatch is reported as explained instead of failing the build. ``expected``
    (from the catalogs register) supplies the count for lists whose heading declares none,
    and every expected list must have been found.
    """
    expected = expected or {}
    rows: list[ListReconciliation] = []
    seen: set[ListType] = set()
    for section in result.sections:
        if section.list_type in seen:
            continue
        seen.add(section.list_type)
        code = section.list_type.code
        duties = [d for d in result.duties if d.list_type is section.list_type]
        issues = number_issues([d.number for d in duties])
        values = [int(d.number) for d in duties if d.number.isdigit()]
        declared = section.declared if section.declared is not None else expected.get(code)
        row = ListReconciliation(
            catalog=catalog,
            file=result.file,
            list_type=section.list_type,
            heading_line=section.heading_line,
            declared=declared,
            declared_in_source=section.declared is not None,
            parsed=len(duties),
            numbers=f"1–{max(values)}" if values and not issues else "broken" if values else "—",
            skipped=0,
        )
        where = f"{result.file}:{section.heading_line}: {code}"
        checks = [(n, f"{where}: {problem} {n}") for n, problem in issues]
        if declared is not None and declared != len(duties):
            origin = "heading declares" if section.declared is not None else "register expects"
            message = f"{where}: {origin} {declared} items, {len(duties)} parsed"
            checks.append(("count", message))
        for label, declared in section.category_declared.items():
            found = sum(1 for d in duties if d.category == label)
            if found != declared:
                message = f"{where}: category {label} declares {declared} items, {found} parsed"
                checks.append(("count", message))
        for key, message in checks:
            reason = explanations.get((code, key))
            if reason:
                row.explained.append(f"{message} — explained: {reason}")
            else:
                row.errors.append(message)
        rows.append(row)
    for code, count in expected.items():
        if not any(r.list_type.code == code for r in rows):
            row = ListReconciliation(
                catalog=catalog,
                file=result.file,
                list_type=ListType(code),
                heading_line=0,
                declared=count,
                parsed=0,
                numbers="—",
                skipped=0,
                errors=[f"{result.file}: list {code} ({count} items expected) not found"],
            )
            rows.append(row)
    return rows
