"""Quote preview and purchase order PDFs (F11), rendered from Jinja templates by WeasyPrint."""

from __future__ import annotations

from flask import render_template

from carflow.models import AccountSettings, Offer

DOCUMENT_TEMPLATES = {
    "quote": "pdf/quote.html",
    "purchase_order": "pdf/purchase_order.html",
}


def render_offer_html(offer: Offer, kind: str) -> str:
    """The document as HTML (user text is escaped by Jinja's autoescape)."""
    return render_template(
        DOCUMENT_TEMPLATES[kind],
        offer=offer,
        lead=offer.lead,
        contact=offer.lead.contact,
        branch=offer.lead.branch,
        settings=AccountSettings.get(),
    )


def render_offer_pdf(offer: Offer, kind: str) -> bytes:
    """The quote preview (`kind="quote"`) or purchase order (`"purchase_order"`) as PDF bytes."""
    if kind not in DOCUMENT_TEMPLATES:
        raise ValueError(f"unknown offer document {kind!r}")
    return html_to_pdf(render_offer_html(offer, kind))


def html_to_pdf(html: str) -> bytes:
    """PDF bytes of an HTML document. No base_url: it loads nothing from the network or
    the disk. WeasyPrint is imported here, at the first document (it takes about 0.6 s to
    import): a web process, a worker or a CLI command that renders no PDF never loads it."""
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def offer_pdf_filename(offer: Offer, kind: str) -> str:
    """e.g. 'quote-L2026-000123-7.pdf'."""
    prefix = "quote" if kind == "quote" else "purchase-order"
    return f"{prefix}-{offer.lead.code}-{offer.id}.pdf"
