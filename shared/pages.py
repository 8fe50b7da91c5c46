"""Server-rendered HTML: a service package's Jinja2 templates, autoescaped, answered with headers
that let a page load nothing from anywhere but its own service.

Pages need no internet and no build step: templates and stylesheets ship in the packages
(``templates/`` and ``static/`` folders, package data), charts are SVG drawn on the server.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

# No script at all; styles and images from the service itself (inline SVG is part of the page).
PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
# A document that stands alone (downloaded, archived, printed): its styles are inside it.
DOCUMENT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"


@cache
def environment(package_dir: Path) -> Environment:
    """The templates of one package (its ``templates/`` folder)."""
    return Environment(
        loader=FileSystemLoader(package_dir / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,  # a misspelt name is an error in tests, not a blank on a page
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(package_dir: Path, template: str, **context: Any) -> str:
    return environment(package_dir).get_template(template).render(**context)


def page(
    html: str, *, status_code: int = 200, public: bool = True, policy: str = PAGE_POLICY, **headers: str
) -> HTMLResponse:
    """An HTML answer: UTF-8, the content policy, and no caching of what is not public (nosniff comes
    with every answer, from shared.middleware.SecurityHeaders)."""
    response = HTMLResponse(html, status_code=status_code)
    response.headers["content-security-policy"] = policy
    response.headers["referrer-policy"] = "same-origin"
    response.headers["cache-control"] = "no-cache" if public else "no-store"
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response
