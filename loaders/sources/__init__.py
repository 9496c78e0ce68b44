"""One module per source layout; each exposes ``read(path) -> ParseResult``."""
