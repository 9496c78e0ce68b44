"""The cdkg ontology: the Turtle files (cdkg.ttl, shapes.ttl) and the namespace module.

Loaders and the server import terms from :mod:`cdkg.ontology.namespace` only, never spell IRIs
by hand, so that a misspelt term fails at import time instead of minting a new IRI.
"""

from importlib import resources
from pathlib import Path


def ontology_path() -> Path:
    """Path of ontology/cdkg.ttl (the OWL ontology in Turtle)."""
    return Path(str(resources.files(__package__).joinpath("cdkg.ttl")))


def shapes_path() -> Path:
    """Path of ontology/shapes.ttl (the SHACL shapes)."""
    return Path(str(resources.files(__package__).joinpath("shapes.ttl")))
