# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

"""Open quotations to follow up, for managers: value, age, last contact, next follow-up and the
owner's next step; sorted by value or by age."""

import frappe
from frappe import _
from frappe.utils import get_datetime, getdate, now_datetime

SORTS = {"Value": "value", "Age": "age"}
OPEN_STATUSES = ("Open", "Replied", "Partially Ordered")


def execute(filters=None):
	filters = frappe._dict(filters or {})
	return get_columns(), get_data(filters)


def get_data(filters) -> list[dict]:
	frappe.has_permission("Quotation", "read", throw=True)
	conditions = ["q.docstatus = 1", "q.status in %(statuses)s"]
	if filters.company:
		conditions.append("q.company = %(company)s")
	if filters.owner:
		conditions.append("q.owner = %(owner)s")
	rows = frappe.db.sql(
		f"""
		select q.name as quotation, q.quotation_to, q.party_name, q.customer_name, q.owner,
			q.transaction_date, q.valid_till, q.base_grand_total as value, q.status,
			q.lq_next_step as next_step, q.lq_next_step_date as next_step_date,
			if(q.quotation_to = 'Lead', q.party_name, c.lead_name) as lead,
			(select min(e.next_due) from `tabNurture Enrollment` e
				where e.quotation = q.name and e.status = 'Active') as next_follow_up,
			(select max(e.last_touch_on) from `tabNurture Enrollment` e
				where e.quotation = q.name) as last_follow_up,
			(select max(m.communication_date) from `tabCommunication` m
				where m.reference_doctype = 'Quotation' and m.reference_name = q.name
				and m.communication_type = 'Communication') as last_message
		from `tabQuotation` q
		left join `tabCustomer` c on q.quotation_to = 'Customer' and c.name = q.party_name
		where {" and ".join(conditions)}
		""",
		{**filters, "statuses": OPEN_STATUSES},
		as_dict=True,
	)
	today = getdate()
	now = now_datetime()
	for r in rows:
		r.age = (today - getdate(r.transaction_date)).days if r.transaction_date else 0
		contacts = [get_datetime(d) for d in (r.last_follow_up, r.last_message) if d]
		r.last_contact = max(contacts) if contacts else None
		r.overdue = 1 if r.next_follow_up and get_datetime(r.next_follow_up) < now else 0
	if filters.overdue_only:
		rows = [r for r in rows if r.overdue]
	key = SORTS.get(filters.sort_by or "Value", "value")
	rows.sort(key=lambda r: (r.get(key) or 0, r.quotation), reverse=True)
	return rows


def get_columns() -> list[dict]:
	return [
		{
			"fieldname": "quotation",
			"label": _("Quotation"),
			"fieldtype": "Link",
			"options": "Quotation",
			"width": 170,
		},
		{"fieldname": "customer_name", "label": _("Customer Name"), "fieldtype": "Data", "width": 170},
		{"fieldname": "lead", "label": _("Lead"), "fieldtype": "Link", "options": "Lead", "width": 140},
		{"fieldname": "owner", "label": _("Owner"), "fieldtype": "Link", "options": "User", "width": 150},
		{"fieldname": "value", "label": _("Value"), "fieldtype": "Currency", "width": 120},
		{"fieldname": "transaction_date", "label": _("Date"), "fieldtype": "Date", "width": 100},
		{"fieldname": "age", "label": _("Age (Days)"), "fieldtype": "Int", "width": 90},
		{"fieldname": "valid_till", "label": _("Valid Till"), "fieldtype": "Date", "width": 100},
		{"fieldname": "last_contact", "label": _("Last Contact"), "fieldtype": "Datetime", "width": 150},
		{"fieldname": "next_follow_up", "label": _("Next Follow-up"), "fieldtype": "Datetime", "width": 150},
		{"fieldname": "overdue", "label": _("Overdue"), "fieldtype": "Check", "width": 80},
		{"fieldname": "next_step", "label": _("Agreed Next Step"), "fieldtype": "Data", "width": 200},
		{"fieldname": "next_step_date", "label": _("Next Step Date"), "fieldtype": "Date", "width": 110},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Data", "width": 100},
	]
