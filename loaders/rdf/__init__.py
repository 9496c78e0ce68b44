"""From records to RDF: the one IRI minter (``iris``), the mapping of catalogs and registers
to named graphs (``graph``) and N-Quads lines (``nquads``)."""
