# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

"""Did qualification pay? Side by side, before and after the app was switched on, or the
qualified and unqualified leads of one period: lead to customer conversion, quotation to
order rate, quotations that never became an order, days from lead to first order, average
order value; each figure with its cases, flagged when a group has fewer than 30."""

import frappe
from frappe import _
from frappe.utils import add_months, format_date, getdate, nowdate

from lead_qualification.lead_qualification import forecast as fc
from lead_qualification.lead_qualification import revenue_history

BEFORE_AFTER = "Before and After the App"
QUALIFIED = "Qualified vs Unqualified Leads"


def figure_labels() -> dict[str, str]:
	return {
		"lead_to_customer": _("Lead to Customer %"),
		"quote_to_order": _("Quotation to Order %"),
		"quotes_never_ordered": _("Quotations Never Ordered"),
		"quotes_never_ordered_share": _("Quotations Never Ordered %"),
		"days_to_first_order": _("Days from Lead to First Order (median)"),
		"average_order_value": _("Average Order Value"),
	}


def execute(filters=None):
	filters = prepare(filters)
	switch = revenue_history.switch_on_moment()
	split = "qualified" if filters.compare == QUALIFIED else "switch"
	groups = revenue_history.cohorts(filters, filters.from_date, filters.to_date, split, switch)
	(a_key, a), (b_key, b) = ((k, fc.impact(c)) for k, c in groups.items())
	data = [row_of(name, a[name], b[name]) for name in fc.IMPACT_FIGURES]
	return (
		get_columns(filters, split),
		data,
		message(filters, split, switch),
		get_chart(a, b, split),
	)


def prepare(filters) -> frappe._dict:
	filters = frappe._dict(filters or {})
	filters.company = (
		filters.company
		or frappe.defaults.get_user_default("Company")
		or frappe.defaults.get_global_default("company")
	)
	filters.compare = filters.compare or BEFORE_AFTER
	filters.to_date = getdate(filters.to_date or nowdate())
	filters.from_date = getdate(filters.from_date or add_months(filters.to_date, -24))
	return filters


def row_of(name: str, a: fc.Figure, b: fc.Figure) -> dict:
	return {
		"figure": figure_labels()[name],
		"a_value": a.value,
		"a_cases": a.cases,
		"b_value": b.value,
		"b_cases": b.cases,
		"difference": fc.difference(a, b),
		"note": _("Fewer than {0} cases: may be noise").format(fc.NOISE_CASES)
		if a.few_cases or b.few_cases
		else "",
	}


def group_labels(split: str) -> tuple[str, str]:
	if split == "qualified":
		return _("Unqualified Leads"), _("Qualified Leads")
	return _("Before the App"), _("After the App")


def get_columns(filters, split: str) -> list[dict]:
	a, b = group_labels(split)
	return [
		{"fieldname": "figure", "label": _("Figure"), "fieldtype": "Data", "width": 300},
		{"fieldname": "a_value", "label": a, "fieldtype": "Float", "precision": 1, "width": 170},
		{"fieldname": "a_cases", "label": _("Cases") + f" ({a})", "fieldtype": "Int", "width": 200},
		{"fieldname": "b_value", "label": b, "fieldtype": "Float", "precision": 1, "width": 170},
		{"fieldname": "b_cases", "label": _("Cases") + f" ({b})", "fieldtype": "Int", "width": 200},
		{
			"fieldname": "difference",
			"label": _("Difference"),
			"fieldtype": "Float",
			"precision": 1,
			"width": 110,
		},
		{"fieldname": "note", "label": _("Note"), "fieldtype": "Data", "width": 260},
	]


def get_chart(a: dict, b: dict, split: str) -> dict:
	names = ("lead_to_customer", "quote_to_order", "quotes_never_ordered_share")
	la, lb = group_labels(split)
	return {
		"data": {
			"labels": [figure_labels()[n] for n in names],
			"datasets": [
				{"name": la, "values": [a[n].value or 0 for n in names]},
				{"name": lb, "values": [b[n].value or 0 for n in names]},
			],
		},
		"type": "bar",
		"colors": ["#8d99a6", "#28a745"],
		"fieldtype": "Percent",
	}


def message(filters, split: str, switch) -> str:
	lines = []
	if split == "switch":
		if switch:
			lines.append(
				_(
					"The app was switched on on {0}: leads and quotations before that day are compared with those from it on."
				).format(format_date(switch))
			)
		else:
			lines.append(
				_(
					"No switch-on date found yet (Gates Active Since, Lead Status Log): everything counts as before."
				)
			)
	else:
		lines.append(
			_(
				"Leads of the period by their qualification status; quotations by the status of their lead (quotations for customers that did not come from a lead are left out)."
			)
		)
	lines.append(
		_(
			"Leads and quotations are counted by their own date, between {0} and {1}; orders are submitted Sales Orders up to {1}. Quotations never ordered include those still open. A group with fewer than {2} cases is flagged: a difference there may be noise."
		).format(format_date(filters.from_date), format_date(filters.to_date), fc.NOISE_CASES)
	)
	return "".join(f'<p class="small">{frappe.utils.escape_html(line)}</p>' for line in lines)
