"""What every HTML page of the site shares: the sections of the site header and the answer.

Pages are Jinja templates extending ``templates/base.html`` (no HTML in Python strings); this
module gives them the header's sections (:data:`SITE_SECTIONS`, Chinese first, English beside
it), wraps a rendered page in a response and makes its links (:func:`page_linker`).
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, render_template, request

from cdkg.server.reports.links import Linker

from .context import current_config

SITE_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("ui.index", "查询", "Query"),
    ("reports.queries", "问题", "Questions"),
    ("reports.report", "检查报告", "Report"),
    ("search.search", "搜索", "Search"),
    ("dataset.downloads_index", "下载", "Downloads"),
    ("linked_data.ontology", "本体", "Ontology"),
)
"""The site header's links: (Flask endpoint, zh, en)."""


def site_context() -> dict[str, Any]:
    """Template variables of every page (installed by the ui blueprint)."""
    return {"site_sections": SITE_SECTIONS}


def html_page(template: str, status: int = 200, **values: Any) -> Response:
    """``template`` rendered as a ``text/html`` answer in Chinese."""
    response = Response(
        render_template(template, **values), status=status, content_type="text/html; charset=utf-8"
    )
    response.headers["Content-Language"] = "zh"
    return response


def page_linker() -> Linker:
    """Links of this request's page for IRIs of the data: instance IRIs to this server's /id/
    pages and ontology terms to /ontology when it serves them (under its script root), other
    IRIs only when they are http(s) — cdkg.server.reports.links."""
    base, root = current_config().base, request.script_root
    if "linked_data" in current_app.blueprints:
        return Linker(base, f"{root}/id/", f"{root}/ontology")
    return Linker(base)
