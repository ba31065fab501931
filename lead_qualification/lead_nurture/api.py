"""Whitelisted nurture actions: from the Lead form, the Lead list, and for managers."""

import frappe
from frappe import _

from lead_qualification.lead_nurture import cadence, enrollment


@frappe.whitelist(methods=["POST"])
def enroll(lead: str, sequence: str) -> str:
	"""Enroll one lead (Lead form > Qualification > Enroll in Nurture)."""
	frappe.get_doc("Lead", lead).check_permission("write")
	frappe.has_permission(enrollment.ENROLLMENT, "create", throw=True)
	return enrollment.enroll(lead, sequence)


@frappe.whitelist(methods=["POST"])
def enroll_many(leads: list | str, sequence: str) -> dict:
	"""Enroll the leads selected in the Lead list; leads a stop rule excludes are skipped."""
	leads = frappe.parse_json(leads) if isinstance(leads, str) else leads
	frappe.has_permission(enrollment.ENROLLMENT, "create", throw=True)
	enrolled, skipped = [], []
	for lead in leads:
		if not frappe.has_permission("Lead", "write", lead):
			skipped.append(lead)
			continue
		name = enrollment.enroll(lead, sequence, throw=False)
		(enrolled if name else skipped).append(lead)
	return {"enrolled": enrolled, "skipped": skipped}


@frappe.whitelist(methods=["POST"])
def stop(enrollment_name: str) -> None:
	doc = frappe.get_doc(enrollment.ENROLLMENT, enrollment_name)
	doc.check_permission("write")
	if doc.status not in enrollment.OPEN_STATUSES:
		frappe.throw(_("This enrollment is already {0}.").format(_(doc.status)), exc=enrollment.NurtureError)
	enrollment.stop(doc.name, cadence.STOPPED_BY_USER)


@frappe.whitelist()
def get_for_lead(lead: str) -> list[dict]:
	frappe.get_doc("Lead", lead).check_permission("read")
	return enrollment.enrollments_for(lead)


@frappe.whitelist()
def next_follow_up(quotation: str | None = None, lead: str | None = None) -> dict | None:
	"""The next follow-up of a quotation (Quotation form) or of a lead (its nurture or
	prospect cadence)."""
	if quotation:
		frappe.get_doc("Quotation", quotation).check_permission("read")
		return enrollment.next_follow_up(quotation=quotation)
	if lead:
		frappe.get_doc("Lead", lead).check_permission("read")
		return enrollment.next_follow_up(lead=lead)
	return None


@frappe.whitelist()
def overdue_follow_ups(filters=None) -> dict:
	"""Number card Overdue Follow-ups: reminders of prospect and quotation follow-ups (ToDos)
	still open after their date."""
	frappe.has_permission("ToDo", "read", throw=True)
	return {"value": enrollment.overdue_follow_ups(), "fieldtype": "Int"}
