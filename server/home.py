"""What the home page says about the data: catalogs, jurisdictions and duties per list type,
counted in the store being served (one small SELECT, per dataset version)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from .store import QueryOptions, Store

OVERVIEW_QUERY = """
PREFIX cd: <https://w3id.org/cdkg/ontology#>
SELECT ?class (COUNT(DISTINCT ?duty) AS ?duties) (COUNT(DISTINCT ?catalog) AS ?catalogs)
       (COUNT(DISTINCT ?place) AS ?places)
WHERE {
  VALUES ?class { cd:SelfGovernanceDuty cd:AssistanceDuty cd:SupervisionDuty
                  cd:CertificationDuty cd:CancelledDuty cd:ExcludedDuty cd:Duty }
  ?duty a ?class ; cd:inCatalog ?catalog .
  OPTIONAL { ?catalog cd:jurisdiction ?place }
}
GROUP BY ?class
"""

LIST_TYPES: tuple[tuple[str, str, str, str], ...] = (
    (
        "SelfGovernanceDuty",
        "依法履行（自治）",
        "Self-governance",
        "居民委员会依法自己承担的工作，如组织居民自治、调解纠纷。",
    ),
    (
        "AssistanceDuty",
        "依法协助",
        "Assistance",
        "政府及其部门依法交给社区协助办理的工作，清单须写明法律依据。",
    ),
    ("SupervisionDuty", "监督", "Supervision", "社区参与监督的事项。"),
    (
        "CertificationDuty",
        "出具证明",
        "Certification",
        "社区可以出具的证明。",
    ),
    ("CancelledDuty", "取消", "Cancelled", "已经取消、社区不再承担的工作。"),
    ("ExcludedDuty", "负面（不得承担）", "Excluded", "不得交给社区承担的工作。"),
)
"""(class, zh name, en name, one line in Chinese) of each list type the catalogs print."""


@dataclass
class Overview:
    duties: int = 0
    catalogs: int = 0
    jurisdictions: int = 0
    per_type: list[tuple[str, str, str, int]] = field(default_factory=list)


def overview(store: Store, timeout_s: float | None = None) -> Overview:
    """The counts of the home page."""
    rows = store.select(OVERVIEW_QUERY, QueryOptions(timeout_s=timeout_s))
    counts = {str(r["class"]).rsplit("#", 1)[-1]: r for r in rows}
    total = counts.get("Duty")
    result = Overview()
    if total is not None:
        result.duties = int(total["duties"])  # type: ignore[call-overload]
        result.catalogs = int(total["catalogs"])  # type: ignore[call-overload]
        result.jurisdictions = int(total["places"])  # type: ignore[call-overload]
    for name, zh, en, line in LIST_TYPES:
        row = counts.get(name)
        result.per_type.append((zh, en, line, int(row["duties"]) if row else 0))  # type: ignore[call-overload]
    return result


class OverviewCache:
    """The overview of the store's current version (recounted when the version changes)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: str | None = None
        self._overview = Overview()

    def get(self, store: Store, timeout_s: float | None = None) -> Overview:
        with self._lock:
            if self._version != store.version:
                self._overview = overview(store, timeout_s)
                self._version = store.version
            return self._overview
