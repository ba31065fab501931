"""System Settings: when the site's time zone changes (the setup wizard sets it; a manager
may change it later), the app's own future stamps are moved to keep naming the same moment.
See docs/time-zones.md for every stamp the app compares and why the others need nothing."""

import frappe

from lead_qualification import time_zones


def on_update(doc, method=None):
	"""Not guarded by Lead Nurture Settings' Enabled: the due times must be right when nurture
	is enabled again."""
	if doc.flags.lq_time_zone_done:
		return
	before = doc.get_doc_before_save()
	if not before:
		return
	old = time_zones.effective_zone(before.get("time_zone"))
	new = time_zones.effective_zone(doc.get("time_zone"))
	if old == new or not frappe.db.table_exists("Nurture Enrollment"):
		return
	doc.flags.lq_time_zone_done = True

	from lead_qualification.lead_nurture import enrollment

	enrollment.reexpress_due_times(old, new)
