"""Templates: every name the plans use, in Dutch, French and English, formatted by Babel."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from s2c_smtp import TEMPLATE_NAMES, Renderer, SmtpConfig, format_day, format_money

from s2c_core import (
    S2C,
    Company,
    ConfigurationError,
    FixedClock,
    Line,
    LineItem,
    Money,
    Notification,
    Policy,
)
from s2c_core.entities import ProductId


@pytest.fixture(scope="module")
def notifications() -> dict[str, Notification]:
    """One real notification per template, produced by the tick over 92 days."""
    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    policy = Policy.default_eu(
        "BE", company=Company("Groothandel Peeters BV", iban="BE71096123456769")
    )
    app = S2C.open("memory://", clock=clock, policy=policy, load_entry_points=False)
    app.catalog.add_product("consult", "Consulting", Money("95.00", "EUR"), stocked=False)
    customer = app.customers.register("Brasserie <Dupont> & Fils", email="a@dupont.example")
    line = Line(ProductId("consult"), "Consulting", Decimal(10), Money("95.00", "EUR"))
    app.invoices.create(customer.id, [line])
    quote = app.quotes.draft(customer.id, [LineItem("consult", 3)])
    app.quotes.send(quote.id)
    for _ in range(92):  # invoice due 2026-04-01, last step 60 days later
        app.run_due()
        clock.advance(timedelta(days=1))
    return {n.template: n for n in app.sent_notifications}


def test_the_tick_produced_every_template_name(notifications: dict[str, Notification]) -> None:
    assert set(notifications) == set(TEMPLATE_NAMES)


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_every_template_renders_in_every_language(
    notifications: dict[str, Notification], template: str, language: str
) -> None:
    rendered = Renderer().render(attrs.evolve(notifications[template], language=language))
    assert rendered.subject
    assert "\n" not in rendered.subject
    assert "Groothandel Peeters BV" in rendered.text
    assert rendered.html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{language}">' in rendered.html
    assert "{{" not in rendered.text


@pytest.mark.parametrize(
    ("language", "amount", "day"),
    [
        ("nl", "€\xa01.149,50", "1 april 2026"),
        ("fr", "1\u202f149,50\xa0€", "1 avril 2026"),
        ("en", "€1,149.50", "1 April 2026"),
    ],
)
def test_money_and_dates_follow_the_locale(
    notifications: dict[str, Notification], language: str, amount: str, day: str
) -> None:
    notification = attrs.evolve(notifications["payment_reminder"], language=language)
    rendered = Renderer().render(notification)
    assert amount in rendered.text
    assert day in rendered.text


def test_charges_are_listed_with_the_localised_rate(
    notifications: dict[str, Notification],
) -> None:
    final = attrs.evolve(notifications["final_notice"], language="fr")
    text = Renderer().render(final).text
    assert "Frais de rappel\xa0: 15,00\xa0€" in text
    assert "Indemnité forfaitaire\xa0: 40,00\xa0€" in text
    assert "10,5 % par an sur 30 jours" in text


def test_html_escapes_customer_data(notifications: dict[str, Notification]) -> None:
    rendered = Renderer().render(attrs.evolve(notifications["payment_reminder"], language="en"))
    assert "Brasserie <Dupont> & Fils" in rendered.text
    assert "Brasserie &lt;Dupont&gt; &amp; Fils" in rendered.html
    assert "<Dupont>" not in rendered.html


def test_a_language_without_templates_falls_back_to_english(
    notifications: dict[str, Notification],
) -> None:
    rendered = Renderer().render(attrs.evolve(notifications["quote_reminder"], language="de"))
    assert rendered.subject.startswith("Your quote is valid until")


def test_an_unknown_template_is_a_configuration_error(
    notifications: dict[str, Notification],
) -> None:
    with pytest.raises(ConfigurationError, match="no template 'welcome'"):
        Renderer().render(attrs.evolve(notifications["quote_reminder"], template="welcome"))


def test_a_host_template_folder_is_searched_first(
    notifications: dict[str, Notification], tmp_path: Path
) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "quote_reminder.j2").write_text(
        "{% block subject %}Still keen, {{ customer.name }}?{% endblock %}"
        "{% block body %}Valid until {{ day(quote.valid_until) }}.{% endblock %}",
        encoding="utf-8",
    )
    renderer = Renderer(template_dir=tmp_path)
    rendered = renderer.render(attrs.evolve(notifications["quote_reminder"], language="en"))
    assert rendered.subject == "Still keen, Brasserie <Dupont> & Fils?"
    fr = renderer.render(attrs.evolve(notifications["quote_reminder"], language="fr"))
    assert fr.subject.startswith("Votre offre")


def test_formatters_accept_money_dates_and_none() -> None:
    assert format_money(Money("12.30", "EUR"), "nl_BE") == "€\xa012,30"
    assert format_money(None, "en_GB") == ""
    assert format_day(date(2026, 12, 24), "fr_BE") == "24 décembre 2026"
    assert format_day(None, "fr_BE") == ""
    with pytest.raises(ConfigurationError):
        format_money(12.3, "en_GB")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"S2C_SMTP_HOST": "localhost"}, ("localhost", 25, False, "s2c@localhost")),
        (
            {"S2C_SMTP_HOST": "mail.example.com", "S2C_SMTP_FROM": "ar@example.com"},
            ("mail.example.com", 25, True, "ar@example.com"),
        ),
        (
            {"S2C_SMTP_HOST": "mail.example.com", "S2C_SMTP_PORT": "587", "S2C_SMTP_STARTTLS": "0"},
            ("mail.example.com", 587, False, "s2c@localhost"),
        ),
        (
            {"S2C_SMTP_HOST": "mail.example.com", "S2C_SMTP_SSL": "1"},
            ("mail.example.com", 465, False, "s2c@localhost"),
        ),
    ],
)
def test_configuration_from_the_environment(
    env: dict[str, str], expected: tuple[Any, ...] | None
) -> None:
    config = SmtpConfig.from_env(env)
    if expected is None:
        assert config is None
        return
    assert config is not None
    assert (config.host, config.port, config.use_starttls, config.from_address) == expected


def test_a_malformed_setting_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        SmtpConfig.from_env({"S2C_SMTP_HOST": "x", "S2C_SMTP_PORT": "twenty-five"})
    with pytest.raises(ConfigurationError):
        SmtpConfig.from_env({"S2C_SMTP_HOST": "x", "S2C_SMTP_STARTTLS": "maybe"})
