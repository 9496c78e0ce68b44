"""SHACL validation, two engines with one contract: ``reference`` runs pySHACL (small builds,
and the yardstick), ``shacl`` compiles ontology/shapes.ttl into SPARQL queries on the build
store (national scale); ``findings`` holds the results' types both return and the build
publishes."""
