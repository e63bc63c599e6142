"""Rendering invoices and credit notes as Peppol BIS 3.0 UBL, checked by the official rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib.metadata import entry_points
from typing import Any

import pytest
from attrs import evolve
from lxml import etree
from peppol_support import BUYER, NL_BUYER, OGM, SELLER, eur, line, make_invoice
from s2c_peppol import CUSTOMIZATION_ID, PROFILE_ID, PeppolRenderer, render_invoice

from s2c_core.entities import Company, Line
from s2c_core.entities.common import ProductId, VatCategory
from s2c_core.entities.lines import AllowanceCharge
from s2c_core.entities.receivables import DocumentKind
from s2c_core.errors import ValidationError
from s2c_core.money import Money
from s2c_core.plugins import document_renderers, make_plugin_manager
from s2c_core.ports import DocumentRenderer

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CLEAN = {"xsd": [], "fatal": [], "warning": []}


def xpath(xml: bytes, path: str) -> list[str]:
    root = etree.fromstring(xml)
    return [str(v).strip() for v in root.xpath(path, namespaces=NS)]


def assert_valid(validator: Any, xml: bytes) -> None:
    result = validator.validate(xml)
    assert result["xsd"] == [], result
    assert result["fatal"] == [], result


def test_standard_invoice_passes_xsd_en16931_and_peppol_rules_without_warnings(
    validator: Any,
) -> None:
    invoice = make_invoice(
        allowances=(
            AllowanceCharge(eur("10.00"), "Loyalty discount"),
            AllowanceCharge(eur("15.00"), "Delivery", is_charge=True),
        )
    )
    xml = render_invoice(invoice, BUYER, SELLER)
    assert validator.validate(xml) == CLEAN
    assert xpath(xml, "/*/cbc:CustomizationID/text()") == [CUSTOMIZATION_ID]
    assert xpath(xml, "/*/cbc:ProfileID/text()") == [PROFILE_ID]


def test_totals_are_the_core_totals_unchanged() -> None:
    invoice = make_invoice()
    totals = invoice.totals
    xml = render_invoice(invoice, BUYER, SELLER)
    monetary = "/*/cac:LegalMonetaryTotal/cbc:"
    assert xpath(xml, monetary + "LineExtensionAmount/text()") == [str(totals.line_total.amount)]
    assert xpath(xml, monetary + "TaxExclusiveAmount/text()") == [str(totals.tax_exclusive.amount)]
    assert xpath(xml, monetary + "PayableAmount/text()") == [str(totals.payable.amount)]
    assert xpath(xml, "/*/cac:TaxTotal/cbc:TaxAmount/text()") == [str(totals.tax_total.amount)]
    assert xpath(xml, "//cac:TaxSubtotal/cac:TaxCategory/cbc:Percent/text()") == ["6", "21"]


def test_parties_carry_endpoint_vat_and_legal_entity_with_schemes() -> None:
    xml = render_invoice(make_invoice(), BUYER, SELLER)
    seller = "/*/cac:AccountingSupplierParty/cac:Party/"
    buyer = "/*/cac:AccountingCustomerParty/cac:Party/"
    assert xpath(xml, seller + "cbc:EndpointID/@schemeID") == ["0208"]
    assert xpath(xml, seller + "cbc:EndpointID/text()") == ["0123456749"]
    assert xpath(xml, seller + "cac:PartyTaxScheme/cbc:CompanyID/text()") == ["BE0123456749"]
    assert xpath(xml, seller + "cac:PartyLegalEntity/cbc:CompanyID/@schemeID") == ["0208"]
    assert xpath(xml, buyer + "cbc:EndpointID/text()") == ["0403019261"]
    assert xpath(xml, buyer + "cac:PostalAddress/cac:Country/cbc:IdentificationCode/text()") == [
        "BE"
    ]


def test_endpoint_falls_back_to_the_vat_number_under_its_national_scheme() -> None:
    buyer = evolve(BUYER, enterprise_number="", electronic_address="")
    xml = render_invoice(make_invoice(), buyer, SELLER)
    endpoint = "/*/cac:AccountingCustomerParty/cac:Party/cbc:EndpointID"
    assert xpath(xml, endpoint + "/@schemeID") == ["9925"]
    assert xpath(xml, endpoint + "/text()") == ["BE0403019261"]


def test_dutch_buyer_with_kvk_endpoint_is_valid(validator: Any) -> None:
    xml = render_invoice(make_invoice(customer_id=NL_BUYER.id), NL_BUYER, SELLER)
    assert_valid(validator, xml)
    assert xpath(xml, "/*/cac:AccountingCustomerParty/cac:Party/cbc:EndpointID/@schemeID") == [
        "0106"
    ]


def test_payment_means_is_sepa_transfer_to_the_iban_with_the_structured_reference() -> None:
    xml = render_invoice(make_invoice(), BUYER, SELLER)
    means = "/*/cac:PaymentMeans/"
    assert xpath(xml, means + "cbc:PaymentMeansCode/text()") == ["58"]
    assert xpath(xml, means + "cbc:PaymentID/text()") == [OGM]
    assert xpath(xml, means + "cac:PayeeFinancialAccount/cbc:ID/text()") == ["BE71096123456769"]
    assert xpath(
        xml, means + "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID/text()"
    ) == ["GKCCBEBB"]
    assert xpath(xml, "/*/cbc:DueDate/text()") == ["2026-04-01"]
    note = xpath(xml, "/*/cac:PaymentTerms/cbc:Note/text()")[0]
    assert "2026-04-01" in note
    assert OGM in note


def test_usd_invoice_uses_plain_credit_transfer_code_30(validator: Any) -> None:
    usd = [
        Line(
            ProductId("x"),
            "Export crate",
            2,
            Money("99.95", "USD"),
            vat_category=VatCategory.EXPORT,
            vat_rate=0,
        )
    ]
    xml = render_invoice(make_invoice(usd, currency="USD"), BUYER, SELLER)
    assert_valid(validator, xml)
    assert xpath(xml, "/*/cac:PaymentMeans/cbc:PaymentMeansCode/text()") == ["30"]


def test_credit_note_references_the_credited_invoice_and_passes(validator: Any) -> None:
    original = make_invoice()
    credit = make_invoice(
        [Line(ProductId("keg-50"), "Returned keg", 1, eur("129.99"))],
        kind=DocumentKind.CREDIT_NOTE,
        number="2026-CN-0007",
        credited_invoice_id=original.id,
    )
    xml = render_invoice(credit, BUYER, SELLER, credited_invoice=original)
    assert_valid(validator, xml)
    assert etree.QName(etree.fromstring(xml)).localname == "CreditNote"
    ref = "/*/cac:BillingReference/cac:InvoiceDocumentReference/"
    assert xpath(xml, ref + "cbc:ID/text()") == ["2026-000123"]
    assert xpath(xml, ref + "cbc:IssueDate/text()") == ["2026-03-02"]
    assert xpath(xml, "/*/cbc:CreditNoteTypeCode/text()") == ["381"]
    assert xpath(xml, "//cac:CreditNoteLine/cbc:CreditedQuantity/text()") == ["1"]


def test_reverse_charge_carries_vatex_code_and_zero_tax(validator: Any) -> None:
    invoice = make_invoice(
        [line(VatCategory.REVERSE_CHARGE, "0", "Autoliquidation, art. 51 §2 WBTW")]
    )
    xml = render_invoice(invoice, BUYER, SELLER)
    assert_valid(validator, xml)
    category = "//cac:TaxSubtotal/cac:TaxCategory/"
    assert xpath(xml, category + "cbc:ID/text()") == ["AE"]
    assert xpath(xml, category + "cbc:TaxExemptionReasonCode/text()") == ["VATEX-EU-AE"]
    assert xpath(xml, category + "cbc:TaxExemptionReason/text()") == [
        "Autoliquidation, art. 51 §2 WBTW"
    ]
    assert xpath(xml, "/*/cac:TaxTotal/cbc:TaxAmount/text()") == ["0.00"]


def test_intra_community_supply_has_delivery_date_and_country(validator: Any) -> None:
    invoice = make_invoice([line(VatCategory.INTRA_EU, "0")], customer_id=NL_BUYER.id)
    xml = render_invoice(invoice, NL_BUYER, SELLER, delivery_date=date(2026, 2, 27))
    assert_valid(validator, xml)
    assert xpath(xml, "/*/cac:Delivery/cbc:ActualDeliveryDate/text()") == ["2026-02-27"]
    assert xpath(
        xml,
        "/*/cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode/text()",
    ) == ["NL"]
    assert xpath(xml, "//cac:TaxSubtotal//cbc:TaxExemptionReasonCode/text()") == ["VATEX-EU-IC"]


def test_intra_community_supply_without_delivery_date_uses_the_issue_date(validator: Any) -> None:
    xml = render_invoice(make_invoice([line(VatCategory.INTRA_EU, "0")]), NL_BUYER, SELLER)
    assert_valid(validator, xml)
    assert xpath(xml, "/*/cac:Delivery/cbc:ActualDeliveryDate/text()") == ["2026-03-02"]


def test_not_subject_to_vat_omits_every_vat_number_and_rate(validator: Any) -> None:
    allowance = AllowanceCharge(
        eur("5.00"), "Goodwill", vat_category=VatCategory.OUTSIDE_SCOPE, vat_rate=0
    )
    invoice = make_invoice([line(VatCategory.OUTSIDE_SCOPE, "0")], allowances=(allowance,))
    xml = render_invoice(invoice, BUYER, SELLER)
    assert_valid(validator, xml)
    assert xpath(xml, "//cac:PartyTaxScheme") == []
    assert xpath(xml, "//cbc:Percent") == []


def test_exempt_zero_rated_and_export_lines_together_are_valid(validator: Any) -> None:
    invoice = make_invoice(
        [
            line(VatCategory.EXEMPT, "0", "Exempt, art. 44 WBTW"),
            line(VatCategory.ZERO, "0"),
            line(VatCategory.EXPORT, "0"),
            line(VatCategory.STANDARD, "21"),
        ]
    )
    assert_valid(validator, render_invoice(invoice, BUYER, SELLER))


def test_jpy_amounts_have_no_decimals_and_pass(validator: Any) -> None:
    jpy = [Line(ProductId("tea"), "Matcha", 3, Money("1250", "JPY"), discount_percent=15)]
    xml = render_invoice(make_invoice(jpy, currency="JPY"), BUYER, SELLER)
    assert_valid(validator, xml)
    assert xpath(xml, "/*/cac:LegalMonetaryTotal/cbc:PayableAmount/text()") == ["3856"]


@pytest.mark.xfail(
    strict=True,
    reason="core rounds quantity x price to the currency's minor unit (EN 16931-1 BT-131); "
    "PEPPOL-EN16931-R120 allows only 0.02 (absolute) off quantity x price, so JPY lines with "
    "a fractional quantity that does not give whole yen are refused. Reported to core.",
)
def test_jpy_fractional_quantity_conflicts_with_peppol_r120(validator: Any) -> None:
    jpy = [Line(ProductId("tea"), "Matcha", Decimal("1.5"), Money("333", "JPY"))]
    assert_valid(validator, render_invoice(make_invoice(jpy, currency="JPY"), BUYER, SELLER))


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"number": None}, "BR-02"),
        ({"issue_date": None}, "BR-03"),
        (
            {"lines": [line(VatCategory.OUTSIDE_SCOPE, "0"), line(VatCategory.STANDARD, "21")]},
            "BR-O-11",
        ),
        (
            {
                "currency": "KWD",
                "lines": [line(VatCategory.STANDARD, "21", unit_price=Money("1.000", "KWD"))],
            },
            "BR-DEC-09",
        ),
    ],
)
def test_documents_the_rules_would_reject_are_refused_naming_the_rule(
    change: dict[str, Any], rule: str
) -> None:
    with pytest.raises(ValidationError) as err:
        render_invoice(make_invoice(**change), BUYER, SELLER)
    assert err.value.facts["rule"] == rule


@pytest.mark.parametrize(
    ("category", "rate"), [(VatCategory.EXEMPT, "21"), (VatCategory.STANDARD, "0")]
)
def test_rates_that_contradict_the_category_are_refused_by_core(
    category: VatCategory, rate: str
) -> None:
    """BR-E-05 / BR-S-05: core's Line refuses them, so no document can carry them."""
    with pytest.raises(ValidationError) as err:
        line(category, rate)
    assert err.value.facts["field"] == "vat_rate"


def test_seller_without_vat_number_is_refused_for_standard_rate() -> None:
    with pytest.raises(ValidationError, match="BR-S-02"):
        render_invoice(make_invoice(), BUYER, evolve(SELLER, vat_number=""))


def test_reverse_charge_without_buyer_ids_is_refused() -> None:
    buyer = evolve(
        BUYER, vat_number="", enterprise_number="", electronic_address="0088:5790000435975"
    )
    with pytest.raises(ValidationError, match="BR-AE-02"):
        render_invoice(make_invoice([line(VatCategory.REVERSE_CHARGE, "0")]), buyer, SELLER)


def test_parties_without_any_electronic_address_are_refused() -> None:
    seller = Company(name="No Ids Ltd", vat_number="")
    invoice = make_invoice([line(VatCategory.OUTSIDE_SCOPE, "0")])
    with pytest.raises(ValidationError, match="PEPPOL-EN16931-R020"):
        render_invoice(invoice, BUYER, seller)


def test_unknown_electronic_address_scheme_is_refused() -> None:
    with pytest.raises(ValidationError, match="EAS"):
        render_invoice(make_invoice(), evolve(BUYER, electronic_address="EM:x@y.be"), SELLER)


def test_text_that_xml_cannot_hold_is_refused_as_validation_error() -> None:
    bad = [Line(ProductId("x"), "bell \x07", 1, eur("1.00"))]
    with pytest.raises(ValidationError):
        render_invoice(make_invoice(bad), BUYER, SELLER)


def test_without_buyer_reference_the_order_or_invoice_number_is_used(validator: Any) -> None:
    xml = render_invoice(make_invoice(buyer_reference=""), BUYER, SELLER)
    assert_valid(validator, xml)
    assert xpath(xml, "/*/cbc:BuyerReference/text()") == ["2026-000123"]
    xml = render_invoice(
        make_invoice(buyer_reference="", order_id="ord_9"), BUYER, SELLER, purchase_order="PO-1"
    )
    assert_valid(validator, xml)
    assert xpath(xml, "/*/cac:OrderReference/cbc:ID/text()") == ["PO-1"]
    assert xpath(xml, "/*/cac:OrderReference/cbc:SalesOrderID/text()") == ["ord_9"]


def test_the_plugin_offers_the_peppol_renderer_through_the_entry_point() -> None:
    # Load this plugin's own entry point (other installed plugins are not this test's concern).
    (entry,) = entry_points(group="s2c_core", name="peppol")
    pm = make_plugin_manager(plugins=[entry.load()], load_entry_points=False)
    renderer = document_renderers(pm)["peppol-ubl"]
    assert isinstance(renderer, DocumentRenderer)
    assert renderer.media_type == "application/xml"
    data = {"invoice": make_invoice(), "customer": BUYER, "seller": SELLER, "language": "nl"}
    assert renderer.render("invoice", data) == render_invoice(make_invoice(), BUYER, SELLER)


def test_renderer_refuses_wrong_document_or_data() -> None:
    renderer = PeppolRenderer()
    data = {"invoice": make_invoice(), "customer": BUYER, "seller": SELLER}
    with pytest.raises(ValidationError):
        renderer.render("reminder", data)
    with pytest.raises(ValidationError):
        renderer.render("credit_note", data)
    with pytest.raises(ValidationError):
        renderer.render("invoice", {**data, "customer": "nope"})
