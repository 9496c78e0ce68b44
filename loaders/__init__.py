"""Loaders: one parser per source layout, shared normalisers, and the build pipeline.

Stages (DESIGN.md), one folder each: data/raw/* → ``sources/`` (``read_<source>(path)``:
records; ``imports/`` turns published catalogs into templates) → ``normalise/`` (citations,
departments, topics, corrections…; ``laws/`` for the law register and texts) → ``rdf/``
(IRIs, graphs, N-Quads) → ``reasoning/`` → ``validation/`` → ``publish.py`` (dataset on disk,
named in ``layout.py``). ``build.py`` wires the stages; ``report.py`` is what it prints.
"""
