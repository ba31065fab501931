# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

"""Lead -> prospect -> opportunity -> quotation -> customer: counts and conversion rates of
the leads created in the period, by period, source, owner or territory."""

import frappe
from frappe import _
from frappe.utils import add_days, getdate, nowdate

from lead_qualification.lead_qualification.analytics import QuoteOutcome, quote_to_order_split, rate

GROUPS = {"Source": "source", "Owner": "lead_owner", "Territory": "territory"}
STAGES = ("leads", "prospects", "opportunities", "quotations", "customers")


def execute(filters=None):
	filters = frappe._dict(filters or {})
	filters.from_date = getdate(filters.from_date or add_days(nowdate(), -365))
	filters.to_date = getdate(filters.to_date or nowdate())
	data = get_data(filters)
	return get_columns(filters), data, None, get_chart(data)


def group_expression(filters) -> str:
	if filters.group_by in GROUPS:
		return f"coalesce(l.`{GROUPS[filters.group_by]}`, '')"
	period = filters.period or "Monthly"
	if period == "Quarterly":
		return "concat(year(l.creation), '-Q', quarter(l.creation))"
	if period == "Yearly":
		return "cast(year(l.creation) as char)"
	return "date_format(l.creation, '%%Y-%%m')"


def get_data(filters) -> list[dict]:
	group = group_expression(filters)
	quotes = quote_outcomes(filters, group)
	rows = frappe.db.sql(
		f"""
		select {group} as grp,
			count(*) as leads,
			sum(l.qualification_status = 'Qualified') as prospects,
			sum(exists(select 1 from `tabOpportunity` o where o.opportunity_from = 'Lead' and o.party_name = l.name)) as opportunities,
			sum(exists(select 1 from `tabQuotation` q where q.quotation_to = 'Lead' and q.party_name = l.name and q.docstatus = 1)) as quotations,
			sum(exists(select 1 from `tabCustomer` c where c.lead_name = l.name)) as customers
		from `tabLead` l
		where date(l.creation) between %(from_date)s and %(to_date)s
		and (%(source)s = '' or l.source = %(source)s)
		and (%(territory)s = '' or l.territory = %(territory)s)
		and (%(owner)s = '' or l.lead_owner = %(owner)s)
		group by grp
		order by grp
		""",
		{
			**filters,
			"source": filters.source or "",
			"territory": filters.territory or "",
			"owner": filters.owner or "",
		},
		as_dict=True,
	)
	data = []
	for r in rows:
		row = {"group": r.grp or _("Not Set"), **{s: int(r[s] or 0) for s in STAGES}}
		row["prospect_rate"] = rate(row["prospects"], row["leads"])
		row["opportunity_rate"] = rate(row["opportunities"], row["leads"])
		row["quotation_rate"] = rate(row["quotations"], row["leads"])
		row["customer_rate"] = rate(row["customers"], row["leads"])
		row.update(quote_measures(quotes.get(r.grp, [])))
		data.append(row)
	return data


def quote_outcomes(filters, group: str) -> dict[str, list[QuoteOutcome]]:
	"""The submitted quotations of the period's leads (to the lead, or to the customer made
	from it), by group: quoted on, ordered on (the first submitted Sales Order made from it),
	and whether a follow-up step reached the owner or the contact."""
	rows = frappe.db.sql(
		f"""
		select {group} as grp, q.transaction_date as quoted_on,
			(select min(o.transaction_date) from `tabSales Order Item` i
				join `tabSales Order` o on o.name = i.parent
				where i.prevdoc_docname = q.name and o.docstatus = 1) as ordered_on,
			exists(select 1 from `tabNurture Touch` t join `tabNurture Enrollment` e on e.name = t.enrollment
				where e.quotation = q.name and t.outcome in ('Sent', 'Task Created')) as followed_up
		from `tabQuotation` q
		left join `tabCustomer` c on q.quotation_to = 'Customer' and c.name = q.party_name
		join `tabLead` l on l.name = if(q.quotation_to = 'Lead', q.party_name, c.lead_name)
		where q.docstatus = 1
		and date(l.creation) between %(from_date)s and %(to_date)s
		and (%(source)s = '' or l.source = %(source)s)
		and (%(territory)s = '' or l.territory = %(territory)s)
		and (%(owner)s = '' or l.lead_owner = %(owner)s)
		""",
		{
			**filters,
			"source": filters.source or "",
			"territory": filters.territory or "",
			"owner": filters.owner or "",
		},
		as_dict=True,
	)
	out: dict[str, list[QuoteOutcome]] = {}
	for r in rows:
		out.setdefault(r.grp, []).append(
			QuoteOutcome(
				quoted_on=getdate(r.quoted_on),
				ordered_on=getdate(r.ordered_on) if r.ordered_on else None,
				followed_up=bool(r.followed_up),
			)
		)
	return out


QUOTE_MEASURES = (("all", ""), ("followed_up", "_fu"), ("not_followed_up", "_nfu"))


def quote_measure_labels() -> dict[str, tuple[str, str]]:
	return {
		"": (_("Quote to Order %"), _("Days Quote to Order")),
		"_fu": (_("Quote to Order %, Followed Up"), _("Days to Order, Followed Up")),
		"_nfu": (_("Quote to Order %, Not Followed Up"), _("Days to Order, Not Followed Up")),
	}


def quote_measures(outcomes: list[QuoteOutcome]) -> dict:
	split = quote_to_order_split(outcomes)
	row = {"orders": split["all"].ordered, "quotes_followed_up": split["followed_up"].quotations}
	for key, suffix in QUOTE_MEASURES:
		row[f"order_rate{suffix}"] = split[key].rate
		row[f"order_days{suffix}"] = split[key].average_days
	return row


def get_columns(filters) -> list[dict]:
	label = _(filters.group_by) if filters.group_by in GROUPS else _("Period")
	columns = [{"fieldname": "group", "label": label, "fieldtype": "Data", "width": 160}]
	for stage, title in zip(
		STAGES, (_("Leads"), _("Prospects"), _("With Opportunity"), _("With Quotation"), _("Customers"))
	):
		columns.append({"fieldname": stage, "label": title, "fieldtype": "Int", "width": 120})
	for fieldname, title in (
		("prospect_rate", _("Lead to Prospect %")),
		("opportunity_rate", _("Lead to Opportunity %")),
		("quotation_rate", _("Lead to Quotation %")),
		("customer_rate", _("Lead to Customer %")),
	):
		# precision 1: without it the desk shows the system's three decimals ("25,000 %" in French)
		columns.append(
			{"fieldname": fieldname, "label": title, "fieldtype": "Percent", "precision": 1, "width": 150}
		)
	columns.append(
		{"fieldname": "orders", "label": _("Quotations Ordered"), "fieldtype": "Int", "width": 120}
	)
	columns.append(
		{
			"fieldname": "quotes_followed_up",
			"label": _("Quotations Followed Up"),
			"fieldtype": "Int",
			"width": 120,
		}
	)
	labels = quote_measure_labels()
	for _key, suffix in QUOTE_MEASURES:
		rate_label, days_label = labels[suffix]
		columns.append(
			{
				"fieldname": f"order_rate{suffix}",
				"label": rate_label,
				"fieldtype": "Percent",
				"precision": 1,
				"width": 150,
			}
		)
		columns.append(
			{
				"fieldname": f"order_days{suffix}",
				"label": days_label,
				"fieldtype": "Float",
				"precision": 1,
				"width": 150,
			}
		)
	return columns


def get_chart(data) -> dict:
	totals = [sum(row[s] for row in data) for s in STAGES]
	return {
		"data": {
			"labels": [
				_("Leads"),
				_("Prospects"),
				_("With Opportunity"),
				_("With Quotation"),
				_("Customers"),
			],
			"datasets": [{"name": _("Leads"), "values": totals}],
		},
		"type": "bar",
		"colors": ["#5e64ff"],
	}
