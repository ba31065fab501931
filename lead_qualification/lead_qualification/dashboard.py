"""Data behind the workspace's custom number card."""

import frappe
from frappe.utils import get_first_day, getdate, nowdate

from lead_qualification.lead_qualification.analytics import rate


@frappe.whitelist()
def lead_to_prospect_rate(filters=None) -> dict:
	"""Share of the leads created in the last 12 months that are prospects now."""
	frappe.has_permission("Lead", "read", throw=True)
	since = get_first_day(getdate(nowdate()).replace(year=getdate(nowdate()).year - 1))
	leads = frappe.db.count("Lead", {"creation": (">=", since)})
	prospects = frappe.db.count("Lead", {"creation": (">=", since), "qualification_status": "Qualified"})
	return {"value": rate(prospects, leads), "fieldtype": "Percent"}
