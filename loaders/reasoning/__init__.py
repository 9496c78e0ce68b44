"""Reasoning, two engines with one contract: ``reference`` runs owlrl's OWL-RL closure over
the whole graph (small builds, and the yardstick), ``rules`` compiles the ontology's closure
into rules applied while the catalogs stream past (national scale)."""
