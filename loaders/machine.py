"""How many processes or threads to start on this machine: one function for every pool.

The store build's graph writers (``cdkg.loaders.scalable``), its compiled SHACL checks
(``cdkg.loaders.validation.shacl``) and the endpoint's query workers (``cdkg.server.config``)
each take one per CPU within their own bounds.
"""

from __future__ import annotations

import os


def default_workers(at_least: int = 1, at_most: int = 4) -> int:
    """One worker per CPU, at least ``at_least`` and at most ``at_most``.

    Four at most by default: measured on 2 CPUs the build's writers were faster than one
    process although the store's loader shares the CPUs, and each query worker holds its own
    store, so more than four costs memory for little gain.

    >>> 1 <= default_workers() <= 4
    True
    >>> default_workers(at_least=2, at_most=2)
    2
    """
    return min(at_most, max(at_least, os.cpu_count() or at_least))
