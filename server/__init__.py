"""The SPARQL endpoint and linked-data site (Flask). Never imports cdkg.loaders."""
