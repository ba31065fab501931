# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

"""Lead -> prospect -> opportunity -> quotation -> customer: counts and conversion rates of
the leads created in the period, by period, source, owner or territory."""

import frappe
from frappe import _
from frappe.utils import add_days, getdate, nowdate

from lead_qualification.lead_qualification.analytics import rate

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
		data.append(row)
	return data


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
