"""Project settings a build reads besides its arguments: the law-texts folder.

``cdkg build --law-texts DIR`` wins; else the ``CDKG_LAW_TEXTS`` environment variable; else
``law_texts = "…"`` in ``cdkg.toml`` at the project's home (a path relative to that home, or
absolute). ``cdkg serve``, which builds first when there is no dataset yet, reads the same
settings, so both build alike. No setting: no folder, and the law-text checks report "not
checked".
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path

__all__ = ["CONFIG_FILE", "ENV_LAW_TEXTS", "SettingsError", "law_texts_folder"]

CONFIG_FILE = "cdkg.toml"
ENV_LAW_TEXTS = "CDKG_LAW_TEXTS"


class SettingsError(ValueError):
    """A setting that cannot be used; the message names where it was set."""


def _config(root: Path) -> dict[str, object]:
    path = root / CONFIG_FILE
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path}: {error}") from None


def law_texts_folder(given: str | None, environ: Mapping[str, str], root: Path) -> Path | None:
    """The law-texts folder from the option, the environment or cdkg.toml (in that order).

    Raises:
        SettingsError: naming the option, variable or file when the folder does not exist or
            the configuration file's value is not a string.

    >>> law_texts_folder(None, {}, Path("/nonexistent")) is None
    True
    """
    if given:
        source, value = "--law-texts", given
    elif environ.get(ENV_LAW_TEXTS):
        source, value = f"${ENV_LAW_TEXTS}", environ[ENV_LAW_TEXTS]
    else:
        configured = _config(root).get("law_texts")
        if configured is None:
            return None
        if not isinstance(configured, str) or not configured:
            raise SettingsError(f"{root / CONFIG_FILE}: law_texts must be a folder path string")
        source, value = str(root / CONFIG_FILE), configured
    folder = Path(value).expanduser()
    if not folder.is_absolute():
        folder = (root if source.endswith(CONFIG_FILE) else Path.cwd()) / folder
    if not folder.is_dir():
        raise SettingsError(f"{source}: law texts folder {folder} does not exist")
    return folder
