"""The jurisdiction an imported catalog belongs to, from a code or a Chinese name: the
jurisdiction register first (its reviewed rows), then the GB/T 2260 table of
:mod:`cdkg.loaders.normalise.divisions` (every province, prefecture and county)."""

from __future__ import annotations

from collections.abc import Mapping

from ..normalise.divisions import division_table
from ..registers import Jurisdiction, division_jurisdiction


class UnknownJurisdiction(ValueError):
    """The code or name matches no jurisdiction, or a name matches several."""


def resolve_jurisdiction(given: str, register: Mapping[str, Jurisdiction]) -> Jurisdiction:
    """The jurisdiction ``given`` names (a six-digit code or a Chinese name).

    >>> from pathlib import Path
    >>> from cdkg.loaders.registers import load_jurisdictions
    >>> register = load_jurisdictions(Path("data/registers/jurisdictions.csv"))
    >>> [(j.code, j.name_zh, j.part_of) for j in (resolve_jurisdiction("贵州省", register),
    ...     resolve_jurisdiction("510104", register))]
    [('520000', '贵州省', '100000'), ('510104', '锦江区', '510100')]
    """
    text = given.strip()
    table = division_table()
    if text.isdigit():
        found = next((j for j in register.values() if j.code == text), None)
        if found is not None:
            return found
        division = table.get(text)
        if division is None:
            raise UnknownJurisdiction(
                f"--jurisdiction {text}: no such code in data/registers/jurisdictions.csv or "
                "the GB/T 2260 table"
            )
        return division_jurisdiction(division)
    named = [j for j in register.values() if j.name_zh == text and j.code]
    if len(named) == 1:
        return named[0]
    divisions = table.named(text)
    if len(divisions) == 1:
        return division_jurisdiction(divisions[0])
    if not divisions:
        raise UnknownJurisdiction(
            f"--jurisdiction {text}: no jurisdiction of that name (give its six-digit GB/T 2260 "
            "code, e.g. 510104 for 锦江区)"
        )
    choices = ", ".join(
        f"{d.code} ({table.get(d.parent).name if table.get(d.parent) else d.parent})"  # type: ignore[union-attr]
        for d in divisions
    )
    raise UnknownJurisdiction(f"--jurisdiction {text}: several have that name: {choices}")


def place_names(register: Mapping[str, Jurisdiction]) -> list[str]:
    """Every jurisdiction name the register and the table know (for finding the place in
    the document's title when --jurisdiction is not given)."""
    return sorted({j.name_zh for j in register.values() if j.code} | division_table().names())
