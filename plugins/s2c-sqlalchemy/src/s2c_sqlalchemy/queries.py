"""Reporting queries aggregated inside the database: ``SqlStorage.queries``.

Every method sends one ``SELECT ... GROUP BY`` over the indexed columns of the aggregate
tables and returns a few summary rows, so a million invoices are summarised without loading
them. The methods only read (on SQLite in a deferred transaction, so they never wait for the
write lock).

What the invoice queries count (the same rules as core's KPI oracles in ``s2c_core.kpi``):

* **open** documents: status ``issued``, ``partially_paid`` or ``disputed`` with a positive
  ``open_amount``, issued on or before the as-of date;
* **credit notes** count negative (``kind = 'credit_note'``), so totals net them;
* **sales** are documents issued in the period whatever became of them later, except drafts
  and cancelled ones; amounts are the document totals (VAT included).

Note:
    Open amounts are the invoices' *current* open amounts (the indexed ``open_amount``):
    ``as_of`` dates the ages and leaves out documents issued after it, but payments are not
    rolled back to it. For balances at a past date use the pure-Python KPIs on invoice facts.

To add a query: write a method that builds one SQLAlchemy Core ``select`` over
``AGGREGATE_TABLES`` with ``where_clause`` for repository-style criteria, run it with
``self._rows(stmt)``, and turn the few result rows into frozen result records with ``Money``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from attrs import frozen
from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.exc import SQLAlchemyError

from s2c_core.entities.receivables import DocumentKind
from s2c_core.entities.registry import IndexKind, spec_named
from s2c_core.errors import ValidationError
from s2c_core.kpi.aging import (
    DEFAULT_AGING_EDGES,
    AgingBasis,
    AgingBucket,
    AgingReport,
    bucket_labels,
)
from s2c_core.lifecycle import InvoiceState
from s2c_core.money import Money, get_currency
from s2c_sqlalchemy.criteria import where_clause
from s2c_sqlalchemy.engine import READ_ONLY
from s2c_sqlalchemy.tables import AGGREGATE_TABLES, extra_currency_column

if TYPE_CHECKING:
    from s2c_sqlalchemy.storage import SqlStorage

__all__ = ["CustomerBalance", "GroupTotal", "PeriodSales", "SalesPeriod", "SqlQueries"]

OPEN_STATES: Final = (
    InvoiceState.ISSUED.value,
    InvoiceState.PARTIALLY_PAID.value,
    InvoiceState.DISPUTED.value,
)
"""Invoice states whose open amount is owed (disputed ones are open, not collectible)."""

NOT_SALES: Final = (InvoiceState.DRAFT.value, InvoiceState.CANCELLED.value)
"""Invoice states that are not sales."""


class SalesPeriod(StrEnum):
    """Granularity of [sales_per_period][s2c_sqlalchemy.queries.SqlQueries.sales_per_period]."""

    DAY = "day"
    WEEK = "week"  # ISO weeks, starting on Monday
    MONTH = "month"
    YEAR = "year"


@frozen
class CustomerBalance:
    """A customer's open receivables in one currency.

    Attributes:
        customer_id: The customer.
        currency: ISO 4217 code.
        open_amount: Open invoices minus open credit notes.
        overdue_amount: The part of it past due (due date before the as-of date).
        documents: How many open documents make it up.
    """

    customer_id: str
    currency: str
    open_amount: Money
    overdue_amount: Money
    documents: int


@frozen
class PeriodSales:
    """Sales of one period in one currency.

    Attributes:
        start: First day of the period.
        currency: ISO 4217 code.
        amount: Invoice totals minus credit-note totals issued in the period.
        documents: How many invoices and credit notes.
    """

    start: date
    currency: str
    amount: Money
    documents: int


@frozen
class GroupTotal:
    """One group of [sum_money][s2c_sqlalchemy.queries.SqlQueries.sum_money].

    Attributes:
        key: The group's values of the ``by`` fields, in order.
        currency: ISO 4217 code.
        amount: The sum of the money field.
        count: Entities in the group.
    """

    key: tuple[Any, ...]
    currency: str
    amount: Money
    count: int


_INVOICE: Final = AGGREGATE_TABLES["invoice"]


def _signed(column: Any) -> ColumnElement[int]:
    """*column* negated for credit notes."""
    return case((_INVOICE.c.kind == DocumentKind.CREDIT_NOTE.value, -column), else_=column)


class SqlQueries:
    """Reporting queries of one [SqlStorage][s2c_sqlalchemy.storage.SqlStorage]."""

    def __init__(self, storage: SqlStorage) -> None:
        self._storage = storage

    def _rows(self, stmt: Any) -> list[Any]:
        from s2c_sqlalchemy.session import backend_error

        try:
            with self._storage.engine.connect() as conn:
                conn.execution_options(**{READ_ONLY: True})
                return list(conn.execute(stmt).all())
        except SQLAlchemyError as exc:
            raise backend_error(exc, "running a reporting query") from exc

    # -- receivables ------------------------------------------------------------------------

    def open_receivables_by_customer(
        self, as_of: date, *, currency: str | None = None
    ) -> list[CustomerBalance]:
        """Open and overdue receivables per customer and currency at the end of *as_of*.

        Args:
            as_of: The reporting date: documents issued after it are left out; a document
                is overdue when its due date is before it.
            currency: Only this currency (default: every currency, one row each).

        Returns:
            One row per customer and currency with a non-zero open balance or open documents,
            ordered by customer id then currency.
        """
        t = _INVOICE
        amount = _signed(t.c.open_amount)
        overdue = case((t.c.due_date < as_of, amount), else_=0)
        stmt = (
            select(t.c.customer_id, t.c.currency, func.sum(amount), func.sum(overdue), func.count())
            .where(*self._open_invoices(as_of, currency))
            .group_by(t.c.customer_id, t.c.currency)
            .order_by(t.c.customer_id, t.c.currency)
        )
        return [
            CustomerBalance(
                customer_id=row[0],
                currency=row[1],
                open_amount=Money.from_minor(int(row[2]), get_currency(row[1])),
                overdue_amount=Money.from_minor(int(row[3]), get_currency(row[1])),
                documents=int(row[4]),
            )
            for row in self._rows(stmt)
        ]

    def aging(
        self,
        as_of: date,
        *,
        currency: str,
        edges: Sequence[int] = DEFAULT_AGING_EDGES,
        basis: AgingBasis = AgingBasis.DUE_DATE,
    ) -> AgingReport:
        """Receivables aging at the end of *as_of*, summed per bucket in SQL.

        The bucket of a document is chosen with ``CASE WHEN`` on its due date (or issue
        date): age ``as_of - date <= edge`` is the same as ``date >= as_of - edge``, so the
        bounds are computed once in Python and the query stays index-friendly and
        dialect-neutral. The result is core's
        [AgingReport][s2c_core.kpi.aging.AgingReport], bucket for bucket the same as
        ``s2c_core.kpi.aging.aging_report`` on the same open amounts.

        Args:
            as_of: The aging date.
            currency: The report currency (other currencies are left out).
            edges: Inclusive upper bounds in days of every bucket but the last.
            basis: Count age from the due date (default) or the invoice date.
        """
        labels = bucket_labels(edges)
        bounds = tuple(edges)
        cur = get_currency(currency)
        t = _INVOICE
        start = (
            func.coalesce(t.c.due_date, t.c.issue_date)
            if AgingBasis(basis) is AgingBasis.DUE_DATE
            else t.c.issue_date
        )
        bucket = case(
            *((start >= as_of - timedelta(days=edge), literal(i)) for i, edge in enumerate(bounds)),
            else_=literal(len(bounds)),
        ).label("bucket")
        stmt = (
            select(bucket, func.sum(_signed(t.c.open_amount)), func.count())
            .where(*self._open_invoices(as_of, cur.code))
            .group_by(bucket)
        )
        sums = [0] * len(labels)
        counts = [0] * len(labels)
        for index, total, count in self._rows(stmt):
            sums[int(index)] = int(total)
            counts[int(index)] = int(count)
        lows: list[int | None] = [None, *(e + 1 for e in bounds)]
        highs: list[int | None] = [*bounds, None]
        buckets = tuple(
            AgingBucket(label, low, high, Money.from_minor(total, cur), count)
            for label, low, high, total, count in zip(labels, lows, highs, sums, counts)
        )
        return AgingReport(as_of, AgingBasis(basis), buckets, Money.from_minor(sum(sums), cur))

    def _open_invoices(self, as_of: date, currency: str | None) -> list[ColumnElement[bool]]:
        t = _INVOICE
        conditions = [
            t.c.status.in_(OPEN_STATES),
            t.c.issue_date <= as_of,
            t.c.open_amount > 0,
        ]
        if currency is not None:
            conditions.append(t.c.currency == currency)
        return conditions

    # -- sales ------------------------------------------------------------------------------

    def sales_per_period(
        self,
        start: date,
        end: date,
        period: SalesPeriod | str = SalesPeriod.MONTH,
        *,
        currency: str | None = None,
    ) -> list[PeriodSales]:
        """Invoiced sales per period (credit notes netted) for documents issued in a range.

        Args:
            start: First issue date counted.
            end: Last issue date counted (inclusive).
            period: ``day``, ``week`` (ISO, from Monday), ``month`` or ``year``.
            currency: Only this currency (default: one row per currency and period).

        Returns:
            Rows ordered by period start then currency; periods without sales are absent.
        """
        if end < start:
            raise ValidationError(
                f"period end {end} is before its start {start}", field="end", value=end
            )
        t = _INVOICE
        bucket = self._truncate(t.c.issue_date, SalesPeriod(period)).label("period")
        stmt = (
            select(bucket, t.c.currency, func.sum(_signed(t.c.total)), func.count())
            .where(
                t.c.status.not_in(NOT_SALES),
                t.c.issue_date >= start,
                t.c.issue_date <= end,
                *([t.c.currency == currency] if currency is not None else []),
            )
            .group_by(bucket, t.c.currency)
            .order_by(bucket, t.c.currency)
        )
        return [
            PeriodSales(
                start=_as_date(row[0]),
                currency=row[1],
                amount=Money.from_minor(int(row[2]), get_currency(row[1])),
                documents=int(row[3]),
            )
            for row in self._rows(stmt)
        ]

    def _truncate(self, column: Any, period: SalesPeriod) -> ColumnElement[Any]:
        if self._storage.dialect == "postgresql":
            if period is SalesPeriod.DAY:
                return func.to_char(column, "YYYY-MM-DD")
            return func.to_char(func.date_trunc(period.value, column), "YYYY-MM-DD")
        if period is SalesPeriod.DAY:
            return func.date(column)
        if period is SalesPeriod.WEEK:
            return func.date(column, "weekday 0", "-6 days")
        if period is SalesPeriod.MONTH:
            return func.strftime("%Y-%m-01", column)
        return func.strftime("%Y-01-01", column)

    # -- generic ----------------------------------------------------------------------------

    def sum_money(
        self, aggregate: str, field: str, *, by: Sequence[str] = (), **criteria: Any
    ) -> list[GroupTotal]:
        """Sum a money field of *aggregate* per group, in SQL.

        Args:
            aggregate: An aggregate name (``"invoice"``, ``"payment"`` ...).
            field: A money-kind indexed field of it (``"open_amount"``, ``"unapplied"`` ...).
            by: Indexed fields to group by (the currency is always a group key).
            **criteria: Repository criteria (equality, any-of, ``Range``) on indexed fields.

        Returns:
            One row per group and currency, ordered by the group key then currency.

        Example:
            ```python
            storage.queries.sum_money("payment", "unapplied", by=["customer_id"],
                                      status="unapplied")
            ```
        """
        spec = spec_named(aggregate)
        money = spec.index(field)
        if money.kind is not IndexKind.MONEY:
            raise ValidationError(
                f"{aggregate}.{field} is not a money field", field="field", value=field
            )
        has_currency = extra_currency_column(spec) or any(
            index.name == "currency" for index in spec.indexes
        )
        if not has_currency:  # pragma: no cover - every money aggregate has a currency
            raise ValidationError(f"{aggregate} has no currency column", field="aggregate")
        table = AGGREGATE_TABLES[aggregate]
        keys = [table.c[spec.index(name).name] for name in by]
        stmt = (
            select(*keys, table.c.currency, func.sum(table.c[field]), func.count())
            .where(where_clause(spec, table, criteria))
            .group_by(*keys, table.c.currency)
            .order_by(*keys, table.c.currency)
        )
        out = []
        for row in self._rows(stmt):
            *key, code, total, count = row
            out.append(
                GroupTotal(
                    tuple(key),
                    code,
                    Money.from_minor(int(total or 0), get_currency(code)),
                    int(count),
                )
            )
        return out


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
