"""Render a notification into a subject, a plain-text body and an HTML alternative.

Templates live in ``templates/<language>/<name>.j2`` (``nl``, ``fr``, ``en``). Each defines two
blocks: ``subject`` (one line) and ``body`` (plain-text paragraphs separated by blank lines).
The body is wrapped by ``_text.j2`` and ``_html.j2`` together with a table of the facts (invoice
number, dates, amount, reference, fees ...) whose labels come from ``LABELS``. Inside the
templates ``money(value)`` and ``day(value)`` format amounts and dates with Babel for the
language's locale (``nl_BE``, ``fr_BE``, ``en_GB`` by default); a value is a Money, a
``{"amount": "12.30", "currency": "EUR"}`` mapping as stored in the outbox, a date or an ISO
date string. A language without templates falls back to English.

A host application may put its own templates in a folder (same layout) that is searched first.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from attrs import frozen
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined
from markupsafe import Markup

from s2c_core import ConfigurationError, Money, Notification

__all__ = [
    "LABELS",
    "LOCALES",
    "TEMPLATE_NAMES",
    "RenderedMessage",
    "Renderer",
    "format_day",
    "format_money",
]

LOCALES: Final[Mapping[str, str]] = {"nl": "nl_BE", "fr": "fr_BE", "en": "en_GB"}
"""Babel locale per notification language."""

TEMPLATE_NAMES: Final = (
    "pre_due_reminder",
    "payment_reminder",
    "second_reminder",
    "final_notice",
    "call_customer",
    "collection_handoff",
    "quote_reminder",
    "quote_expired",
)
"""Every template the default dunning plans and the quote reminders use."""

LABELS: Final[Mapping[str, Mapping[str, str]]] = {
    "en": {
        "invoice": "Invoice",
        "issue_date": "Invoice date",
        "due_date": "Due date",
        "open_amount": "Amount due",
        "reference": "Structured reference",
        "reference_rf": "Payment reference",
        "iban": "Account (IBAN)",
        "fee": "Reminder fee",
        "statutory_fee": "Fixed compensation",
        "interest": "Late-payment interest",
        "total_claimed": "Total to pay",
        "quote": "Quote",
        "valid_until": "Valid until",
        "total": "Total",
        "interest_detail": "{percent} % a year over {days} days",
        "separator": ": ",
    },
    "nl": {
        "invoice": "Factuur",
        "issue_date": "Factuurdatum",
        "due_date": "Vervaldag",
        "open_amount": "Openstaand bedrag",
        "reference": "Gestructureerde mededeling",
        "reference_rf": "Betalingsreferentie",
        "iban": "Rekening (IBAN)",
        "fee": "Aanmaningskosten",
        "statutory_fee": "Forfaitaire schadevergoeding",
        "interest": "Nalatigheidsinterest",
        "total_claimed": "Totaal te betalen",
        "quote": "Offerte",
        "valid_until": "Geldig tot",
        "total": "Totaal",
        "interest_detail": "{percent} % per jaar over {days} dagen",
        "separator": ": ",
    },
    "fr": {
        "invoice": "Facture",
        "issue_date": "Date de facture",
        "due_date": "Échéance",
        "open_amount": "Montant dû",
        "reference": "Communication structurée",
        "reference_rf": "Référence de paiement",
        "iban": "Compte (IBAN)",
        "fee": "Frais de rappel",
        "statutory_fee": "Indemnité forfaitaire",
        "interest": "Intérêts de retard",
        "total_claimed": "Total à payer",
        "quote": "Offre",
        "valid_until": "Valable jusqu'au",
        "total": "Total",
        "interest_detail": "{percent} % par an sur {days} jours",
        "separator": "\u00a0: ",
    },
}
"""Labels of the facts table, per language."""


@frozen
class RenderedMessage:
    """A rendered email: subject, plain text and its HTML alternative."""

    subject: str
    text: str
    html: str


def _money_parts(value: Any) -> tuple[Decimal, str] | None:
    if value is None:
        return None
    if isinstance(value, Money):
        return value.amount, value.currency.code
    if isinstance(value, Mapping) and "amount" in value and "currency" in value:
        return Decimal(str(value["amount"])), str(value["currency"])
    raise ConfigurationError(f"cannot format {value!r} as money")


def format_money(value: Any, locale: str) -> str:
    """*value* (Money or ``{"amount", "currency"}``) formatted for *locale*; "" for None.

    Example:
        >>> format_money({"amount": "1234.50", "currency": "EUR"}, "en_GB")
        '€1,234.50'
    """
    parts = _money_parts(value)
    if parts is None:
        return ""
    amount, currency = parts
    return str(format_currency(amount, currency, locale=locale))


def format_day(value: Any, locale: str) -> str:
    """A date (or ISO string) in the long format of *locale*; "" for None.

    Example:
        >>> format_day("2026-04-01", "nl_BE")
        '1 april 2026'
    """
    if value is None or value == "":
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return str(format_date(day, format="long", locale=locale))


def _paragraphs(text: str) -> Markup:
    blocks = [b.strip() for b in text.split("\n\n") if b.strip()]
    return Markup(
        "\n".join(
            "<p>" + "<br>\n".join(html.escape(line) for line in b.splitlines()) + "</p>"
            for b in blocks
        )
    )


class Renderer:
    """Renders notifications from the plugin's templates (and a host's own folder first).

    Args:
        template_dir: A folder searched before the built-in templates.
        locales: Babel locale per language.
        default_language: Used when a notification's language has no templates.
    """

    def __init__(
        self,
        *,
        template_dir: Path | None = None,
        locales: Mapping[str, str] = LOCALES,
        default_language: str = "en",
    ) -> None:
        loaders: list[Any] = [PackageLoader("s2c_smtp", "templates")]
        if template_dir is not None:
            loaders.insert(0, FileSystemLoader(str(template_dir)))
        self.env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=False,
            undefined=StrictUndefined,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.html_env = self.env.overlay(autoescape=True)
        self.locales = dict(locales)
        self.default_language = default_language

    def language_for(self, language: str) -> str:
        """*language* when templates exist for it, else the default language."""
        return language if language in self.locales else self.default_language

    def render(self, notification: Notification) -> RenderedMessage:
        """Render *notification*; ``ConfigurationError`` for an unknown template name."""
        language = self.language_for(notification.language)
        locale = self.locales[language]
        name = f"{language}/{notification.template}.j2"
        from jinja2 import TemplateNotFound

        try:
            template = self.env.get_template(name)
        except TemplateNotFound:
            raise ConfigurationError(
                f"s2c-smtp has no template {notification.template!r} for language {language!r}"
            ) from None
        money: Callable[[Any], str] = lambda value: format_money(value, locale)  # noqa: E731
        day: Callable[[Any], str] = lambda value: format_day(value, locale)  # noqa: E731
        variables: dict[str, Any] = {
            "customer": {},
            "company": {},
            **dict(notification.context),
            "money": money,
            "day": day,
            "recipient": notification.recipient,
        }
        context = template.new_context(variables)
        subject = "".join(template.blocks["subject"](context)).strip()
        body = "".join(template.blocks["body"](context)).strip()
        labels = LABELS[language]
        number: Callable[[Any], str] = lambda value: str(  # noqa: E731
            format_decimal(Decimal(str(value)), locale=locale)
        )
        rows = _facts(notification.context, labels, money, day, number)
        company = notification.context.get("company") or {}
        signature = str(company.get("name", "")) if isinstance(company, Mapping) else ""
        shared = {
            "subject": subject,
            "rows": rows,
            "signature": signature,
            "separator": labels["separator"],
        }
        text = self.env.get_template("_text.j2").render(body=body, **shared)
        markup = self.html_env.get_template("_html.j2").render(
            body=_paragraphs(body), lang=language, **shared
        )
        return RenderedMessage(subject or notification.subject, text.strip() + "\n", markup)


def _facts(
    context: Mapping[str, Any],
    labels: Mapping[str, str],
    money: Callable[[Any], str],
    day: Callable[[Any], str],
    number: Callable[[Any], str],
) -> Sequence[tuple[str, str]]:
    """The facts table: invoice or quote details, then the charges claimed."""
    rows: list[tuple[str, str]] = []
    invoice = context.get("invoice")
    if isinstance(invoice, Mapping):
        rows.append((labels["invoice"], str(invoice.get("number", ""))))
        rows.append((labels["issue_date"], day(invoice.get("issue_date"))))
        rows.append((labels["due_date"], day(invoice.get("due_date"))))
        rows.append((labels["open_amount"], money(invoice.get("open_amount"))))
        for key, label in (
            ("fee", "fee"),
            ("statutory_fee", "statutory_fee"),
            ("interest", "interest"),
        ):
            if context.get(key) is not None:
                value = money(context[key])
                if key == "interest" and context.get("interest_percent"):
                    detail = labels["interest_detail"].format(
                        percent=number(context["interest_percent"]),
                        days=context.get("interest_days", 0),
                    )
                    value = f"{value} ({detail})"
                rows.append((labels[label], value))
        if context.get("charges_total") and _money_parts(context["charges_total"]) is not None:
            amount = _money_parts(context["charges_total"])
            if amount is not None and amount[0] > 0:
                rows.append((labels["total_claimed"], money(context.get("total_claimed"))))
        reference = str(invoice.get("payment_reference") or "")
        if reference:
            label = labels["reference"] if reference.startswith("+++") else labels["reference_rf"]
            rows.append((label, reference))
        company = context.get("company")
        if isinstance(company, Mapping) and company.get("iban"):
            rows.append((labels["iban"], str(company["iban"])))
    quote = context.get("quote")
    if isinstance(quote, Mapping):
        rows.append((labels["quote"], str(quote.get("id", ""))))
        rows.append((labels["valid_until"], day(quote.get("valid_until"))))
        rows.append((labels["total"], money(quote.get("total"))))
    return rows
