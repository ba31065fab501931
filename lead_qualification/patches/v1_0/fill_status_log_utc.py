"""Lead Status Log rows written before *Changed On (UTC)* existed: fill it from *Changed On*,
read in the site's present time zone (the best guess there is), so that a later change of
the zone no longer moves them. See docs/time-zones.md."""

import frappe
from frappe.utils import get_system_timezone

from lead_qualification import time_zones


def execute():
	rows = frappe.db.sql(
		"select name, changed_on from `tabLead Status Log` where changed_on_utc is null and changed_on is not null"
	)
	if not rows:
		return
	frappe.db.sql(
		"update `tabLead Status Log` set changed_on_utc = changed_on "
		"where changed_on_utc is null and changed_on is not null"
	)
	for seconds, names in time_zones.shift_groups(rows, get_system_timezone(), "UTC").items():
		for i in range(0, len(names), 1000):
			frappe.db.sql(
				"""update `tabLead Status Log` set changed_on_utc = changed_on + interval %(seconds)s second
				where name in %(names)s""",
				{"seconds": seconds, "names": tuple(names[i : i + 1000])},
			)
