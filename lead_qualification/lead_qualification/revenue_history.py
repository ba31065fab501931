"""Loads what the Pipeline Forecast and Qualification Impact reports need from the books
(leads, customers, quotations, orders, invoices), as the current user may see it, and hands
it to the plain arithmetic in forecast.py.

Permissions: every query is a frappe.qb query to which Frappe's own match conditions of
each DocType read are added (`permitted`), the way ERPNext's registers do with
`build_match_conditions`: user permissions (territory, company, ...), "only if creator" and
shared documents. A user who may not read Sales Invoices (Sales Users and Sales Managers
by default) gets revenue from submitted Sales Orders instead, and the report says so.
"""

from __future__ import annotations

from datetime import date

import frappe
from frappe import _
from frappe.desk.reportview import build_match_conditions
from frappe.query_builder import Case, Criterion
from frappe.query_builder.functions import Coalesce, Count, Min, Sum
from frappe.utils import add_days, add_months, getdate
from pypika.enums import DatePart
from pypika.functions import Extract
from pypika.terms import ExistsCriterion, ValueWrapper

from lead_qualification.lead_qualification import forecast as fc

HISTORY_MONTHS = 24  # past leads and quotations learned from
MATURITY_MONTHS = 6  # a lead this old has had its chance: it is a past case, not pipeline


class _Raw(Criterion):
	"""A condition Frappe built as SQL (match conditions), inside a qb query."""

	def __init__(self, sql: str):
		super().__init__()
		self.sql = sql

	def get_sql(self, **kwargs):
		return f"({self.sql})"


def permitted(query, *doctypes: str):
	"""Add the current user's match conditions for each DocType (tables not aliased). A user
	who may not read a DocType at all sees none of its rows (Frappe's match conditions would
	then only list the documents shared with them, and come back empty)."""
	for doctype in doctypes:
		if not (frappe.has_permission(doctype, "select") or frappe.has_permission(doctype, "read")):
			query = query.where(_Raw("1 = 0"))
			continue
		condition = build_match_conditions(doctype)
		if condition:
			query = query.where(_Raw(condition))
	return query


def revenue_source() -> tuple[str, str]:
	"""(DocType, date field) of the revenue the user may read."""
	if frappe.has_permission("Sales Invoice", "read"):
		return "Sales Invoice", "posting_date"
	return "Sales Order", "transaction_date"


def company_currency(company: str) -> str | None:
	return frappe.get_cached_value("Company", company, "default_currency") if company else None


def _in_tree(field, doctype: str, value: str):
	"""field is `value` or one of its descendants in the tree DocType (Territory)."""
	tree = frappe.qb.DocType(doctype)
	lft, rgt = frappe.db.get_value(doctype, value, ["lft", "rgt"]) or (None, None)
	if lft is None:
		return field == value
	return field.isin(frappe.qb.from_(tree).select(tree.name).where((tree.lft >= lft) & (tree.rgt <= rgt)))


def _lead_filters(query, lead, filters):
	if filters.get("company"):
		query = query.where(
			lead.company.isnull() | (lead.company == "") | (lead.company == filters.get("company"))
		)
	if filters.get("territory"):
		query = query.where(_in_tree(lead.territory, "Territory", filters.get("territory")))
	if filters.get("source"):
		query = query.where(lead.source == filters.get("source"))
	if filters.get("owner"):
		query = query.where(lead.lead_owner == filters.get("owner"))
	return query


def _end(day: date) -> str:
	"""Datetime bound: strictly before the next day."""
	return str(add_days(day, 1))


def _with_lead(query, q, customer, lead, via):
	"""Join a quotation's lead: its party when made for a lead (`lead`), else the lead its
	customer came from (`via`). Two joins on primary keys, not one on an expression."""
	return (
		query.left_join(lead)
		.on((q.quotation_to == "Lead") & (lead.name == q.party_name))
		.left_join(customer)
		.on((q.quotation_to == "Customer") & (customer.name == q.party_name))
		.left_join(via)
		.on(via.name == customer.lead_name)
	)


def _quote_owner(q, lead, via, owner: str):
	"""The lead's owner, else (no lead, or a lead without owner) who prepared the quotation."""
	lead_owner = Coalesce(lead.lead_owner, via.lead_owner)
	return (lead_owner == owner) | (lead_owner.isnull() & (q.owner == owner))


# --- Pipeline Forecast ---------------------------------------------------------------


def past_lead_counts(filters, days: list[date]) -> list[dict[tuple[str, str], tuple[int, int]]]:
	"""For each forecast day: (band, status) -> (wins, cases) of the leads created between
	HISTORY_MONTHS and MATURITY_MONTHS before it; won: a customer made from the lead had
	revenue by that day. Two grouped queries for all the days: the leads (a flag per day),
	and the won leads, driven by each won lead's first revenue day (a few thousand rows)."""
	lead = frappe.qb.DocType("Lead")
	band, stage = _band_stage(lead)

	def in_window(day):
		return (lead.creation >= str(add_months(day, -HISTORY_MONTHS))) & (
			lead.creation < _end(add_months(day, -MATURITY_MONTHS))
		)

	def window(query):
		query = query.where(lead.creation >= str(add_months(min(days), -HISTORY_MONTHS)))
		query = query.where(lead.creation < _end(add_months(max(days), -MATURITY_MONTHS)))
		return permitted(_lead_filters(query, lead, filters), "Lead")

	flags = [Case().when(in_window(day), 1).else_(0) for day in days]
	cases = window(frappe.qb.from_(lead).select(band, stage, *flags, Count("*")).groupby(band, stage, *flags))

	doctype, date_field = revenue_source()
	customer, rev = frappe.qb.DocType("Customer"), frappe.qb.DocType(doctype)
	won = (
		frappe.qb.from_(rev)
		.join(customer)
		.on(customer.name == rev.customer)
		.select(customer.lead_name, Min(rev[date_field]).as_("won_on"))
		.where((rev.docstatus == 1) & customer.lead_name.isnotnull())
		.groupby(customer.lead_name)
	)
	if filters.get("company"):
		won = won.where(rev.company == filters.company)
	won = permitted(won, doctype, "Customer")
	won_flags = [Case().when(in_window(day) & (won.won_on <= day), 1).else_(0) for day in days]
	wins = window(
		frappe.qb.from_(won)
		.join(lead)
		.on(lead.name == won.lead_name)
		.select(band, stage, *won_flags, Count("*"))
		.groupby(band, stage, *won_flags)
	)

	out: list[dict[tuple[str, str], list[int]]] = [{} for _ in days]
	for position, query in ((1, cases), (0, wins)):
		for row in query.run():
			key, n = (row[0], row[1]), int(row[-1])
			for i, flag in enumerate(row[2:-1]):
				if flag:
					out[i].setdefault(key, [0, 0])[position] += n
	return [{k: (w, c) for k, (w, c) in counts.items()} for counts in out]


def _band_stage(lead):
	band = Case().when(lead.lq_score_band.isin(fc.BANDS), lead.lq_score_band).else_(fc.COLD)
	stage = (
		Case()
		.when(lead.qualification_status.isin(fc.STATUSES), lead.qualification_status)
		.else_(fc.STATUSES[0])
	)
	return band, stage


def _month_index(field):
	return Extract(DatePart.year, field) * 12 + Extract(DatePart.month, field) - 1


def open_lead_groups(filters, as_of: date) -> list[fc.OpenLead]:
	"""The leads open on `as_of` (created in the MATURITY_MONTHS before, not a customer by
	then, without a submitted quotation by then, which then stands for the lead, not set to
	Do Not Contact or Lost Quotation), grouped in SQL by what the forecast needs: band,
	status, source, territory, budget known or not (in the company's currency) and month
	(Expected Start, else creation plus fc.HORIZON_MONTHS). One row per group, so that
	100,000 leads do not travel to Python."""
	lead = frappe.qb.DocType("Lead")
	customer, quotation = frappe.qb.DocType("Customer"), frappe.qb.DocType("Quotation")
	customers = (
		frappe.qb.from_(customer)
		.select(customer.lead_name)
		.where(customer.lead_name.isnotnull() & (customer.creation < _end(as_of)))
	)
	quoted = (
		frappe.qb.from_(quotation)
		.select(quotation.party_name)
		.where(
			(quotation.quotation_to == "Lead")
			& (quotation.docstatus == 1)
			& (quotation.transaction_date <= as_of)
		)
	)
	currency = company_currency(filters.get("company"))
	known = lead.bant_budget_amount > 0
	if currency:
		known &= (
			lead.bant_budget_currency.isnull()
			| (lead.bant_budget_currency == "")
			| (lead.bant_budget_currency == currency)
		)
	has_budget = Case().when(known, 1).else_(0)
	month = Case().when(lead.bant_expected_start.isnotnull(), _month_index(lead.bant_expected_start))
	for horizon, offset in fc.HORIZON_MONTHS.items():
		month = month.when(lead.bant_horizon == horizon, _month_index(lead.creation) + offset)
	band, stage = _band_stage(lead)
	# Source and territory only matter for the median order of a lead without budget: fewer groups.
	source = Case().when(known, None).else_(lead.source)
	territory = Case().when(known, None).else_(lead.territory)
	query = (
		frappe.qb.from_(lead)
		.select(
			band,
			stage,
			source,
			territory,
			has_budget,
			month,
			Count("*"),
			Sum(Case().when(known, lead.bant_budget_amount).else_(0)),
		)
		.where(lead.creation >= _end(add_months(as_of, -MATURITY_MONTHS)))
		.where(lead.creation < _end(as_of))
		.where(lead.status.isnull() | lead.status.notin(tuple(fc.CLOSED_LEAD_STATUSES)))
		.where(lead.name.notin(customers))
		.where(lead.name.notin(quoted))
		.groupby(band, stage, source, territory, has_budget, month)
	)
	query = permitted(_lead_filters(query, lead, filters), "Lead")
	label = _("{0} leads")
	return [
		fc.OpenLead(
			label.format(n),
			b,
			st,
			as_of,
			source,
			territory,
			float(budget or 0) if with_budget else None,
			count=int(n),
			month=fc.month_of_index(int(index)) if index is not None else None,
		)
		for b, st, source, territory, with_budget, index, n, budget in query.run()
	]


def order_records(filters, since: date, until: date) -> list[tuple[str | None, str | None, date, float]]:
	"""Submitted Sales Orders of customers made from leads, dated `since` to `until`, with
	the lead's source and territory."""
	so, customer, lead = (frappe.qb.DocType(d) for d in ("Sales Order", "Customer", "Lead"))
	query = (
		frappe.qb.from_(so)
		.join(customer)
		.on(customer.name == so.customer)
		.join(lead)
		.on(lead.name == customer.lead_name)
		.select(lead.source, lead.territory, so.transaction_date, so.base_net_total)
		.where((so.docstatus == 1) & (so.transaction_date >= since) & (so.transaction_date <= until))
	)
	if filters.get("company"):
		query = query.where(so.company == filters.company)
	query = permitted(query, "Sales Order")
	return [(s, t, d, float(v or 0)) for s, t, d, v in query.run()]


def quote_records(filters, since: date, until: date) -> list[fc.QuoteRecord]:
	"""Submitted quotations dated `since` to `until`, whether their lead is qualified (the
	party, or the lead the customer came from) and the date of their first order."""
	q, customer, lead = (frappe.qb.DocType(d) for d in ("Quotation", "Customer", "Lead"))
	via = frappe.qb.DocType("Lead").as_("via")
	so, soi = frappe.qb.DocType("Sales Order"), frappe.qb.DocType("Sales Order Item")
	first_order = (
		frappe.qb.from_(soi)
		.join(so)
		.on(so.name == soi.parent)
		.select(Min(so.transaction_date))
		.where((soi.prevdoc_docname == q.name) & (so.docstatus == 1))
	)
	query = (
		_with_lead(frappe.qb.from_(q), q, customer, lead, via)
		.select(
			q.name,
			q.transaction_date,
			q.valid_till,
			q.status,
			q.base_net_total,
			Coalesce(lead.qualification_status, via.qualification_status),
			first_order.as_("ordered_on"),
		)
		.where((q.docstatus == 1) & (q.transaction_date >= since) & (q.transaction_date <= until))
	)
	if filters.get("company"):
		query = query.where(q.company == filters.company)
	if filters.get("territory"):
		query = query.where(_in_tree(q.territory, "Territory", filters.territory))
	if filters.get("source"):
		query = query.where(q.source == filters.source)
	if filters.get("owner"):
		query = query.where(_quote_owner(q, lead, via, filters.owner))
	query = permitted(query, "Quotation")
	# Date columns come back as dates: no conversion per row (20,000 quotations).
	return [
		fc.QuoteRecord(
			fc.OpenQuote(name, quoted_on, float(value or 0), stage == "Qualified", valid_till or None),
			ordered_on or None,
			status == "Lost",
		)
		for name, quoted_on, valid_till, status, value, stage, ordered_on in query.run()
	]


class Books:
	"""What the forecasts of two days (today and the back-test's) need, read once: the past
	leads counted for both days, the quotations and orders of the widest window (the open
	leads are grouped in SQL for each day)."""

	def __init__(self, filters, first_as_of: date, last_as_of: date):
		self.filters = filters
		days = sorted({first_as_of, last_as_of})
		self.lead_counts = dict(zip(days, past_lead_counts(filters, days), strict=True))
		self.quotes = quote_records(filters, add_months(first_as_of, -HISTORY_MONTHS), last_as_of)
		self.orders = order_records(filters, add_months(first_as_of, -HISTORY_MONTHS), last_as_of)

	def forecast(self, as_of: date, start: date, months: int, min_cases: int, present: bool):
		"""Probabilities, lines and monthly rows of the forecast made on `as_of`."""
		lead_p = fc.lead_probabilities(self.lead_counts[as_of], min_cases)
		past, still_open = fc.quotes_on(self.quotes, as_of, add_months(as_of, -HISTORY_MONTHS), present)
		quote_p = fc.quote_probabilities(past, min_cases)
		values = fc.MedianOrderValues(fc.orders_on(self.orders, as_of, add_months(as_of, -HISTORY_MONTHS)))
		leads = open_lead_groups(self.filters, as_of)
		lines = fc.lead_lines(leads, lead_p, values, start)
		lines += fc.quote_lines(still_open, quote_p, as_of, start)
		return frappe._dict(
			lead_probabilities=lead_p,
			quote_probabilities=quote_p,
			lines=lines,
			rows=fc.by_month(lines, start, months),
		)


def forecast(filters, as_of: date, start: date, months: int, min_cases: int, present: bool):
	"""One forecast, made on `as_of` (the report makes two from one Books)."""
	return Books(filters, as_of, as_of).forecast(as_of, start, months, min_cases, present)


def revenue_by_month(filters, start: date, end: date, as_of: date) -> dict[date, float]:
	"""Revenue booked between `start` and `end` by customers made from leads created on or
	before `as_of` (the leads a forecast made that day could know), by month."""
	doctype, date_field = revenue_source()
	rev, customer, lead = (frappe.qb.DocType(d) for d in (doctype, "Customer", "Lead"))
	query = (
		frappe.qb.from_(rev)
		.join(customer)
		.on(customer.name == rev.customer)
		.join(lead)
		.on(lead.name == customer.lead_name)
		.select(rev[date_field], rev.base_net_total)
		.where((rev.docstatus == 1) & (rev[date_field] >= start) & (rev[date_field] <= end))
		.where(lead.creation < _end(as_of))
	)
	if filters.get("company"):
		query = query.where(rev.company == filters.company)
	query = _lead_filters(query, lead, frappe._dict({k: v for k, v in filters.items() if k != "company"}))
	query = permitted(query, doctype, "Customer", "Lead")
	out: dict[date, float] = {}
	for day, amount in query.run():
		month = fc.month_start(getdate(day))
		out[month] = out.get(month, 0.0) + float(amount or 0)
	return out


# --- Qualification Impact --------------------------------------------------------------


def switch_on_moment():
	"""When the app was switched on: Gates Active Since, or the first Lead Status Log entry."""
	since = frappe.db.get_single_value("Lead Qualification Settings", "gates_active_since")
	log = frappe.qb.DocType("Lead Status Log")
	first = frappe.qb.from_(log).select(Min(log.changed_on)).run()[0][0]
	moment = fc.switch_moment([since, first])
	return getdate(moment) if moment else None


def cohorts(filters, from_date: date, to_date: date, split: str, switch: date | None) -> dict[str, fc.Cohort]:
	"""The two groups compared: "before" / "after" the app's switch-on day (split "switch"),
	or "unqualified" / "qualified" leads and their quotations (split "qualified"). Leads are
	counted in SQL; only the leads that became customers come back row by row."""
	keys = ("before", "after") if split == "switch" else ("unqualified", "qualified")
	out = {k: fc.Cohort() for k in keys}
	lead, customer, so = (frappe.qb.DocType(d) for d in ("Lead", "Customer", "Sales Order"))
	company = filters.get("company")

	def key_of(created, stage):
		if split == "switch":
			if switch is None:
				return ValueWrapper("before")
			return Case().when(created >= str(switch), "after").else_("before")
		return Case().when(stage == "Qualified", "qualified").else_("unqualified")

	in_period = (lead.creation >= str(from_date)) & (lead.creation < _end(to_date))
	lead_key = key_of(lead.creation, lead.qualification_status)
	counts = frappe.qb.from_(lead).select(lead_key, Count("*")).where(in_period).groupby(lead_key)
	for key, n in permitted(_lead_filters(counts, lead, filters), "Lead").run():
		out[key].leads = int(n)

	# The leads that became customers (by to_date), and their submitted orders.
	converted = (
		frappe.qb.from_(customer)
		.join(lead)
		.on(lead.name == customer.lead_name)
		.select(lead.name, lead_key, lead.creation)
		.where(in_period & (customer.creation < _end(to_date)))
		.distinct()
	)
	group_of_lead = {}
	for name, key, created in permitted(_lead_filters(converted, lead, filters), "Lead", "Customer").run():
		group_of_lead[name] = (key, getdate(created))
	for key, _created in group_of_lead.values():
		out[key].customers += 1

	orders = (
		frappe.qb.from_(so)
		.join(customer)
		.on(customer.name == so.customer)
		.select(customer.lead_name, so.transaction_date, so.base_net_total)
		.where((so.docstatus == 1) & (so.transaction_date <= to_date) & customer.lead_name.isnotnull())
		.where(customer.creation < _end(to_date))
	)
	if company:
		orders = orders.where(so.company == company)
	first_order: dict[str, date] = {}
	for lead_name, day, amount in permitted(orders, "Sales Order", "Customer").run():
		if lead_name not in group_of_lead:
			continue
		out[group_of_lead[lead_name][0]].order_values.append(float(amount or 0))
		day = getdate(day)
		if lead_name not in first_order or day < first_order[lead_name]:
			first_order[lead_name] = day
	for lead_name, day in first_order.items():
		key, created = group_of_lead[lead_name]
		out[key].days_to_first_order.append(max(0, (day - created).days))

	# Quotations and whether they became an order, counted in SQL.
	q, soi = frappe.qb.DocType("Quotation"), frappe.qb.DocType("Sales Order Item")
	via = frappe.qb.DocType("Lead").as_("via")
	ordered = (
		frappe.qb.from_(soi)
		.join(so)
		.on(so.name == soi.parent)
		.select(soi.parent)
		.where((soi.prevdoc_docname == q.name) & (so.docstatus == 1) & (so.transaction_date <= to_date))
	)
	quote_key = key_of(q.transaction_date, Coalesce(lead.qualification_status, via.qualification_status))
	has_lead = Case().when(lead.name.isnotnull() | via.name.isnotnull(), 1).else_(0)
	quotes = (
		_with_lead(frappe.qb.from_(q), q, customer, lead, via)
		.select(quote_key, has_lead, Count("*"), Sum(Case().when(ExistsCriterion(ordered), 1).else_(0)))
		.where((q.docstatus == 1) & (q.transaction_date >= from_date) & (q.transaction_date <= to_date))
		.groupby(quote_key, has_lead)
	)
	if company:
		quotes = quotes.where(q.company == company)
	if filters.get("territory"):
		quotes = quotes.where(_in_tree(q.territory, "Territory", filters.territory))
	if filters.get("source"):
		quotes = quotes.where(q.source == filters.source)
	if filters.get("owner"):
		quotes = quotes.where(_quote_owner(q, lead, via, filters.owner))
	for key, with_lead, n, n_ordered in permitted(quotes, "Quotation").run():
		if split == "qualified" and not with_lead:
			continue  # a quotation for a customer that did not come from a lead
		out[key].quotations += int(n)
		out[key].ordered_quotations += int(n_ordered or 0)
	return out
