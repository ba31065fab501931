# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

"""For each lead: every qualification status and band it went through, for how long, and
who changed it (from the Lead Status Log, kept since the app was installed)."""

import frappe
from frappe import _
from frappe.utils import get_datetime, get_system_timezone

from lead_qualification import time_zones
from lead_qualification.lead_qualification.analytics import stays
from lead_qualification.lead_qualification.status_log import utc_now


def execute(filters=None):
	filters = frappe._dict(filters or {})
	return get_columns(), get_data(filters)


def get_data(filters) -> list[dict]:
	conditions = {}
	if filters.lead:
		conditions["lead"] = filters.lead
	if filters.kind:
		conditions["kind"] = filters.kind
	if filters.from_date:
		conditions["changed_on"] = (">=", filters.from_date)
	logs = frappe.get_list(
		"Lead Status Log",
		filters=conditions,
		fields=["lead", "kind", "value", "changed_on", "changed_on_utc", "changed_by"],
		order_by="lead asc, kind asc, changed_on asc",
		limit_page_length=0,
	)
	# Ordered and measured in UTC, which no change of the site's time zone moves; shown in
	# the site's zone of today. (A log without its UTC time, written before it was kept, is
	# read as the site's time of today.)
	zone = get_system_timezone()
	grouped: dict = {}
	for log in logs:
		utc = (
			get_datetime(log.changed_on_utc)
			if log.changed_on_utc
			else time_zones.to_utc(get_datetime(log.changed_on), zone)
		)
		grouped.setdefault((log.lead, log.kind), []).append((log.value, utc, log.changed_by))
	now = utc_now()
	data = []
	for (lead, kind), changes in grouped.items():
		for stay in stays(changes):
			data.append(
				{
					"lead": lead,
					"kind": kind,
					"value": stay.value,
					"from": time_zones.from_utc(stay.start, zone),
					"to": stay.end and time_zones.from_utc(stay.end, zone),
					"days": stay.days(now),
					"changed_by": stay.changed_by,
				}
			)
	return data


def get_columns() -> list[dict]:
	return [
		{"fieldname": "lead", "label": _("Lead"), "fieldtype": "Link", "options": "Lead", "width": 180},
		# Select, not Data: the desk shows a Select value translated (Band, Hot, In Process...).
		{"fieldname": "kind", "label": _("Kind"), "fieldtype": "Select", "width": 150},
		{"fieldname": "value", "label": _("Value"), "fieldtype": "Select", "width": 120},
		{"fieldname": "from", "label": _("From"), "fieldtype": "Datetime", "width": 160},
		{"fieldname": "to", "label": _("Until"), "fieldtype": "Datetime", "width": 160},
		{"fieldname": "days", "label": _("Days"), "fieldtype": "Float", "width": 90},
		{
			"fieldname": "changed_by",
			"label": _("Changed By"),
			"fieldtype": "Link",
			"options": "User",
			"width": 180,
		},
	]
