"""Loaders: one parser per source layout, shared normalisers, and the build pipeline.

Stages (DESIGN.md): data/raw/* → ``read_<source>(path)`` (records) → normalisers (citations,
departments, categories, topics) → rdflib graphs → reasoning → validation → dataset on disk.
"""
