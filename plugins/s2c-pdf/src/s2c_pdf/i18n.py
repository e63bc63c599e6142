"""Document wording in Dutch, French and English, and locale-aware formatting (Babel, CLDR).

Languages map to Belgian and British locales: ``nl`` -> ``nl_BE``, ``fr`` -> ``fr_BE``,
``en`` -> ``en_GB``. Amounts are formatted with the currency's own decimals (JPY has none),
dates in the locale's long form ("2 maart 2026", "2 mars 2026", "2 March 2026").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from s2c_core.errors import ValidationError
from s2c_core.money import Money

__all__ = ["LANGUAGES", "LOCALES", "TRANSLATIONS", "Formatter", "pick_language"]

LOCALES: Final[Mapping[str, str]] = {"nl": "nl_BE", "fr": "fr_BE", "en": "en_GB"}
LANGUAGES: Final = tuple(LOCALES)

TRANSLATIONS: Final[Mapping[str, Mapping[str, str]]] = {
    "en": {
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "payment_reminder": "Payment reminder",
        "payment_reminder_2": "Second reminder",
        "payment_reminder_3": "Final notice",
        "statement": "Statement of account",
        "number": "Number",
        "date": "Date",
        "issue_date": "Invoice date",
        "due_date": "Due date",
        "customer_number": "Customer",
        "your_reference": "Your reference",
        "order": "Order",
        "credits_invoice": "Credits invoice",
        "of": "of",
        "vat_number": "VAT",
        "enterprise_number": "Company no.",
        "description": "Description",
        "quantity": "Qty",
        "unit_price": "Unit price",
        "discount": "Disc.",
        "vat": "VAT",
        "amount": "Amount",
        "vat_breakdown": "VAT breakdown",
        "vat_rate": "Rate",
        "taxable_amount": "Taxable amount",
        "vat_amount": "VAT amount",
        "line_total": "Total excl. VAT",
        "allowance": "Discount",
        "charge": "Charge",
        "tax_exclusive": "Taxable total",
        "tax_total": "Total VAT",
        "total": "Total due",
        "credit_total": "Total credited",
        "paid": "Already paid",
        "open": "Open amount",
        "payment": "Payment",
        "pay_to": "Please transfer {amount} by {due} to",
        "pay_to_now": "Please transfer {amount} to",
        "pay_with_reference": "quoting the structured reference",
        "scan_to_pay": "Scan with your banking app to pay",
        "installments": "Payment schedule",
        "cash_discount": "{percent}% cash discount if paid by {date}.",
        "credit_note_text": "This amount is deducted from your open balance or refunded.",
        "reverse_charge_note": "VAT reverse charged: the customer accounts for the VAT.",
        "page": "Page",
        "dear": "Dear customer,",
        "reminder_intro_1": (
            "Our records show that the invoices below are still unpaid. Perhaps this has "
            "escaped your attention; we kindly ask you to pay the open amount."
        ),
        "reminder_intro_2": (
            "Despite our earlier reminder, the invoices below are still unpaid. Please pay "
            "the open amount without further delay."
        ),
        "reminder_intro_3": (
            "Despite our reminders, the invoices below remain unpaid. Unless we receive "
            "payment by the date below, we will hand the claim over for collection."
        ),
        "reminder_outro": (
            "If you have paid in the meantime, please ignore this letter. For questions, "
            "contact us at {contact}."
        ),
        "regards": "Kind regards,",
        "days_overdue": "Days overdue",
        "fee": "Reminder fee",
        "interest": "Late-payment interest",
        "to_pay": "Total to pay",
        "pay_by": "Pay by",
        "as_of": "Balance as of",
        "document": "Document",
        "original_amount": "Amount",
        "unapplied_payment": "Unapplied payment",
        "balance": "Balance due",
        "credit_balance": "Credit in your favour",
        "statement_intro": "Below are the open items on your account.",
        "no_open_items": "There are no open items on your account.",
        "iban": "IBAN",
        "bic": "BIC",
    },
    "nl": {
        "invoice": "Factuur",
        "credit_note": "Creditnota",
        "payment_reminder": "Betalingsherinnering",
        "payment_reminder_2": "Tweede herinnering",
        "payment_reminder_3": "Laatste aanmaning",
        "statement": "Rekeningoverzicht",
        "number": "Nummer",
        "date": "Datum",
        "issue_date": "Factuurdatum",
        "due_date": "Vervaldatum",
        "customer_number": "Klant",
        "your_reference": "Uw referentie",
        "order": "Bestelling",
        "credits_invoice": "Crediteert factuur",
        "of": "van",
        "vat_number": "Btw",
        "enterprise_number": "Ondernemingsnr.",
        "description": "Omschrijving",
        "quantity": "Aantal",
        "unit_price": "Eenheidsprijs",
        "discount": "Korting",
        "vat": "Btw",
        "amount": "Bedrag",
        "vat_breakdown": "Btw-overzicht",
        "vat_rate": "Tarief",
        "taxable_amount": "Maatstaf van heffing",
        "vat_amount": "Btw-bedrag",
        "line_total": "Totaal excl. btw",
        "allowance": "Korting",
        "charge": "Toeslag",
        "tax_exclusive": "Totaal maatstaf",
        "tax_total": "Totaal btw",
        "total": "Te betalen",
        "credit_total": "Totaal gecrediteerd",
        "paid": "Reeds betaald",
        "open": "Openstaand bedrag",
        "payment": "Betaling",
        "pay_to": "Gelieve {amount} te betalen vóór {due} op",
        "pay_to_now": "Gelieve {amount} over te schrijven op",
        "pay_with_reference": "met de gestructureerde mededeling",
        "scan_to_pay": "Scan met uw bankapp om te betalen",
        "installments": "Betalingsschema",
        "cash_discount": "{percent}% korting voor contante betaling vóór {date}.",
        "credit_note_text": "Dit bedrag wordt verrekend met uw openstaand saldo of terugbetaald.",
        "reverse_charge_note": "Btw verlegd: de medecontractant is de btw verschuldigd.",
        "page": "Pagina",
        "dear": "Geachte klant,",
        "reminder_intro_1": (
            "Volgens onze gegevens zijn onderstaande facturen nog niet betaald. Wellicht is "
            "dit aan uw aandacht ontsnapt; wij vragen u vriendelijk het openstaande bedrag te "
            "betalen."
        ),
        "reminder_intro_2": (
            "Ondanks onze eerdere herinnering zijn onderstaande facturen nog steeds niet "
            "betaald. Gelieve het openstaande bedrag zonder verder uitstel te betalen."
        ),
        "reminder_intro_3": (
            "Ondanks onze herinneringen blijven onderstaande facturen onbetaald. Zonder "
            "betaling vóór de onderstaande datum dragen wij de vordering over voor invordering."
        ),
        "reminder_outro": (
            "Hebt u intussen betaald, dan mag u deze brief als onbestaande beschouwen. Voor "
            "vragen kunt u ons bereiken via {contact}."
        ),
        "regards": "Met vriendelijke groeten,",
        "days_overdue": "Dagen te laat",
        "fee": "Aanmaningskosten",
        "interest": "Nalatigheidsintresten",
        "to_pay": "Totaal te betalen",
        "pay_by": "Te betalen vóór",
        "as_of": "Saldo op",
        "document": "Document",
        "original_amount": "Bedrag",
        "unapplied_payment": "Niet-toegewezen betaling",
        "balance": "Openstaand saldo",
        "credit_balance": "Tegoed in uw voordeel",
        "statement_intro": "Hieronder vindt u de openstaande posten op uw rekening.",
        "no_open_items": "Er staan geen posten open op uw rekening.",
        "iban": "IBAN",
        "bic": "BIC",
    },
    "fr": {
        "invoice": "Facture",
        "credit_note": "Note de crédit",
        "payment_reminder": "Rappel de paiement",
        "payment_reminder_2": "Deuxième rappel",
        "payment_reminder_3": "Mise en demeure",
        "statement": "Relevé de compte",
        "number": "Numéro",
        "date": "Date",
        "issue_date": "Date de facture",
        "due_date": "Échéance",
        "customer_number": "Client",
        "your_reference": "Votre référence",
        "order": "Commande",
        "credits_invoice": "Crédite la facture",
        "of": "du",
        "vat_number": "TVA",
        "enterprise_number": "N° d'entreprise",
        "description": "Description",
        "quantity": "Qté",
        "unit_price": "Prix unitaire",
        "discount": "Remise",
        "vat": "TVA",
        "amount": "Montant",
        "vat_breakdown": "Récapitulatif TVA",
        "vat_rate": "Taux",
        "taxable_amount": "Base imposable",
        "vat_amount": "Montant TVA",
        "line_total": "Total hors TVA",
        "allowance": "Remise",
        "charge": "Frais",
        "tax_exclusive": "Total base imposable",
        "tax_total": "Total TVA",
        "total": "Total à payer",
        "credit_total": "Total crédité",
        "paid": "Déjà payé",
        "open": "Solde ouvert",
        "payment": "Paiement",
        "pay_to": "Veuillez virer {amount} avant le {due} sur",
        "pay_to_now": "Veuillez virer {amount} sur",
        "pay_with_reference": "avec la communication structurée",
        "scan_to_pay": "Scannez avec votre app bancaire pour payer",
        "installments": "Échéancier",
        "cash_discount": "Escompte de {percent}% pour paiement avant le {date}.",
        "credit_note_text": "Ce montant est déduit de votre solde ouvert ou remboursé.",
        "reverse_charge_note": "Autoliquidation : la TVA est due par le cocontractant.",
        "page": "Page",
        "dear": "Madame, Monsieur,",
        "reminder_intro_1": (
            "Sauf erreur de notre part, les factures ci-dessous restent impayées. Cela vous a "
            "peut-être échappé ; nous vous prions de bien vouloir régler le montant ouvert."
        ),
        "reminder_intro_2": (
            "Malgré notre précédent rappel, les factures ci-dessous restent impayées. Nous "
            "vous prions de régler le montant ouvert sans plus tarder."
        ),
        "reminder_intro_3": (
            "Malgré nos rappels, les factures ci-dessous restent impayées. À défaut de "
            "paiement avant la date ci-dessous, nous confierons la créance au recouvrement."
        ),
        "reminder_outro": (
            "Si vous avez payé entre-temps, veuillez ne pas tenir compte de ce courrier. Pour "
            "toute question, contactez-nous via {contact}."
        ),
        "regards": "Veuillez agréer nos salutations distinguées,",
        "days_overdue": "Jours de retard",
        "fee": "Frais de rappel",
        "interest": "Intérêts de retard",
        "to_pay": "Total à payer",
        "pay_by": "À payer avant le",
        "as_of": "Solde au",
        "document": "Document",
        "original_amount": "Montant",
        "unapplied_payment": "Paiement non affecté",
        "balance": "Solde à payer",
        "credit_balance": "Solde en votre faveur",
        "statement_intro": "Voici les postes ouverts de votre compte.",
        "no_open_items": "Aucun poste ouvert sur votre compte.",
        "iban": "IBAN",
        "bic": "BIC",
    },
}


def pick_language(requested: str | None, customer_language: str) -> str:
    """*requested*, else the customer's language, else English (e.g. for ``de``).

    Raises:
        ValidationError: *requested* is given but not one of ``nl``, ``fr``, ``en``.
    """
    if requested:
        if requested not in LOCALES:
            raise ValidationError(
                f"documents are available in {LANGUAGES}, not {requested!r}",
                field="language",
                value=requested,
            )
        return requested
    return customer_language if customer_language in LOCALES else "en"


class Formatter:
    """Wording and formatting for one language.

    Args:
        language: ``nl``, ``fr`` or ``en``.
        overrides: Replacement texts by language and key, merged over
            [TRANSLATIONS][s2c_pdf.i18n.TRANSLATIONS].
    """

    def __init__(
        self, language: str, overrides: Mapping[str, Mapping[str, str]] | None = None
    ) -> None:
        self.language = language
        self.locale = LOCALES[language]
        self.texts = {**TRANSLATIONS[language], **((overrides or {}).get(language, {}))}

    def t(self, key: str, **values: object) -> str:
        """The text of *key*, with ``{name}`` placeholders filled from *values*."""
        text = self.texts.get(key) or TRANSLATIONS["en"].get(key, key)
        return text.format(**values) if values else text

    def money(self, value: Money | None) -> str:
        """``€ 1.234,56`` (nl_BE), ``1 234,56 €`` (fr_BE), ``€1,234.56`` (en_GB)."""
        if value is None:
            return ""
        text: str = format_currency(value.amount, value.currency.code, locale=self.locale)
        return text

    def date(self, value: dt.date | None) -> str:
        """The locale's long date: ``2 maart 2026``."""
        return "" if value is None else str(format_date(value, format="long", locale=self.locale))

    def short_date(self, value: dt.date | None) -> str:
        """A compact numeric date for tables: ``02/03/2026`` (``02/03/2026`` in en_GB too)."""
        if value is None:
            return ""
        return str(format_date(value, format="dd/MM/yyyy", locale=self.locale))

    def number(self, value: Decimal) -> str:
        """A decimal with the locale's separators, no trailing zeros: ``2,5``."""
        return str(format_decimal(value.normalize(), locale=self.locale, format="#,##0.###"))

    def percent(self, value: Decimal) -> str:
        """A VAT rate or discount: ``21 %`` (nl, fr) or ``21%`` (en)."""
        sep = "" if self.language == "en" else "\u00a0"
        return f"{self.number(value)}{sep}%"
