"""Where the project's files live.

The project runs from its checkout (``pip install -e .``): data/, queries/ and the build output
sit beside the installed packages. ``CDKG_HOME`` points elsewhere (tests use it to build into a
temporary directory without touching the checkout's build/).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent

DATASET_FILE = "dataset.nq"
"""The published dataset, N-Quads, in each build folder (``build/current/dataset.nq``)."""
STORE_FOLDER = "store"
"""The persistent pyoxigraph store beside the dataset file in a published build folder."""
VERSION_FILE = "cdkg-version.txt"
"""Inside a store folder: the dataset version that store holds."""
BUILD_REPORT = "report.json"
"""The build report, machine-readable, beside the dataset (``cdkg check`` and /report read its
SHACL findings; ``cdkg laws`` its provisional references)."""


@dataclass(frozen=True)
class ProjectPaths:
    """The project's folders; ``root`` holds data/, queries/ and ontology/."""

    root: Path
    build: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def raw(self) -> Path:
        return self.data / "raw"

    @property
    def registers(self) -> Path:
        return self.data / "registers"

    @property
    def corrections(self) -> Path:
        return self.data / "corrections"

    @property
    def queries(self) -> Path:
        return self.root / "queries"

    @property
    def ontology(self) -> Path:
        return self.root / "ontology"

    @property
    def current(self) -> Path:
        """The built dataset currently in use (a symlink swapped atomically by each build)."""
        return self.build / "current"

    @property
    def dataset(self) -> Path:
        """The dataset file of the build in use."""
        return self.current / DATASET_FILE


def project_paths(root: Path | None = None, build: Path | None = None) -> ProjectPaths:
    """Resolve the project folders from arguments, then ``CDKG_HOME``/``CDKG_BUILD``, then the
    checkout this package was installed from."""
    root = root or Path(os.environ.get("CDKG_HOME", _CHECKOUT))
    build = build or Path(os.environ.get("CDKG_BUILD", root / "build"))
    if not (root / "ontology" / "cdkg.ttl").exists() and not (root / "data").exists():
        raise FileNotFoundError(
            f"{root} is not a cdkg project folder (no data/ or ontology/cdkg.ttl); "
            "set CDKG_HOME to the checkout"
        )
    return ProjectPaths(root=root.resolve(), build=build.resolve())
