# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

"""Does the score predict sales? Per band: leads, prospects, customers and the revenue
actually booked (submitted Sales Invoices, else submitted Sales Orders, of the customers
the leads became), and the score threshold that would have separated buyers best."""

import frappe
from frappe import _
from frappe.utils import add_days, flt, getdate, nowdate

from lead_qualification.lead_qualification.analytics import best_threshold, rate

BANDS = ("Hot", "Warm", "Cold")


def execute(filters=None):
	filters = frappe._dict(filters or {})
	filters.from_date = getdate(filters.from_date or add_days(nowdate(), -730))
	filters.to_date = getdate(filters.to_date or nowdate())
	leads = get_leads(filters)
	data = summarise(leads)
	message = threshold_message(leads)
	return get_columns(), data, message, get_chart(data)


def get_leads(filters) -> list[dict]:
	return frappe.db.sql(
		"""
		select l.name, coalesce(l.lq_score, 0) as score, coalesce(nullif(l.lq_score_band, ''), 'Cold') as band,
			l.qualification_status = 'Qualified' as prospect,
			c.name as customer,
			coalesce((select sum(si.base_net_total) from `tabSales Invoice` si
				where si.customer = c.name and si.docstatus = 1), 0) as invoiced,
			coalesce((select sum(so.base_net_total) from `tabSales Order` so
				where so.customer = c.name and so.docstatus = 1), 0) as ordered
		from `tabLead` l
		left join `tabCustomer` c on c.lead_name = l.name
		where date(l.creation) between %(from_date)s and %(to_date)s
		and (%(source)s = '' or l.source = %(source)s)
		and (%(territory)s = '' or l.territory = %(territory)s)
		""",
		{**filters, "source": filters.source or "", "territory": filters.territory or ""},
		as_dict=True,
	)


def revenue(lead) -> float:
	return flt(lead.invoiced) or flt(lead.ordered)


def summarise(leads) -> list[dict]:
	data = []
	for band in BANDS:
		rows = [lead for lead in leads if lead.band == band]
		customers = [lead for lead in rows if lead.customer]
		booked = sum(revenue(lead) for lead in rows)
		data.append(
			{
				"band": band,
				"leads": len(rows),
				"prospects": sum(1 for lead in rows if lead.prospect),
				"customers": len(customers),
				"buyers": sum(1 for lead in rows if revenue(lead) > 0),
				"prospect_rate": rate(sum(1 for lead in rows if lead.prospect), len(rows)),
				"customer_rate": rate(len(customers), len(rows)),
				"revenue": booked,
				"revenue_per_lead": round(booked / len(rows), 2) if rows else 0,
			}
		)
	return data


def threshold_message(leads) -> str:
	best = best_threshold((flt(lead.score), revenue(lead) > 0) for lead in leads)
	if not best:
		return _(
			"Not enough history yet: the best threshold needs both leads that bought and leads that did not."
		)
	return _(
		"Best threshold: a score of {0} or more would have kept {1}% of the buyers and {2}% of the others (separation {3})."
	).format(
		frappe.bold(frappe.format(best.score, "Float")),
		round(100 * best.true_positive_rate, 1),
		round(100 * best.false_positive_rate, 1),
		best.separation,
	)


def get_columns() -> list[dict]:
	return [
		# Select, not Data: the desk shows a Select value translated (Chaud, Tiède, Froid in French).
		{"fieldname": "band", "label": _("Band"), "fieldtype": "Select", "width": 100},
		{"fieldname": "leads", "label": _("Leads"), "fieldtype": "Int", "width": 100},
		{"fieldname": "prospects", "label": _("Prospects"), "fieldtype": "Int", "width": 100},
		{"fieldname": "customers", "label": _("Customers"), "fieldtype": "Int", "width": 100},
		{"fieldname": "buyers", "label": _("With Revenue"), "fieldtype": "Int", "width": 110},
		{
			"fieldname": "prospect_rate",
			"label": _("Lead to Prospect %"),
			"fieldtype": "Percent",
			"precision": 1,
			"width": 140,
		},
		{
			"fieldname": "customer_rate",
			"label": _("Lead to Customer %"),
			"fieldtype": "Percent",
			"precision": 1,
			"width": 140,
		},
		{"fieldname": "revenue", "label": _("Revenue Booked"), "fieldtype": "Currency", "width": 140},
		{
			"fieldname": "revenue_per_lead",
			"label": _("Revenue per Lead"),
			"fieldtype": "Currency",
			"width": 140,
		},
	]


def get_chart(data) -> dict:
	return {
		"data": {
			"labels": [_(row["band"]) for row in data],
			"datasets": [{"name": _("Lead to Customer %"), "values": [row["customer_rate"] for row in data]}],
		},
		"type": "bar",
		"colors": ["#ff5858"],
	}
