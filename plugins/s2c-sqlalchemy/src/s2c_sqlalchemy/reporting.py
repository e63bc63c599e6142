"""KPI inputs computed inside the database: ``SqlStorage.reporting``.

Implements core's [ReportingQueries][s2c_core.kpi.port.ReportingQueries] port with a handful of
``SELECT ... SUM(CASE ...)`` statements over the indexed columns, so aging, DSO, CEI, the
per-customer balances and the forecast's inputs over a million invoices come back as a few
rows. Amounts stay integer minor units until they become ``Money``.

**Open as of a date.** The ``open_amount`` column holds what is open *now*. Under core's fact
rules (see [s2c_core.kpi.port][s2c_core.kpi.port]) a document's open amount at the end of day
*d* is that column (negated for a credit note) plus every settlement dated after *d*:

* the allocations of payments received after *d* (``received_on > d``, payment not returned):
  cash + early-payment discount + tolerance write-off, read from the payment document with
  ``json_each`` (SQLite) or ``jsonb_array_elements`` (PostgreSQL);
* the credit notes issued after *d* and applied to the document (``credited`` on the note);
* the manual write-off, when the latest ``InvoiceWrittenOff`` event of a written-off invoice
  is dated after *d*.

The index on ``received_on``, ``issue_date`` and the event log's ``(name, at)`` keep this
add-back to the recent rows; for *d* today it is empty and the query reads indexed columns
only. Money inside JSON documents is a decimal string quantized to the minor unit (core's
codec), so ``REPLACE(amount, '.', '')`` cast to an integer is its exact minor units.

The lateness histogram of the forecast reads every allocation up to the as-of date (one pass
over the payment documents), grouped by customer and days late in SQL.

Every result equals core's pure calculators run on [invoice_facts][
s2c_sqlalchemy.reporting.SqlReporting.invoice_facts]; the integration tests check it with
hypothesis on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Date, Executable, Integer, Text, bindparam, text
from sqlalchemy.exc import SQLAlchemyError

from s2c_core.codec import load
from s2c_core.entities.receivables import Dispute, Invoice
from s2c_core.kpi.aging import (
    DEFAULT_AGING_EDGES,
    AgingBasis,
    AgingBucket,
    AgingReport,
    bucket_labels,
)
from s2c_core.kpi.drivers import CustomerBalance
from s2c_core.kpi.facts import InvoiceFact, PaymentFact, Period
from s2c_core.kpi.port import (
    WRITE_OFF_EVENT,
    CeiInputs,
    DsoInputs,
    ForecastInputs,
    LatenessBin,
    OpenBalance,
    OpenItem,
    invoice_fact,
    latest_disputes,
)
from s2c_core.money import Currency, Money, get_currency
from s2c_sqlalchemy.engine import READ_ONLY
from s2c_sqlalchemy.tables import UtcDateTime

if TYPE_CHECKING:
    from s2c_sqlalchemy.storage import SqlStorage

__all__ = ["SqlReporting"]

_FACT_BATCH: Final = 2000
_DISPUTES: Final = text("SELECT data FROM s2c_dispute")


def _after(day: date) -> datetime:
    """Midnight UTC at the start of the day after *day*: events at or after it are later."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


class _Dialect:
    """The JSON fragments of one dialect (everything else is plain SQL)."""

    def __init__(self, name: str) -> None:
        self.pg = name == "postgresql"

    def minor(self, text_expr: str) -> str:
        """Minor units of a decimal string expression (NULL stays NULL)."""
        kind = "BIGINT" if self.pg else "INTEGER"
        return f"CAST(REPLACE({text_expr}, '.', '') AS {kind})"

    def allocations(self, condition: str) -> str:
        """Rows ``(invoice_id, settled_on, amount)`` of live allocations matching *condition*."""
        if self.pg:
            src = (
                "s2c_payment p CROSS JOIN LATERAL "
                "jsonb_array_elements(CAST(p.data AS jsonb) -> 'allocations') AS a(value)"
            )

            def field(path: str) -> str:
                return f"(a.value -> '{path}' ->> 'amount')"

            invoice = "(a.value ->> 'invoice_id')"
        else:
            src = "s2c_payment p, json_each(p.data, '$.allocations') a"

            def field(path: str) -> str:
                return f"json_extract(a.value, '$.{path}.amount')"

            invoice = "json_extract(a.value, '$.invoice_id')"
        amount = (
            f"{self.minor(field('amount'))}"
            f" + COALESCE({self.minor(field('discount'))}, 0)"
            f" + COALESCE({self.minor(field('write_off'))}, 0)"
        )
        return (
            f"SELECT {invoice} AS invoice_id, p.received_on AS settled_on, {amount} AS amount "
            f"FROM {src} WHERE p.status <> 'returned' AND {condition}"
        )

    def credits(self, condition: str) -> str:
        """Rows ``(invoice_id, settled_on, amount, note_id)`` of applied credit notes."""
        if self.pg:
            doc = "CAST(n.data AS jsonb)"
            target = f"({doc} ->> 'credited_invoice_id')"
            credited = f"({doc} -> 'credited' ->> 'amount')"
        else:
            target = "json_extract(n.data, '$.credited_invoice_id')"
            credited = "json_extract(n.data, '$.credited.amount')"
        return (
            f"SELECT {target} AS invoice_id, n.issue_date AS settled_on, "
            f"{self.minor(credited)} AS amount, n.id AS note_id "
            f"FROM s2c_invoice n WHERE n.kind = 'credit_note' AND n.issue_date IS NOT NULL "
            f"AND {credited} IS NOT NULL AND {target} IS NOT NULL AND {condition}"
        )

    def write_offs(self, condition: str) -> str:
        """Rows ``(invoice_id, at, amount)``: latest write-off of written-off invoices."""
        if self.pg:
            amount = "(CAST(e.data AS jsonb) -> 'amount' ->> 'amount')"
        else:
            amount = "json_extract(e.data, '$.amount.amount')"
        return (
            f"SELECT e.aggregate_id AS invoice_id, e.at AS at, {self.minor(amount)} AS amount "
            f"FROM s2c_events e JOIN s2c_invoice w ON w.id = e.aggregate_id "
            f"WHERE e.name = '{WRITE_OFF_EVENT}' AND w.status = 'written_off' "
            f"AND e.sequence = (SELECT MAX(x.sequence) FROM s2c_events x "
            f"WHERE x.aggregate_id = e.aggregate_id AND x.name = '{WRITE_OFF_EVENT}') "
            f"AND {condition}"
        )

    def days(self, later: str, earlier: str) -> str:
        """Whole days from *earlier* to *later* (two date expressions)."""
        if self.pg:
            return f"({later} - {earlier})"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def back(self, name: str, suffix: str) -> str:
        """CTE *name*: settlements dated after ``:d_<suffix>``, summed per invoice."""
        parts = [
            self.allocations(f"p.received_on > :d_{suffix}"),
            "SELECT invoice_id, settled_on, amount FROM ("
            + self.credits(f"n.issue_date > :d_{suffix}")
            + ") c",
            "SELECT invoice_id, NULL AS settled_on, amount FROM ("
            + self.write_offs(f"e.at >= :after_{suffix}")
            + ") w",
        ]
        union = " UNION ALL ".join(parts)
        return (
            f"{name} AS (SELECT invoice_id, SUM(amount) AS amount "
            f"FROM ({union}) s GROUP BY invoice_id)"
        )


_SIGNED_OPEN: Final = (
    "(CASE WHEN i.kind = 'credit_note' THEN -i.open_amount ELSE i.open_amount END)"
)
_SIGNED_TOTAL: Final = "(CASE WHEN i.kind = 'credit_note' THEN -i.total ELSE i.total END)"


def _day_params(suffix: str) -> list[Any]:
    return [
        bindparam(f"d_{suffix}", type_=Date()),
        bindparam(f"after_{suffix}", type_=UtcDateTime()),
    ]


class SqlReporting:
    """[ReportingQueries][s2c_core.kpi.port.ReportingQueries] of one SQL storage."""

    def __init__(self, storage: SqlStorage) -> None:
        self._storage = storage
        self._sql = _Dialect(storage.dialect)
        self._statements: dict[str, Executable] = {}

    # -- plumbing ------------------------------------------------------------------------

    def _rows(self, stmt: Executable, params: dict[str, Any]) -> list[Any]:
        from s2c_sqlalchemy.storage import backend_error

        try:
            with self._storage.engine.connect() as conn:
                conn = conn.execution_options(**{READ_ONLY: True})
                return list(conn.execute(stmt, params).all())
        except SQLAlchemyError as exc:
            raise backend_error(exc, "running a KPI query") from exc

    def _statement(self, key: str, build: Any) -> Executable:
        found = self._statements.get(key)
        if found is None:
            found = self._statements[key] = build()
        return found

    def _open_sql(self, suffix: str) -> str:
        """A document's open amount at ``:d_<suffix>`` (joined to ``back_<suffix>``)."""
        return f"({_SIGNED_OPEN} + COALESCE(b_{suffix}.amount, 0))"

    # -- balances --------------------------------------------------------------------------

    def _period_sums(self, period: Period, currency: str) -> tuple[int, int, int, int]:
        """(begin total, end total, end current, credit sales) in one scan."""

        def build() -> Executable:
            sql = self._sql
            open_b, open_e = self._open_sql("b"), self._open_sql("e")
            return text(
                f"WITH {sql.back('back_b', 'b')}, {sql.back('back_e', 'e')} "
                f"SELECT "
                f"COALESCE(SUM(CASE WHEN i.issue_date <= :d_b THEN {open_b} ELSE 0 END), 0), "
                f"COALESCE(SUM({open_e}), 0), "
                f"COALESCE(SUM(CASE WHEN i.due_date >= :d_e THEN {open_e} ELSE 0 END), 0), "
                f"COALESCE(SUM(CASE WHEN i.issue_date >= :start THEN {_SIGNED_TOTAL} "
                f"ELSE 0 END), 0) "
                f"FROM s2c_invoice i "
                f"LEFT JOIN back_b b_b ON b_b.invoice_id = i.id "
                f"LEFT JOIN back_e b_e ON b_e.invoice_id = i.id "
                f"WHERE i.issue_date <= :d_e AND i.currency = :cur"
            ).bindparams(*_day_params("b"), *_day_params("e"), bindparam("start", type_=Date()))

        stmt = self._statement("period", build)
        row = self._rows(
            stmt,
            {
                "d_b": period.opening_date,
                "after_b": _after(period.opening_date),
                "d_e": period.end,
                "after_e": _after(period.end),
                "start": period.start,
                "cur": currency,
            },
        )[0]
        return int(row[0]), int(row[1]), int(row[2]), int(row[3])

    def open_balance(self, as_of: date, *, currency: str) -> OpenBalance:
        """Open and current receivables at the end of *as_of*."""
        sums = self._period_sums(Period(as_of, as_of), currency)
        cur = get_currency(currency)
        return OpenBalance(as_of, Money.from_minor(sums[1], cur), Money.from_minor(sums[2], cur))

    def credit_sales(self, period: Period, *, currency: str) -> Money:
        """Signed totals of the documents issued in *period* (an index range scan)."""
        stmt = self._statement(
            "sales",
            lambda: text(
                f"SELECT COALESCE(SUM({_SIGNED_TOTAL}), 0) FROM s2c_invoice i "
                f"WHERE i.issue_date >= :start AND i.issue_date <= :end AND i.currency = :cur"
            ).bindparams(bindparam("start", type_=Date()), bindparam("end", type_=Date())),
        )
        row = self._rows(stmt, {"start": period.start, "end": period.end, "cur": currency})[0]
        return Money.from_minor(int(row[0]), get_currency(currency))

    def dso_inputs(self, period: Period, *, currency: str) -> DsoInputs:
        """Receivables at both ends of *period*, its credit sales, current receivables."""
        begin, end, current, sales = self._period_sums(period, currency)
        cur = get_currency(currency)
        return DsoInputs(
            period,
            Money.from_minor(end, cur),
            Money.from_minor(begin, cur),
            Money.from_minor(sales, cur),
            Money.from_minor(current, cur),
        )

    def cei_inputs(self, period: Period, *, currency: str) -> CeiInputs:
        """The four CEI sums of *period*, in the same single scan as DSO's."""
        begin, end, current, sales = self._period_sums(period, currency)
        cur = get_currency(currency)
        return CeiInputs(
            period,
            Money.from_minor(begin, cur),
            Money.from_minor(sales, cur),
            Money.from_minor(end, cur),
            Money.from_minor(current, cur),
        )

    def aging(
        self,
        as_of: date,
        *,
        currency: str,
        basis: AgingBasis = AgingBasis.DUE_DATE,
        edges: Sequence[int] = DEFAULT_AGING_EDGES,
    ) -> AgingReport:
        """Aging buckets at the end of *as_of*: ``SUM`` and ``COUNT`` per ``CASE`` bucket.

        Age ``as_of - date <= edge`` is ``date >= as_of - edge``: the bounds are bound as
        dates, so the query is the same on every dialect.
        """
        chosen = AgingBasis(basis)
        bounds = tuple(edges)
        labels = bucket_labels(bounds)
        column = "i.due_date" if chosen is AgingBasis.DUE_DATE else "i.issue_date"
        key = f"aging:{column}:{len(bounds)}"

        def build() -> Executable:
            whens = " ".join(f"WHEN {column} >= :edge_{n} THEN {n}" for n in range(len(bounds)))
            open_a = self._open_sql("a")
            return text(
                f"WITH {self._sql.back('back_a', 'a')} "
                f"SELECT bucket, SUM(amount), SUM(CASE WHEN amount <> 0 THEN 1 ELSE 0 END) "
                f"FROM (SELECT CASE {whens} ELSE {len(bounds)} END AS bucket, "
                f"{open_a} AS amount FROM s2c_invoice i "
                f"LEFT JOIN back_a b_a ON b_a.invoice_id = i.id "
                f"WHERE i.issue_date <= :d_a AND i.currency = :cur) x GROUP BY bucket"
            ).bindparams(
                *_day_params("a"),
                *(bindparam(f"edge_{n}", type_=Date()) for n in range(len(bounds))),
            )

        params: dict[str, Any] = {"d_a": as_of, "after_a": _after(as_of), "cur": currency}
        for n, edge in enumerate(bounds):
            params[f"edge_{n}"] = as_of - timedelta(days=edge)
        sums = [0] * len(labels)
        counts = [0] * len(labels)
        for bucket, total, count in self._rows(self._statement(key, build), params):
            sums[int(bucket)] = int(total or 0)
            counts[int(bucket)] = int(count or 0)
        cur = get_currency(currency)
        lows: list[int | None] = [None, *(e + 1 for e in bounds)]
        highs: list[int | None] = [*bounds, None]
        buckets = tuple(
            AgingBucket(label, low, high, Money.from_minor(total, cur), count)
            for label, low, high, total, count in zip(labels, lows, highs, sums, counts)
        )
        return AgingReport(as_of, chosen, buckets, Money.from_minor(sum(sums), cur))

    def open_by_customer(self, as_of: date, *, currency: str) -> tuple[CustomerBalance, ...]:
        """Non-zero open receivables per customer (``GROUP BY customer_id``), by id."""

        def build() -> Executable:
            open_a = self._open_sql("a")
            return text(
                f"WITH {self._sql.back('back_a', 'a')} "
                f"SELECT i.customer_id, COALESCE(MAX(c.segment), ''), SUM({open_a}) "
                f"FROM s2c_invoice i LEFT JOIN back_a b_a ON b_a.invoice_id = i.id "
                f"LEFT JOIN s2c_customer c ON c.id = i.customer_id "
                f"WHERE i.issue_date <= :d_a AND i.currency = :cur "
                f"GROUP BY i.customer_id HAVING SUM({open_a}) <> 0 ORDER BY i.customer_id"
            ).bindparams(*_day_params("a"))

        cur = get_currency(currency)
        rows = self._rows(
            self._statement("by_customer", build),
            {"d_a": as_of, "after_a": _after(as_of), "cur": currency},
        )
        return tuple(
            CustomerBalance(cid, segment, Money.from_minor(int(total), cur))
            for cid, segment, total in rows
        )

    # -- forecast --------------------------------------------------------------------------

    def forecast_inputs(self, as_of: date, *, currency: str) -> ForecastInputs:
        """Open items at *as_of* and the lateness histogram of the settlements up to it."""
        sql = self._sql

        def build_open() -> Executable:
            open_a = self._open_sql("a")
            return (
                text(
                    f"WITH {sql.back('back_a', 'a')} "
                    f"SELECT id, customer_id, segment, issue_date, due_date, amount FROM ("
                    f"SELECT i.id AS id, i.customer_id AS customer_id, "
                    f"COALESCE(c.segment, '') AS segment, i.issue_date AS issue_date, "
                    f"i.due_date AS due_date, {open_a} AS amount FROM s2c_invoice i "
                    f"LEFT JOIN back_a b_a ON b_a.invoice_id = i.id "
                    f"LEFT JOIN s2c_customer c ON c.id = i.customer_id "
                    f"WHERE i.issue_date <= :d_a AND i.currency = :cur) x "
                    f"WHERE amount <> 0 ORDER BY issue_date, id"
                )
                .bindparams(*_day_params("a"))
                .columns(
                    id=Text(),
                    customer_id=Text(),
                    segment=Text(),
                    issue_date=Date(),
                    due_date=Date(),
                    amount=Integer(),
                )
            )

        def build_lateness() -> Executable:
            obs = (
                sql.allocations("p.received_on <= :d")
                + " UNION ALL SELECT invoice_id, settled_on, amount FROM ("
                + sql.credits("n.issue_date <= :d")
                + ") c"
            )
            days = sql.days("o.settled_on", "i.due_date")
            return text(
                f"SELECT i.customer_id, COALESCE(MAX(c.segment), ''), {days} AS days_late, "
                f"COUNT(*), SUM(o.amount) FROM ({obs}) o "
                f"JOIN s2c_invoice i ON i.id = o.invoice_id "
                f"LEFT JOIN s2c_customer c ON c.id = i.customer_id "
                f"WHERE i.kind = 'invoice' AND i.issue_date <= :d AND i.currency = :cur "
                f"AND o.amount > 0 "
                f"GROUP BY i.customer_id, {days} ORDER BY i.customer_id, days_late"
            ).bindparams(bindparam("d", type_=Date()))

        cur = get_currency(currency)
        items = tuple(
            OpenItem(
                row.id,
                row.customer_id,
                row.segment,
                row.issue_date,
                row.due_date,
                Money.from_minor(int(row.amount), cur),
            )
            for row in self._rows(
                self._statement("open_items", build_open),
                {"d_a": as_of, "after_a": _after(as_of), "cur": currency},
            )
        )
        bins = tuple(
            LatenessBin(cid, segment, int(days), int(count), Money.from_minor(int(total), cur))
            for cid, segment, days, count, total in self._rows(
                self._statement("lateness", build_lateness), {"d": as_of, "cur": currency}
            )
        )
        return ForecastInputs(as_of, items, bins)

    # -- facts -----------------------------------------------------------------------------

    def invoice_facts(self, as_of: date | None = None, *, currency: str) -> Iterator[InvoiceFact]:
        """Facts of the documents issued up to *as_of*, streamed by issue date and id.

        Settlements, applied credit notes, write-off dates and segments are read first (one
        query each, aggregated per document); the documents themselves are then streamed in
        batches and decoded one at a time.
        """
        cur = get_currency(currency)
        day = as_of or date.max - timedelta(days=1)
        settlements = self._settlements(day, cur)
        write_offs = self._write_offs(day, cur)
        disputes = latest_disputes(
            (load(Dispute, json.loads(row[0])) for row in self._rows(_DISPUTES, {})),
            as_of,
        )
        segments = {
            row[0]: row[1] or ""
            for row in self._rows(text("SELECT id, segment FROM s2c_customer"), {})
        }
        stmt = text(
            "SELECT data FROM s2c_invoice WHERE issue_date <= :d AND currency = :cur "
            "ORDER BY issue_date, id"
        ).bindparams(bindparam("d", type_=Date()))
        return self._stream(
            stmt, {"d": day, "cur": currency}, settlements, write_offs, disputes, segments
        )

    def _stream(
        self,
        stmt: Executable,
        params: dict[str, Any],
        settlements: dict[str, list[PaymentFact]],
        write_offs: dict[str, tuple[Money, date]],
        disputes: dict[str, Money],
        segments: dict[str, str],
    ) -> Iterator[InvoiceFact]:
        from s2c_sqlalchemy.storage import backend_error

        try:
            with self._storage.engine.connect() as conn:
                conn = conn.execution_options(**{READ_ONLY: True}, yield_per=_FACT_BATCH)
                for (data,) in conn.execute(stmt, params):
                    invoice = load(Invoice, json.loads(data))
                    yield invoice_fact(
                        invoice,
                        segment=segments.get(invoice.customer_id, ""),
                        settlements=settlements.get(invoice.id, ()),
                        write_off=write_offs.get(invoice.id),
                        disputed=disputes.get(invoice.id),
                    )
        except SQLAlchemyError as exc:
            raise backend_error(exc, "reading invoice facts") from exc

    def _settlements(self, day: date, cur: Currency) -> dict[str, list[PaymentFact]]:
        sql = self._sql
        alloc = (
            text(sql.allocations("p.received_on <= :d"))
            .bindparams(bindparam("d", type_=Date()))
            .columns(invoice_id=Text(), settled_on=Date(), amount=Integer())
        )
        credit = (
            text(sql.credits("n.issue_date <= :d"))
            .bindparams(bindparam("d", type_=Date()))
            .columns(invoice_id=Text(), settled_on=Date(), amount=Integer(), note_id=Text())
        )
        found: dict[str, list[PaymentFact]] = {}
        for row in self._rows(alloc, {"d": day}):
            found.setdefault(row.invoice_id, []).append(
                PaymentFact(row.settled_on, Money.from_minor(int(row.amount), cur))
            )
        for row in self._rows(credit, {"d": day}):
            amount = int(row.amount)
            if amount == 0:
                continue
            found.setdefault(row.invoice_id, []).append(
                PaymentFact(row.settled_on, Money.from_minor(amount, cur))
            )
            found.setdefault(row.note_id, []).append(
                PaymentFact(row.settled_on, Money.from_minor(-amount, cur))
            )
        return found

    def _write_offs(self, day: date, cur: Currency) -> dict[str, tuple[Money, date]]:
        stmt = (
            text(self._sql.write_offs("e.at < :after"))
            .bindparams(bindparam("after", type_=UtcDateTime()))
            .columns(invoice_id=Text(), at=UtcDateTime(), amount=Integer())
        )
        return {
            row.invoice_id: (
                Money.from_minor(int(row.amount), cur),
                row.at.astimezone(UTC).date(),
            )
            for row in self._rows(stmt, {"after": _after(day)})
        }
