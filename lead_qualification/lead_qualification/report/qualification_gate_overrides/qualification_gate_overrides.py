# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

"""Every document made past a qualification gate: who, when, for which lead, and why."""

import frappe
from frappe import _

from lead_qualification.lead_qualification.gates import PARTY_FIELDS


def execute(filters=None):
	filters = frappe._dict(filters or {})
	return get_columns(), get_data(filters)


def get_columns():
	return [
		{"fieldname": "document_type", "label": _("Document Type"), "fieldtype": "Data", "width": 120},
		{
			"fieldname": "document",
			"label": _("Document"),
			"fieldtype": "Dynamic Link",
			"options": "document_type",
			"width": 180,
		},
		{"fieldname": "lead", "label": _("Lead"), "fieldtype": "Link", "options": "Lead", "width": 180},
		{
			"fieldname": "overridden_by",
			"label": _("Gate Overridden By"),
			"fieldtype": "Link",
			"options": "User",
			"width": 180,
		},
		{"fieldname": "reason", "label": _("Override Reason"), "fieldtype": "Small Text", "width": 300},
		{"fieldname": "date", "label": _("Date"), "fieldtype": "Datetime", "width": 160},
	]


def get_data(filters) -> list[dict]:
	rows = []
	for doctype, (_type_field, lead_field) in PARTY_FIELDS.items():
		if not frappe.get_meta(doctype).has_field("lq_gate_override"):
			continue
		if not frappe.has_permission(doctype, "read"):
			continue
		conditions = {"lq_gate_override": 1}
		if filters.get("from_date"):
			conditions["creation"] = (">=", filters.from_date)
		for d in frappe.get_list(
			doctype,
			filters=conditions,
			fields=["name", lead_field, "lq_gate_overridden_by", "lq_gate_override_reason", "modified"],
			order_by="modified desc",
		):
			rows.append(
				{
					"document_type": doctype,
					"document": d.name,
					"lead": d.get(lead_field),
					"overridden_by": d.lq_gate_overridden_by,
					"reason": d.lq_gate_override_reason,
					"date": d.modified,
				}
			)
	rows.sort(key=lambda r: r["date"], reverse=True)
	return rows
