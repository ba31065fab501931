"""Leads Past Retention: what the next retention run would do (a dry run)."""

from frappe import _
from frappe.utils import now_datetime

from lead_qualification.privacy import lead_privacy, retention
from lead_qualification.privacy.api import check_manager

MAX_ROWS = 5000


def execute(filters=None):
	check_manager()
	settings = lead_privacy.get_settings()
	months, action = retention.policy(settings)
	now = now_datetime()
	rows = retention.candidates(now, months, MAX_ROWS)
	data = [
		{
			"lead": row.name,
			"lead_name": row.lead_name,
			"status": row.status,
			"creation": row.creation,
			"last_contact": row.last_contact,
			"action": _(action),
		}
		for row in rows
	]
	message = _("Retention is off: nothing is done until it is turned on in Lead Privacy Settings.")
	if settings.retention_enabled:
		message = _("The next daily run will apply this to the leads listed.")
	return columns(months), data, message


def columns(months: int) -> list[dict]:
	return [
		{"fieldname": "lead", "label": _("Lead"), "fieldtype": "Link", "options": "Lead", "width": 180},
		{"fieldname": "lead_name", "label": _("Name"), "fieldtype": "Data", "width": 180},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Data", "width": 120},
		{"fieldname": "creation", "label": _("Created On"), "fieldtype": "Datetime", "width": 160},
		{
			"fieldname": "last_contact",
			"label": _("Last Contact From the Person"),
			"fieldtype": "Datetime",
			"width": 200,
		},
		{"fieldname": "action", "label": _("Next Run Will"), "fieldtype": "Data", "width": 130},
	]
