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

So each balance reads two sets of rows and adds them up (``UNION ALL``, then ``SUM``): the
documents open now, through the ``status`` index (in any other state nothing is open), and
the settlements dated after *d*, through the indexes on ``received_on``, ``issue_date`` and
the event log's ``(name, at)``; for *d* today the second set is empty. Neither grows with the
paid history. Money inside JSON documents is a decimal string quantized to the minor unit (core's
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
    """The dialect-specific fragments: JSON access, day differences and SQLite index choices.

    SQLite has no statistics unless ``ANALYZE`` ran, and then guesses that ``currency = ?``
    is as selective as ``status IN (...)``; ``INDEXED BY`` names the index that makes each
    query read only the rows it needs (PostgreSQL plans from its own statistics).
    """

    def __init__(self, name: str) -> None:
        self.pg = name == "postgresql"

    def table(self, name: str, alias: str, index: str) -> str:
        """*name* AS *alias*, read through its index on *index* (a hint on SQLite)."""
        if self.pg:
            return f"{name} {alias}"
        return f"{name} {alias} INDEXED BY ix_{name}_{index}"

    def minor(self, text_expr: str) -> str:
        """Minor units of a decimal string expression (NULL stays NULL)."""
        kind = "BIGINT" if self.pg else "INTEGER"
        return f"CAST(REPLACE({text_expr}, '.', '') AS {kind})"

    def allocations(self, condition: str) -> str:
        """Rows ``(invoice_id, settled_on, amount)`` of live allocations matching *condition*.

        *condition* is on ``p.received_on``, so the payments are read by that index.
        """
        payments = self.table("s2c_payment", "p", "received_on")
        if self.pg:
            src = (
                f"{payments} CROSS JOIN LATERAL "
                "jsonb_array_elements(CAST(p.data AS jsonb) -> 'allocations') AS a(value)"
            )

            def field(path: str) -> str:
                return f"(a.value -> '{path}' ->> 'amount')"

            invoice = "(a.value ->> 'invoice_id')"
        else:
            src = f"{payments} CROSS JOIN json_each(p.data, '$.allocations') a"

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
        """Rows ``(invoice_id, settled_on, amount, note_id)`` of applied credit notes.

        *condition* is on ``n.issue_date``, so the notes are read by that index.
        """
        if self.pg:
            doc = "CAST(n.data AS jsonb)"
            target = f"({doc} ->> 'credited_invoice_id')"
            credited = f"({doc} -> 'credited' ->> 'amount')"
        else:
            target = "json_extract(n.data, '$.credited_invoice_id')"
            credited = "json_extract(n.data, '$.credited.amount')"
        notes = self.table("s2c_invoice", "n", "issue_date")
        return (
            f"SELECT {target} AS invoice_id, n.issue_date AS settled_on, "
            f"{self.minor(credited)} AS amount, n.id AS note_id "
            f"FROM {notes} WHERE n.kind = 'credit_note' AND n.issue_date IS NOT NULL "
            f"AND {credited} IS NOT NULL AND {target} IS NOT NULL AND {condition}"
        )

    def write_offs(self, condition: str) -> str:
        """Rows ``(invoice_id, at, amount)``: latest write-off of written-off invoices."""
        if self.pg:
            amount = "(CAST(e.data AS jsonb) -> 'amount' ->> 'amount')"
            events, latest = "s2c_events e", "s2c_events x"
        else:
            amount = "json_extract(e.data, '$.amount.amount')"
            events = "s2c_events e INDEXED BY ix_s2c_events_name_at"
            latest = "s2c_events x INDEXED BY ix_s2c_events_aggregate_id"
        return (
            f"SELECT e.aggregate_id AS invoice_id, e.at AS at, {self.minor(amount)} AS amount "
            f"FROM {events} CROSS JOIN s2c_invoice w "
            f"WHERE w.id = e.aggregate_id AND e.name = '{WRITE_OFF_EVENT}' "
            f"AND w.status = 'written_off' "
            f"AND e.sequence = (SELECT MAX(x.sequence) FROM {latest} "
            f"WHERE x.aggregate_id = e.aggregate_id AND x.name = '{WRITE_OFF_EVENT}') "
            f"AND {condition}"
        )

    def days(self, later: str, earlier: str) -> str:
        """Whole days from *earlier* to *later* (two date expressions)."""
        if self.pg:
            return f"({later} - {earlier})"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def open_rows(self, suffix: str) -> str:
        """Rows ``(id, customer_id, issue_date, due_date, amount)`` of the documents issued up
        to ``:d_<suffix>`` in ``:cur``; each document's rows sum to its open amount then.

        One row per document open now (read by the status index: a document in any other
        state has nothing open), plus one per settlement dated after the day (the add-back).
        """
        later = (
            self.allocations(f"p.received_on > :d_{suffix}"),
            self.credits(f"n.issue_date > :d_{suffix}"),
            self.write_offs(f"e.at >= :after_{suffix}"),
        )
        backs = " UNION ALL ".join(
            f"SELECT invoice_id, amount FROM ({part}) s{n}" for n, part in enumerate(later)
        )
        columns = (
            "i.id AS id, i.customer_id AS customer_id, "
            "i.issue_date AS issue_date, i.due_date AS due_date"
        )
        invoices = self.table("s2c_invoice", "i", "status")
        return (
            f"SELECT {columns}, {_SIGNED_OPEN} AS amount FROM {invoices} "
            f"WHERE i.status IN {_OPEN_STATES} AND i.open_amount <> 0 "
            f"AND i.issue_date <= :d_{suffix} AND i.currency = :cur "
            f"UNION ALL SELECT {columns}, b.amount AS amount FROM ({backs}) b "
            f"CROSS JOIN s2c_invoice i WHERE i.id = b.invoice_id "
            f"AND i.issue_date <= :d_{suffix} AND i.currency = :cur"
        )


_OPEN_STATES: Final = "('issued', 'partially_paid', 'disputed', 'written_off', 'credited')"
"""States whose documents may have something open now; in the others (draft, cancelled, paid)
the stored open amount is zero. Written-off and credited invoices are here because a payment
returned after the write-off or the credit note leaves them open without changing state."""

_SIGNED_OPEN: Final = (
    "(CASE WHEN i.kind = 'credit_note' THEN -i.open_amount ELSE i.open_amount END)"
)
_SIGNED_TOTAL: Final = "(CASE WHEN i.kind = 'credit_note' THEN -i.total ELSE i.total END)"


def _day_params(suffix: str) -> list[Any]:
    return [
        bindparam(f"d_{suffix}", type_=Date()),
        bindparam(f"after_{suffix}", type_=UtcDateTime()),
    ]


def _day_values(suffix: str, day: date) -> dict[str, Any]:
    return {f"d_{suffix}": day, f"after_{suffix}": _after(day)}


class SqlReporting:
    """[ReportingQueries][s2c_core.kpi.port.ReportingQueries] of one SQL storage."""

    def __init__(self, storage: SqlStorage) -> None:
        self._storage = storage
        self._sql = _Dialect(storage.dialect)
        self._statements: dict[str, Executable] = {}

    # -- plumbing ------------------------------------------------------------------------

    def _rows(self, stmt: Executable, params: dict[str, Any]) -> list[Any]:
        from s2c_sqlalchemy.session import backend_error

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

    # -- balances --------------------------------------------------------------------------

    def _period_sums(self, period: Period, currency: str) -> tuple[int, int, int, int]:
        """(begin total, end total, end current, credit sales): four sums, one statement."""

        def build() -> Executable:
            sql = self._sql
            invoices = sql.table("s2c_invoice", "i", "issue_date")
            return text(
                f"WITH b AS (SELECT COALESCE(SUM(amount), 0) AS total "
                f"FROM ({sql.open_rows('b')}) x), "
                f"e AS (SELECT COALESCE(SUM(amount), 0) AS total, "
                f"COALESCE(SUM(CASE WHEN due_date >= :d_e THEN amount ELSE 0 END), 0) AS cur "
                f"FROM ({sql.open_rows('e')}) y), "
                f"s AS (SELECT COALESCE(SUM({_SIGNED_TOTAL}), 0) AS sales FROM {invoices} "
                f"WHERE i.issue_date >= :start AND i.issue_date <= :d_e AND i.currency = :cur) "
                f"SELECT b.total, e.total, e.cur, s.sales FROM b, e, s"
            ).bindparams(*_day_params("b"), *_day_params("e"), bindparam("start", type_=Date()))

        row = self._rows(
            self._statement("period", build),
            {
                **_day_values("b", period.opening_date),
                **_day_values("e", period.end),
                "start": period.start,
                "cur": currency,
            },
        )[0]
        return int(row[0]), int(row[1]), int(row[2]), int(row[3])

    def open_balance(self, as_of: date, *, currency: str) -> OpenBalance:
        """Open and current receivables at the end of *as_of* (one pass over the open rows)."""

        def build() -> Executable:
            return text(
                f"SELECT COALESCE(SUM(amount), 0), "
                f"COALESCE(SUM(CASE WHEN due_date >= :d_a THEN amount ELSE 0 END), 0) "
                f"FROM ({self._sql.open_rows('a')}) x"
            ).bindparams(*_day_params("a"))

        total, current = self._rows(
            self._statement("balance", build), {**_day_values("a", as_of), "cur": currency}
        )[0]
        cur = get_currency(currency)
        return OpenBalance(
            as_of, Money.from_minor(int(total), cur), Money.from_minor(int(current), cur)
        )

    def credit_sales(self, period: Period, *, currency: str) -> Money:
        """Signed totals of the documents issued in *period* (an index range scan)."""

        def build() -> Executable:
            invoices = self._sql.table("s2c_invoice", "i", "issue_date")
            return text(
                f"SELECT COALESCE(SUM({_SIGNED_TOTAL}), 0) FROM {invoices} "
                f"WHERE i.issue_date >= :start AND i.issue_date <= :end AND i.currency = :cur"
            ).bindparams(bindparam("start", type_=Date()), bindparam("end", type_=Date()))

        row = self._rows(
            self._statement("sales", build),
            {"start": period.start, "end": period.end, "cur": currency},
        )[0]
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
        """The four CEI sums of *period* (the same statement as DSO's)."""
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
        dates, so the query is the same on every dialect. Documents are summed first (their
        open amount), so the count is of documents with something open.
        """
        chosen = AgingBasis(basis)
        bounds = tuple(edges)
        labels = bucket_labels(bounds)
        column = "due_date" if chosen is AgingBasis.DUE_DATE else "issue_date"
        key = f"aging:{column}:{len(bounds)}"

        def build() -> Executable:
            whens = " ".join(f"WHEN {column} >= :edge_{n} THEN {n}" for n in range(len(bounds)))
            return text(
                f"SELECT bucket, SUM(amount), SUM(CASE WHEN amount <> 0 THEN 1 ELSE 0 END) "
                f"FROM (SELECT CASE {whens} ELSE {len(bounds)} END AS bucket, "
                f"SUM(amount) AS amount FROM ({self._sql.open_rows('a')}) x "
                f"GROUP BY id, {column}) y GROUP BY bucket"
            ).bindparams(
                *_day_params("a"),
                *(bindparam(f"edge_{n}", type_=Date()) for n in range(len(bounds))),
            )

        params: dict[str, Any] = {**_day_values("a", as_of), "cur": currency}
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
            return text(
                f"SELECT x.customer_id, COALESCE(c.segment, ''), x.total FROM ("
                f"SELECT customer_id, SUM(amount) AS total FROM ({self._sql.open_rows('a')}) o "
                f"GROUP BY customer_id) x LEFT JOIN s2c_customer c ON c.id = x.customer_id "
                f"WHERE x.total <> 0 ORDER BY x.customer_id"
            ).bindparams(*_day_params("a"))

        cur = get_currency(currency)
        rows = self._rows(
            self._statement("by_customer", build), {**_day_values("a", as_of), "cur": currency}
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
            return (
                text(
                    f"SELECT x.id, x.customer_id, COALESCE(c.segment, '') AS segment, "
                    f"x.issue_date, x.due_date, x.amount FROM ("
                    f"SELECT id, customer_id, issue_date, due_date, SUM(amount) AS amount "
                    f"FROM ({sql.open_rows('a')}) o "
                    f"GROUP BY id, customer_id, issue_date, due_date) x "
                    f"LEFT JOIN s2c_customer c ON c.id = x.customer_id "
                    f"WHERE x.amount <> 0 ORDER BY x.issue_date, x.id"
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
                f"CROSS JOIN s2c_invoice i LEFT JOIN s2c_customer c ON c.id = i.customer_id "
                f"WHERE i.id = o.invoice_id AND i.kind = 'invoice' AND i.issue_date <= :d "
                f"AND i.currency = :cur AND o.amount > 0 "
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
                {**_day_values("a", as_of), "cur": currency},
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
        from s2c_sqlalchemy.session import backend_error

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
