"""The column labels of the named queries' results, for people: ``columns.csv`` beside the
.rq files gives each SPARQL variable a Chinese and an English label (one table for every
query: a variable means the same in each), so that pages never show a variable name.

A column ``x`` and a column ``xLabel`` in one result are one column to a person: the IRI in
``x`` shown by the text of ``xLabel`` (:func:`label_columns`).

>>> COLUMN_LABELS["jurisdiction"]
('地区', 'jurisdiction')
>>> column_label("someNewVariable")
('someNewVariable', '')
>>> label_columns(["duty", "label", "jurisdiction", "jurisdictionLabel", "number"])
{'jurisdiction': 'jurisdictionLabel'}
>>> label_columns(["listType", "listLabel"])
{'listType': 'listLabel'}

``values.csv`` does the same for the coded values the data carries as plain literals (a
jurisdiction's ``cd:level "provincial"``, a document's ``cd:status "in_force"``, booleans):

>>> value_label("in_force")
('有效', 'in force')
>>> value_label("重庆市") is None
True
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

COLUMNS_FILE = Path(__file__).with_name("columns.csv")
VALUES_FILE = Path(__file__).with_name("values.csv")


def read_labels(path: Path, key: str) -> dict[str, tuple[str, str]]:
    """``key column → (zh, en)`` from ``path``; ValueError naming the row of a bad line."""
    labels: dict[str, tuple[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            name, zh, en = (row.get(column, "") or "" for column in (key, "zh", "en"))
            if not name or not zh or name in labels:
                raise ValueError(f"{path}:{number}: need a new {key} and a zh label")
            labels[name] = (zh, en)
    return labels


COLUMN_LABELS = read_labels(COLUMNS_FILE, "variable")
VALUE_LABELS = read_labels(VALUES_FILE, "value")


def value_label(code: str) -> tuple[str, str] | None:
    """(zh, en) of a coded value; None for any other text."""
    return VALUE_LABELS.get(code)


def column_label(name: str) -> tuple[str, str]:
    """(zh, en) of a result column; a variable not in the table keeps its name."""
    return COLUMN_LABELS.get(name, (name, ""))


def label_columns(names: Sequence[str]) -> dict[str, str]:
    """The columns shown by another column's text: ``x`` → ``xLabel`` when both are in
    ``names`` (and ``xType`` → ``xLabel``, as the queries' ``?listType ?listLabel``)."""
    present = set(names)
    folded = {}
    for name in names:
        for label in (f"{name}Label", f"{name.removesuffix('Type')}Label"):
            if label in present and label != name:
                folded[name] = label
                break
    return folded
