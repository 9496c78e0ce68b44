"""Headers every response carries: a Content-Security-Policy and ``nosniff``.

The policy lets a page use only this site's own scripts, style sheets, images and fonts
(``data:`` images and fonts too: YASGUI's icons), talk only to this site, submit forms only
here and be framed by nobody. No ``'unsafe-inline'``: the pages' style and script are files
under server/static/, so markup that got into a page from the data could not run or restyle
it. ``X-Content-Type-Options: nosniff`` stops a browser from guessing a type other than the
one sent (an N-Triples literal rendered as HTML, a CSV run as script).

The policy is sent with every answer, not only HTML: an answer opened in a browser tab (an
RDF/XML or SVG file, an error page) gets the same limits.

>>> from flask import Response
>>> headers = secure(Response("<p>hi</p>", content_type="text/html")).headers
>>> headers["X-Content-Type-Options"], "'unsafe-inline'" in headers["Content-Security-Policy"]
('nosniff', False)
"""

from __future__ import annotations

from flask import Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


def with_style_hashes(hashes: tuple[str, ...]) -> str:
    """The site's policy, also allowing the ``<style>`` elements whose text has one of
    ``hashes`` (``sha256-…``): exact texts a library injects, never any inline style.

    >>> "style-src 'self' 'sha256-abc='" in with_style_hashes(("sha256-abc=",))
    True
    """
    allowed = " ".join(f"'{h}'" for h in hashes)
    return CONTENT_SECURITY_POLICY.replace("style-src 'self'", f"style-src 'self' {allowed}")


def secure(response: Response) -> Response:
    """``response`` with ``nosniff`` and the site's Content-Security-Policy (unless the route
    set a stricter or extended one of its own: the query page, :func:`with_style_hashes`)."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
