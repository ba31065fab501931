"""Whitelisted methods behind the Lead form's qualification actions.

Each checks the caller's permission on the lead (write to change it, read to look).
"""

import frappe

from lead_qualification.lead_qualification import qualification


@frappe.whitelist(methods=["POST"])
def promote(lead: str) -> dict:
	"""Promote a lead to prospect; refused with the list of unmet criteria."""
	doc = qualification.promote(lead)
	return qualification.summary(doc)


@frappe.whitelist(methods=["POST"])
def demote(lead: str, reason: str) -> dict:
	"""Send a qualified (not yet converted) lead back to In Process, with a reason."""
	doc = qualification.demote(lead, reason)
	return qualification.summary(doc)


@frappe.whitelist()
def get_summary(lead: str) -> dict:
	"""What the Lead form shows: criteria, completeness, what blocks promotion, and whether
	the Quotation gate holds for this lead."""
	from lead_qualification.lead_nurture import enrollment
	from lead_qualification.lead_qualification import gates
	from lead_qualification.lead_response import response

	doc = frappe.get_doc("Lead", lead)
	doc.check_permission("read")
	return {
		**qualification.summary(doc),
		"quotation_gate": gates.status_for_lead(doc, "Quotation"),
		"nurture": [e for e in enrollment.enrollments_for(lead) if e.status in enrollment.OPEN_STATUSES],
		"response": response.form_state(doc),
	}
