"""One module per source layout; each exposes ``read(path) -> ParseResult``.

``LAYOUTS`` maps the layout names used in data/registers/catalogs.csv to the parsers, so a
catalog row says which parser reads its file.
"""

from collections.abc import Callable
from pathlib import Path

from ..records import ParseResult
from . import changzhi, chongqing, ningxia, sichuan, tianjin

LAYOUTS: dict[str, Callable[[Path], ParseResult]] = {
    "ningxia": ningxia.read,
    "chongqing": chongqing.read,
    "changzhi": changzhi.read,
    "sichuan": sichuan.read,
    "tianjin": tianjin.read,
}
