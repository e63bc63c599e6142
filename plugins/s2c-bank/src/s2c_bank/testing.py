"""Test and demo helpers: build valid camt.053.001.08 statements of any size.

Used by this plugin's tests, by benchmarks (large files) and by demos. The output validates
against the ISO 20022 camt.053.001.08 schema: one statement, opening and closing booked
balances that reconcile, one booked credit entry per payment (structured OGM/VCS or RF
reference when the text is one, else unstructured text) and one debit per return (bank
transaction code ``PMNT/RCDT/RRTN`` with ``RtrInf/Rsn/Cd``).

Example:
    >>> from datetime import date
    >>> from s2c_core.money import Money
    >>> data = make_camt053(payments=[(Money("121.00", "EUR"), "+++090/9337/55493+++",
    ...                                "Client Exemple BV", "NL91ABNA0417164300",
    ...                                date(2026, 11, 22))], returns=[(0, "AC04")])
    >>> data.count(b"<Ntry>")
    2
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Final, TypeAlias
from xml.sax.saxutils import escape

from stdnum import iban as _iban
from stdnum import iso11649 as _rf
from stdnum.be import ogm_vcs as _ogm
from stdnum.iso7064 import mod_97_10

from s2c_core.errors import ValidationError
from s2c_core.money import Money

__all__ = ["Payment", "make_camt053", "make_payments"]

Payment: TypeAlias = tuple[Money, str, str, str, date]
"""(amount, OGM/RF reference or free text, payer name, payer IBAN, booking date)."""

_NAMESPACE: Final = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


def _ogm_from(number: int) -> str:
    base = f"{number % 10_000_000_000:010d}"
    return base + str(_ogm.calc_check_digits(base))


def _rf_from(text: str) -> str:
    return "RF" + str(mod_97_10.calc_check_digits(text + "RF")) + text


def _belgian_iban(number: int) -> str:
    base = f"{number % 10_000_000_000:010d}"
    bban = base + f"{int(base) % 97 or 97:02d}"
    return "BE" + str(_iban.calc_check_digits("BE00" + bban)) + bban


def make_payments(
    n_entries: int, *, start: date = date(2026, 1, 5), currency: str = "EUR"
) -> list[Payment]:
    """*n_entries* deterministic payments: amounts 1.00-1000.99, refs cycling OGM, RF, text.

    Booking dates advance one day every 1000 payments from *start*.
    """
    payments: list[Payment] = []
    for i in range(n_entries):
        cents = (i * 7919) % 100_000 + 100
        amount = Money(Decimal(cents).scaleb(-2), currency)
        kind = i % 3
        if kind == 0:
            ref = _ogm_from(20_260_000 + i)
        elif kind == 1:
            ref = _rf_from(f"INV{i:06d}")
        else:
            ref = f"Invoice INV-{i:06d} thank you"
        payments.append(
            (
                amount,
                ref,
                f"Customer {i % 997:03d}",
                _belgian_iban(1_000 + i % 997),
                start + timedelta(days=i // 1000),
            )
        )
    return payments


def _structured(ref: str) -> tuple[str, str] | None:
    compact = "".join(ref.split()).upper()
    if compact.startswith("RF") and _rf.is_valid(compact):
        return compact, "ISO"
    digits = compact.strip("+*").replace("/", "")
    if digits.isdigit() and len(digits) == 12 and _ogm.is_valid(digits):
        return digits, "BBA"
    return None


def _remittance(ref: str) -> str:
    structured = _structured(ref)
    if structured is None:
        return f"<RmtInf><Ustrd>{escape(ref[:140])}</Ustrd></RmtInf>"
    value, issuer = structured
    return (
        "<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry>"
        f"<Issr>{issuer}</Issr></Tp><Ref>{value}</Ref></CdtrRefInf></Strd></RmtInf>"
    )


def _balance(code: str, amount: Decimal, currency: str, day: date) -> str:
    sign = "CRDT" if amount >= 0 else "DBIT"
    return (
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
        f'<Amt Ccy="{currency}">{abs(amount):f}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'
        f"<Dt><Dt>{day.isoformat()}</Dt></Dt></Bal>"
    )


def make_camt053(
    n_entries: int | None = None,
    *,
    payments: Sequence[Payment] | None = None,
    returns: Sequence[tuple[int, str]] = (),
    account_iban: str = "BE71096123456769",
    currency: str = "EUR",
    statement_id: str = "S2C-GEN-0001",
    opening_balance: Decimal | str = "0.00",
    created_at: datetime | None = None,
) -> bytes:
    """Build a camt.053.001.08 statement for *payments* (or *n_entries* generated ones).

    Args:
        n_entries: Number of generated payments (see
            [make_payments][s2c_bank.testing.make_payments]) when *payments* is not given;
            must match ``len(payments)`` when both are.
        payments: ``(amount, reference or text, payer name, payer IBAN, booking date)``
            tuples. A valid OGM/VCS (any notation) or RF reference becomes ``Strd/CdtrRefInf``
            with issuer ``BBA``/``ISO``; anything else is ``Ustrd`` text.
        returns: ``(payment index, ISO reason code)`` pairs: each adds a debit entry
            returning that payment (same end-to-end id and reference) on its booking date.
        account_iban: Our account.
        currency: Account currency (every payment must be in it).
        statement_id: ``Stmt/Id``; also the prefix of every ``AcctSvcrRef``.
        opening_balance: Opening booked balance; the closing balance is computed.
        created_at: Creation time (default: the day after the last booking, 06:00 UTC).

    Returns:
        The UTF-8 XML bytes.
    """
    if payments is None:
        payments = make_payments(n_entries or 0, currency=currency)
    elif n_entries is not None and n_entries != len(payments):
        raise ValidationError(
            f"n_entries {n_entries} differs from {len(payments)} payments",
            field="n_entries",
            value=n_entries,
        )
    opening = Decimal(str(opening_balance))
    total = opening
    last = max((p[4] for p in payments), default=date(2026, 1, 5))
    first = min((p[4] for p in payments), default=last)
    created = created_at or datetime.combine(
        last + timedelta(days=1), datetime.min.time(), tzinfo=UTC
    ).replace(hour=6)
    parts: list[str] = []
    for index, (amount, ref, name, iban, day) in enumerate(payments, start=1):
        if amount.currency.code != currency or amount.amount <= 0:
            raise ValidationError(
                f"payment {index}: {amount} is not a positive {currency}",
                field="payments",
                value=amount,
            )
        total += amount.amount
        parts.append(
            _entry(
                index, amount, "CRDT", ref, name, iban, day, statement_id, "PMNT/RCDT/ESCT", None
            )
        )
    for offset, (which, reason) in enumerate(returns, start=len(payments) + 1):
        amount, ref, name, iban, day = payments[which]
        total -= amount.amount
        parts.append(
            _entry(
                offset,
                amount,
                "DBIT",
                ref,
                name,
                iban,
                day,
                statement_id,
                "PMNT/RCDT/RRTN",
                (which + 1, reason),
            )
        )
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="{_NAMESPACE}"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>{escape(statement_id)}</MsgId>"
        f"<CreDtTm>{created.isoformat(timespec='seconds')}</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{escape(statement_id)}</Id>"
        f"<CreDtTm>{created.isoformat(timespec='seconds')}</CreDtTm>"
        f"<Acct><Id><IBAN>{account_iban}</IBAN></Id><Ccy>{currency}</Ccy></Acct>"
        + _balance("OPBD", opening, currency, first - timedelta(days=1))
        + _balance("CLBD", total, currency, last)
    )
    tail = "</Stmt></BkToCstmrStmt></Document>\n"
    return (head + "\n".join(parts) + tail).encode("utf-8")


def _entry(
    index: int,
    amount: Money,
    sign: str,
    ref: str,
    name: str,
    iban: str,
    day: date,
    statement_id: str,
    code: str,
    returned: tuple[int, str] | None,
) -> str:
    domain, family, sub = code.split("/")
    e2e = f"E2E-{returned[0] if returned else index:06d}"
    party = (
        f"<RltdPties><Dbtr><Pty><Nm>{escape(name[:140])}</Nm></Pty></Dbtr>"
        f"<DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct></RltdPties>"
    )
    return_info = (
        f"<RtrInf><Rsn><Cd>{returned[1]}</Cd></Rsn></RtrInf>" if returned is not None else ""
    )
    value = f"{amount.amount:f}"
    return (
        f"<Ntry><NtryRef>{index}</NtryRef>"
        f'<Amt Ccy="{amount.currency.code}">{value}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'
        f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{day.isoformat()}</Dt></BookgDt>"
        f"<ValDt><Dt>{day.isoformat()}</Dt></ValDt>"
        f"<AcctSvcrRef>{escape(statement_id[:27])}-{index:07d}</AcctSvcrRef>"
        f"<BkTxCd><Domn><Cd>{domain}</Cd><Fmly><Cd>{family}</Cd>"
        f"<SubFmlyCd>{sub}</SubFmlyCd></Fmly></Domn></BkTxCd>"
        f"<NtryDtls><TxDtls><Refs><EndToEndId>{e2e}</EndToEndId></Refs>"
        f'<Amt Ccy="{amount.currency.code}">{value}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'
        f"{party}{_remittance(ref)}{return_info}</TxDtls></NtryDtls></Ntry>"
    )
