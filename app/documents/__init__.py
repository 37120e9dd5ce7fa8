"""PDF documents made with WeasyPrint: receipts (受付票) and the KPI report.

Rendering runs in jobs (RQ workers, or inline without Redis), never in a web request.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Template helpers for the pages that offer a PDF."""
    from .services import receipt_state

    app.add_template_global(receipt_state, "receipt_state")
