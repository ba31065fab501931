"""Sites that had nurture before the follow-ups get the prospect and quotation sequences,
the quotation e-mail templates, and their existing enrollments marked as the Lead stage."""

import frappe

from lead_qualification.lead_nurture.defaults import install_follow_ups


def execute():
	frappe.db.sql("update `tabNurture Sequence` set stage = 'Lead' where coalesce(stage, '') = ''")
	frappe.db.sql("update `tabNurture Enrollment` set stage = 'Lead' where coalesce(stage, '') = ''")
	install_follow_ups()
