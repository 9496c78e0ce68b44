"""SHACL validation, two engines with one contract: ``reference`` runs pySHACL (small builds,
and the yardstick; it also holds the findings' types), ``shacl`` compiles ontology/shapes.ttl
into SPARQL queries on the build store (national scale)."""
