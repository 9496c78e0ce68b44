"""From records to RDF: the one IRI minter (``iris``), the mapping of catalogs and registers
to named graphs (``graph``), N-Quads lines (``nquads``) and pyoxigraph terms as rdflib terms
(``terms``)."""
