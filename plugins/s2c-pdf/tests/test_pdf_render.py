"""PDF documents: text, wording per language, amounts per locale, the EPC QR code scanned back."""

from __future__ import annotations

import io
from datetime import date
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
from pdf_support import (
    OGM,
    SELLER,
    customer,
    eur,
    make_invoice,
    overdue_invoices,
    page_image,
    pdf_text,
    unapplied_payment,
)
from s2c_pdf import PdfRenderer, epc_payload, render_html, render_pdf

from s2c_core.entities import Line
from s2c_core.entities.common import ProductId, VatCategory
from s2c_core.entities.receivables import DocumentKind
from s2c_core.errors import ValidationError
from s2c_core.money import Money
from s2c_core.plugins import document_renderers, make_plugin_manager
from s2c_core.ports import DocumentRenderer

pypdf = pytest.importorskip("pypdf", reason="pypdf extracts the PDF text (test extra)")

AS_OF = date(2026, 3, 10)
INVOICE_QR = "\n".join(
    [
        "BCD",
        "002",
        "1",
        "SCT",
        "GKCCBEBB",
        "Brouwerij De Kroon BV",
        "BE71096123456769",
        "EUR715.95",
        "",
        "090933755493",
        "",
        "Factuur 2026-000123",
    ]
)


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    """Each document rendered once for the whole module (WeasyPrint takes about 1 s each)."""
    invoice = make_invoice()
    credit = make_invoice(
        kind=DocumentKind.CREDIT_NOTE, number="2026-CN-007", lines=invoice.lines[:1], allowances=()
    )
    docs = {
        f"invoice-{lang}": render_pdf(
            "invoice", invoice=invoice, customer=customer(lang), seller=SELLER
        )
        for lang in ("nl", "fr", "en")
    }
    docs["credit_note-fr"] = render_pdf(
        "credit_note",
        invoice=credit,
        credited_invoice=invoice,
        customer=customer("fr"),
        seller=SELLER,
    )
    docs["reminder-en"] = render_pdf(
        "payment_reminder",
        invoices=overdue_invoices(),
        as_of=AS_OF,
        level=2,
        fee=eur("15.00"),
        interest=eur("4.12"),
        pay_by=date(2026, 3, 24),
        customer=customer("en"),
        seller=SELLER,
    )
    docs["statement-nl"] = render_pdf(
        "statement",
        invoices=[*overdue_invoices(), credit],
        payments=[unapplied_payment()],
        as_of=AS_OF,
        customer=customer("nl"),
        seller=SELLER,
    )
    return docs


def decode_qr(pdf: bytes) -> list[str]:
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp decodes the QR (test extra)")
    image = page_image(pdf)
    if image is None:
        pytest.skip("no PDF page renderer: install poppler-utils (pdftoppm) or pypdfium2")
    return [
        r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode
    ]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "nl",
            [
                "Factuur 2026-000123",
                "Vervaldatum",
                "1 april 2026",
                "€ 715,95",
                "Btw",
                "gestructureerde mededeling",
            ],
        ),
        (
            "fr",
            [
                "Facture 2026-000123",
                "Échéance",
                "1 avril 2026",
                "715,95 €",
                "TVA",
                "communication structurée",
            ],
        ),
        (
            "en",
            [
                "Invoice 2026-000123",
                "Due date",
                "1 April 2026",
                "€715.95",
                "VAT",
                "structured reference",
            ],
        ),
    ],
)
def test_invoice_is_worded_and_formatted_in_the_customers_language(
    pdfs: dict[str, bytes], lang: str, words: list[str]
) -> None:
    text = pdf_text(pdfs[f"invoice-{lang}"])
    for word in words:
        assert word in text, (word, text)
    for fact in (
        "+++090/9337/55493+++",
        "BE71 0961 2345 6769",
        customer(lang).name,
        "BE0403019261",
        "Brouwerij De Kroon BV",
        "0123.456.749",
        "Pils keg 50 l",
    ):
        assert fact in text


def test_invoice_shows_lines_vat_breakdown_and_totals_from_the_core(pdfs: dict[str, bytes]) -> None:
    invoice = make_invoice()
    totals = invoice.totals
    text = pdf_text(pdfs["invoice-en"])
    assert "€350.97" in text  # 3 x 129.99 less 10 %
    for amount in ("€561.47", "€117.91", "€34.50", "€2.07"):  # 21 % and 6 %: taxable, VAT
        assert amount in text
    assert f"€{totals.tax_total.amount}" in text
    assert "Loyalty discount" in text
    assert "2.5" in text  # fractional quantity in the English locale


def test_invoice_carries_an_epc_qr_code_with_amount_and_structured_reference(
    pdfs: dict[str, bytes],
) -> None:
    assert decode_qr(pdfs["invoice-nl"]) == [INVOICE_QR]


def test_pdf_is_a4_with_title_and_author(pdfs: dict[str, bytes]) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdfs["invoice-fr"]))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert reader.metadata is not None
    assert reader.metadata.title == "Facture 2026-000123"
    assert reader.metadata.author == "Brouwerij De Kroon BV"


def test_credit_note_references_the_invoice_and_asks_no_payment(pdfs: dict[str, bytes]) -> None:
    text = pdf_text(pdfs["credit_note-fr"])
    assert "Note de crédit 2026-CN-007" in text
    assert "2026-000123 (2 mars 2026)" in text
    assert "Total crédité" in text
    assert "Scannez" not in text
    assert decode_qr(pdfs["credit_note-fr"]) == []


def test_reminder_lists_overdue_invoices_with_fee_interest_and_a_qr_for_the_total(
    pdfs: dict[str, bytes],
) -> None:
    text = pdf_text(pdfs["reminder-en"])
    assert "Second reminder" in text
    for fact in (
        "2026-000101",
        "2026-000117",
        "34",
        "19",
        "€515.95",
        "Reminder fee",
        "€15.00",
        "Late-payment interest",
        "€4.12",
        "€1,251.02",
        "24 March 2026",
    ):
        assert fact in text
    (payload,) = decode_qr(pdfs["reminder-en"])
    lines = payload.split("\n")
    assert lines[7] == "EUR1251.02"
    assert lines[9] == ""  # two invoices: no single structured reference
    assert lines[10] == "Invoice 2026-000101, 2026-000117"


def test_statement_nets_invoices_credit_notes_and_unapplied_payments(
    pdfs: dict[str, bytes],
) -> None:
    text = pdf_text(pdfs["statement-nl"])
    assert "Rekeningoverzicht" in text
    assert "Niet-toegewezen betaling" in text
    assert "Creditnota 2026-CN-007" in text
    # 715.95 + 515.95 - 424.67 (credit note) - 50.00 (unapplied) = 757.23
    assert "€ 757,23" in text
    (payload,) = decode_qr(pdfs["statement-nl"])
    assert payload.split("\n")[7] == "EUR757.23"


def test_page_renders_to_an_image_for_visual_checks(pdfs: dict[str, bytes], tmp_path: Path) -> None:
    image = page_image(pdfs["invoice-nl"], dpi=60)
    if image is None:
        pytest.skip("no PDF page renderer: install poppler-utils (pdftoppm) or pypdfium2")
    assert image.size[0] < image.size[1]  # portrait
    image.save(tmp_path / "invoice.png")


# -- fast checks on the HTML and the payload ---------------------------------------------------


def test_non_euro_invoice_has_payment_text_but_no_qr() -> None:
    jpy = make_invoice(
        currency="JPY",
        allowances=(),
        lines=[Line(ProductId("tea"), "Matcha", 3, Money("1250", "JPY"))],
    )
    html = render_html("invoice", invoice=jpy, customer=customer("en"), seller=SELLER)
    assert "JP¥4,538" in html  # 3 750 + 21 % = 4 537.5 -> 4 538 (VAT rounded half up)
    assert "data:image/svg+xml" not in html
    assert "Please transfer" in html


def test_customer_text_is_escaped() -> None:
    evil = make_invoice(lines=[Line(ProductId("x"), "<script>alert(1)</script>", 1, eur("1.00"))])
    html = render_html("invoice", invoice=evil, customer=customer("en"), seller=SELLER)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_reverse_charge_invoice_states_it_and_shows_the_exemption_reason() -> None:
    rc = make_invoice(
        allowances=(),
        lines=[
            Line(
                ProductId("svc"),
                "Consulting",
                10,
                eur("95.00"),
                vat_category=VatCategory.REVERSE_CHARGE,
                vat_rate=0,
                exemption_reason="Art. 51 §2 WBTW",
            )
        ],
    )
    html = render_html("invoice", invoice=rc, customer=customer("nl"), seller=SELLER)
    assert "Btw verlegd" in html
    assert "Art. 51 §2 WBTW" in html
    assert "0\xa0% (AE)" in html


def test_templates_css_and_wording_can_be_replaced(tmp_path: Path) -> None:
    (tmp_path / "invoice.html").write_text(
        '{% extends "base.html" %}{% block body %}<p class="custom">{{ t("thanks") }}</p>'
        "{% endblock %}"
    )
    renderer = PdfRenderer(
        template_dirs=[tmp_path],
        stylesheets=["h1 { color: #b00; }"],
        translations={"en": {"invoice": "Tax invoice", "thanks": "Thank you!"}},
        accent="#0a7d32",
    )
    data = {"invoice": make_invoice(), "customer": customer("en"), "seller": SELLER}
    html = renderer.html("invoice", data)
    assert "Tax invoice 2026-000123" in html
    assert '<p class="custom">Thank you!</p>' in html


def test_language_falls_back_to_english_and_refuses_unknown_requests() -> None:
    german = make_invoice()
    data = {"invoice": german, "customer": customer("de"), "seller": SELLER}
    assert "Invoice 2026-000123" in PdfRenderer().html("invoice", data)
    with pytest.raises(ValidationError):
        render_html(
            "invoice", invoice=german, customer=customer("nl"), seller=SELLER, language="es"
        )


def test_wrong_document_or_data_is_refused() -> None:
    renderer = PdfRenderer()
    data: dict[str, Any] = {"invoice": make_invoice(), "customer": customer(), "seller": SELLER}
    with pytest.raises(ValidationError):
        renderer.html("order", data)
    with pytest.raises(ValidationError):
        renderer.html("credit_note", data)
    with pytest.raises(ValidationError):
        renderer.html("invoice", {**data, "seller": "x"})
    with pytest.raises(ValidationError):
        renderer.html("payment_reminder", {**data, "invoices": [], "as_of": AS_OF})
    with pytest.raises(ValidationError):
        renderer.html("statement", {**data, "invoices": overdue_invoices()})  # no as_of


def test_the_plugin_offers_the_pdf_renderer_through_the_entry_point() -> None:
    # Load this plugin's own entry point (other installed plugins are not this test's concern).
    (entry,) = entry_points(group="s2c_core", name="pdf")
    pm = make_plugin_manager(plugins=[entry.load()], load_entry_points=False)
    renderer = document_renderers(pm)["pdf"]
    assert isinstance(renderer, DocumentRenderer)
    assert renderer.media_type == "application/pdf"


def test_epc_payload_follows_epc069_12() -> None:
    payload = epc_payload(
        name="Brouwerij De Kroon BV",
        iban="BE71 0961 2345 6769",
        amount=eur("715.95"),
        bic="gkccbebb",
        reference=OGM,
        information="Factuur 2026-000123",
    )
    assert payload == INVOICE_QR
    rf = epc_payload(
        name="X", iban="BE71096123456769", amount=eur("10.00"), reference="RF18 5390 0754 7034"
    )
    assert rf.split("\n")[7:] == ["EUR10", "", "RF18539007547034"]
    text = epc_payload(name="X", iban="BE71096123456769", amount=eur("0.01"), text="Order 5")
    assert text.split("\n")[9:] == ["", "Order 5"]
    longest = epc_payload(
        name="N" * 70,
        iban="BE71096123456769",
        amount=eur("999999999.99"),
        text="T" * 140,
        information="I" * 40,
    )
    assert len(longest.encode()) <= 331
    with pytest.raises(ValidationError, match="331 bytes"):
        epc_payload(
            name="N" * 70,
            iban="BE71096123456769",
            amount=eur("999999999.99"),
            bic="GKCCBEBBXXX",
            text="T" * 140,
            information="I" * 70,
        )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"amount": Money("10.00", "USD")},
        {"amount": eur("0.00")},
        {"amount": eur("1000000000.00")},
        {"name": "N" * 71},
        {"iban": "BE00 0000 0000 0000"},
        {"text": "T" * 141},
    ],
)
def test_epc_payload_refuses_what_the_guidelines_forbid(kwargs: dict[str, Any]) -> None:
    args: dict[str, Any] = {"name": "X", "iban": "BE71096123456769", "amount": eur("1.00")}
    with pytest.raises(ValidationError):
        epc_payload(**{**args, **kwargs})
