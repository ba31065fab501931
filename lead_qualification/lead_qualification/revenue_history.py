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
from frappe.desk.reportview import build_match_conditions
from frappe.query_builder import Case, Criterion
from frappe.query_builder.functions import Count, Min, Sum
from frappe.utils import add_days, add_months, getdate

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
	"""Add the current user's match conditions for each DocType (tables not aliased)."""
	for doctype in doctypes:
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


def _won_leads(as_of: date, company: str | None):
	"""Subquery: leads whose customer has revenue dated on or before `as_of`."""
	doctype, date_field = revenue_source()
	customer, rev = frappe.qb.DocType("Customer"), frappe.qb.DocType(doctype)
	query = (
		frappe.qb.from_(rev)
		.join(customer)
		.on(customer.name == rev.customer)
		.select(customer.lead_name)
		.where((rev.docstatus == 1) & (rev[date_field] <= as_of) & customer.lead_name.isnotnull())
	)
	if company:
		query = query.where(rev.company == company)
	return permitted(query, doctype, "Customer")


# --- Pipeline Forecast ---------------------------------------------------------------


def past_lead_counts(filters, as_of: date) -> dict[tuple[str, str], tuple[int, int]]:
	"""(band, status) -> (wins, cases) of the leads created between HISTORY_MONTHS and
	MATURITY_MONTHS before `as_of`."""
	lead = frappe.qb.DocType("Lead")
	band = Case().when(lead.lq_score_band.isin(fc.BANDS), lead.lq_score_band).else_(fc.COLD)
	stage = (
		Case()
		.when(lead.qualification_status.isin(fc.STATUSES), lead.qualification_status)
		.else_(fc.STATUSES[0])
	)
	won = Case().when(lead.name.isin(_won_leads(as_of, filters.get("company"))), 1).else_(0)
	query = (
		frappe.qb.from_(lead)
		.select(band.as_("band"), stage.as_("stage"), Sum(won).as_("wins"), Count("*").as_("cases"))
		.where(lead.creation >= str(add_months(as_of, -HISTORY_MONTHS)))
		.where(lead.creation < _end(add_months(as_of, -MATURITY_MONTHS)))
		.groupby(band, stage)
	)
	query = permitted(_lead_filters(query, lead, filters), "Lead")
	return {(r.band, r.stage): (int(r.wins or 0), int(r.cases)) for r in query.run(as_dict=True)}


def open_leads(filters, as_of: date) -> list[fc.OpenLead]:
	"""Leads created in the last MATURITY_MONTHS up to `as_of`, not a customer by then, not
	set to Do Not Contact or Lost Quotation, without a submitted quotation (which then
	stands for the lead in the forecast)."""
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
	query = (
		frappe.qb.from_(lead)
		.select(
			lead.name,
			lead.lq_score_band,
			lead.qualification_status,
			lead.creation,
			lead.source,
			lead.territory,
			lead.bant_budget_amount,
			lead.bant_budget_currency,
			lead.bant_expected_start,
			lead.bant_horizon,
		)
		.where(lead.creation >= _end(add_months(as_of, -MATURITY_MONTHS)))
		.where(lead.creation < _end(as_of))
		.where(lead.status.notin(("Do Not Contact", "Lost Quotation")))
		.where(lead.name.notin(customers))
		.where(lead.name.notin(quoted))
	)
	query = permitted(_lead_filters(query, lead, filters), "Lead")
	currency = company_currency(filters.get("company"))
	out = []
	for name, band, stage, created, source, territory, budget, budget_currency, start, horizon in query.run():
		if budget_currency and currency and budget_currency != currency:
			budget = None  # another currency: the median order value stands in
		out.append(
			fc.OpenLead(
				name,
				fc.normalise_band(band),
				fc.normalise_stage(stage),
				getdate(created),
				source,
				territory,
				float(budget) if budget else None,
				getdate(start) if start else None,
				horizon,
			)
		)
	return out


def order_values(filters, as_of: date) -> fc.MedianOrderValues:
	"""Submitted Sales Orders of customers made from leads, of the HISTORY_MONTHS up to
	`as_of`, with the lead's source and territory."""
	so, customer, lead = (frappe.qb.DocType(d) for d in ("Sales Order", "Customer", "Lead"))
	query = (
		frappe.qb.from_(so)
		.join(customer)
		.on(customer.name == so.customer)
		.join(lead)
		.on(lead.name == customer.lead_name)
		.select(lead.source, lead.territory, so.base_net_total)
		.where((so.docstatus == 1) & (so.transaction_date <= as_of))
		.where(so.transaction_date >= add_months(as_of, -HISTORY_MONTHS))
	)
	if filters.get("company"):
		query = query.where(so.company == filters.company)
	query = permitted(query, "Sales Order")
	return fc.MedianOrderValues((s, t, float(v or 0)) for s, t, v in query.run())


def quotations(filters, as_of: date, present: bool) -> tuple[list[fc.PastQuote], list[fc.OpenQuote]]:
	"""Submitted quotations of the HISTORY_MONTHS up to `as_of`: those decided by then
	(ordered, expired, or marked Lost: only known for today) and those still open."""
	q, customer, lead = (frappe.qb.DocType(d) for d in ("Quotation", "Customer", "Lead"))
	so, soi = frappe.qb.DocType("Sales Order"), frappe.qb.DocType("Sales Order Item")
	first_order = (
		frappe.qb.from_(soi)
		.join(so)
		.on(so.name == soi.parent)
		.select(Min(so.transaction_date))
		.where((soi.prevdoc_docname == q.name) & (so.docstatus == 1) & (so.transaction_date <= as_of))
	)
	lead_name = Case().when(q.quotation_to == "Lead", q.party_name).else_(customer.lead_name)
	query = (
		frappe.qb.from_(q)
		.left_join(customer)
		.on((q.quotation_to == "Customer") & (customer.name == q.party_name))
		.left_join(lead)
		.on(lead.name == lead_name)
		.select(
			q.name,
			q.transaction_date,
			q.valid_till,
			q.status,
			q.base_net_total,
			lead.qualification_status,
			first_order.as_("ordered_on"),
		)
		.where((q.docstatus == 1) & (q.transaction_date <= as_of))
		.where(q.transaction_date >= add_months(as_of, -HISTORY_MONTHS))
	)
	if filters.get("company"):
		query = query.where(q.company == filters.company)
	if filters.get("territory"):
		query = query.where(_in_tree(q.territory, "Territory", filters.territory))
	if filters.get("source"):
		query = query.where(q.source == filters.source)
	if filters.get("owner"):
		query = query.where(
			(lead.lead_owner == filters.owner) | (lead.lead_owner.isnull() & (q.owner == filters.owner))
		)
	query = permitted(query, "Quotation")
	past, still_open = [], []
	for name, quoted_on, valid_till, status, value, stage, ordered_on in query.run():
		quoted_on = getdate(quoted_on)
		valid_till = getdate(valid_till) if valid_till else None
		qualified = stage == "Qualified"
		if ordered_on:
			past.append(fc.PastQuote(qualified, ordered_age=(getdate(ordered_on) - quoted_on).days))
		elif (valid_till and valid_till < as_of) or (present and status == "Lost"):
			closed = min(valid_till, as_of) if valid_till else as_of
			past.append(fc.PastQuote(qualified, open_days=max(0, (closed - quoted_on).days)))
		else:
			still_open.append(fc.OpenQuote(name, quoted_on, float(value or 0), qualified, valid_till))
	return past, still_open


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


def forecast(filters, as_of: date, start: date, months: int, min_cases: int, present: bool):
	"""Probabilities, lines and monthly rows of the forecast made on `as_of`."""
	lead_p = fc.lead_probabilities(past_lead_counts(filters, as_of), min_cases)
	past, still_open = quotations(filters, as_of, present)
	quote_p = fc.quote_probabilities(past, min_cases)
	lines = fc.lead_lines(open_leads(filters, as_of), lead_p, order_values(filters, as_of), start)
	lines += fc.quote_lines(still_open, quote_p, as_of, start)
	return frappe._dict(
		lead_probabilities=lead_p,
		quote_probabilities=quote_p,
		lines=lines,
		rows=fc.by_month(lines, start, months),
	)


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
	or "unqualified" / "qualified" leads and their quotations (split "qualified")."""
	keys = ("before", "after") if split == "switch" else ("unqualified", "qualified")
	out = {k: fc.Cohort() for k in keys}
	lead, customer = frappe.qb.DocType("Lead"), frappe.qb.DocType("Customer")
	so = frappe.qb.DocType("Sales Order")

	def key_of(day: date, stage: str | None) -> str | None:
		if split == "switch":
			if switch is None:
				return "before"
			return "after" if day >= switch else "before"
		return "qualified" if stage == "Qualified" else "unqualified"

	# Leads and the customers they became.
	company = filters.get("company")
	leads = (
		frappe.qb.from_(lead)
		.select(lead.name, lead.creation, lead.qualification_status)
		.where((lead.creation >= str(from_date)) & (lead.creation < _end(to_date)))
	)
	leads = permitted(_lead_filters(leads, lead, filters), "Lead")
	group_of_lead = {}
	for name, created, stage in leads.run():
		key = key_of(getdate(created), stage)
		group_of_lead[name] = (key, getdate(created))
		out[key].leads += 1

	customers = permitted(
		frappe.qb.from_(customer)
		.select(customer.name, customer.lead_name)
		.where(customer.lead_name.isnotnull() & (customer.creation < _end(to_date))),
		"Customer",
	)
	lead_of_customer = {c: ln for c, ln in customers.run() if ln in group_of_lead}
	for lead_name in set(lead_of_customer.values()):
		out[group_of_lead[lead_name][0]].customers += 1

	orders = frappe.qb.from_(so).select(so.customer, so.transaction_date, so.base_net_total)
	orders = orders.where((so.docstatus == 1) & (so.transaction_date <= to_date))
	if company:
		orders = orders.where(so.company == company)
	first_order: dict[str, date] = {}
	for cust, day, amount in permitted(orders, "Sales Order").run():
		lead_name = lead_of_customer.get(cust)
		if not lead_name:
			continue
		out[group_of_lead[lead_name][0]].order_values.append(float(amount or 0))
		day = getdate(day)
		if lead_name not in first_order or day < first_order[lead_name]:
			first_order[lead_name] = day
	for lead_name, day in first_order.items():
		key, created = group_of_lead[lead_name]
		out[key].days_to_first_order.append(max(0, (day - created).days))

	# Quotations and whether they became an order.
	q, qlead, soi = (
		frappe.qb.DocType("Quotation"),
		frappe.qb.DocType("Lead"),
		frappe.qb.DocType("Sales Order Item"),
	)
	ordered = (
		frappe.qb.from_(soi)
		.join(so)
		.on(so.name == soi.parent)
		.select(soi.parent)
		.where((soi.prevdoc_docname == q.name) & (so.docstatus == 1) & (so.transaction_date <= to_date))
		.limit(1)
	)
	lead_name = Case().when(q.quotation_to == "Lead", q.party_name).else_(customer.lead_name)
	quotes = (
		frappe.qb.from_(q)
		.left_join(customer)
		.on((q.quotation_to == "Customer") & (customer.name == q.party_name))
		.left_join(qlead)
		.on(qlead.name == lead_name)
		.select(q.transaction_date, qlead.name, qlead.qualification_status, ordered.as_("order_name"))
		.where((q.docstatus == 1) & (q.transaction_date >= from_date) & (q.transaction_date <= to_date))
	)
	if company:
		quotes = quotes.where(q.company == company)
	if filters.get("territory"):
		quotes = quotes.where(_in_tree(q.territory, "Territory", filters.territory))
	if filters.get("source"):
		quotes = quotes.where(q.source == filters.source)
	if filters.get("owner"):
		quotes = quotes.where(
			(qlead.lead_owner == filters.owner) | (qlead.lead_owner.isnull() & (q.owner == filters.owner))
		)
	for day, qlead_name, stage, order_name in permitted(quotes, "Quotation").run():
		if split == "qualified" and not qlead_name:
			continue  # a quotation for a customer that did not come from a lead
		key = key_of(getdate(day), stage)
		out[key].quotations += 1
		if order_name:
			out[key].ordered_quotations += 1
	return out
