"""The running app's store and settings, for route code (``app.extensions`` keys)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from .config import ServerConfig
from .store import Store

STORE_KEY = "cdkg.store"
CONFIG_KEY = "cdkg.config"


def current_store() -> Store:
    store: Store = current_app.extensions[STORE_KEY]
    return store


def current_config() -> ServerConfig:
    config: ServerConfig = current_app.extensions[CONFIG_KEY]
    return config


def extension(key: str) -> Any:
    """Another per-app object (search index, metrics, rate limiter)."""
    return current_app.extensions[key]
