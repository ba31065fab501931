"""Sites that installed the app before it took over existing work: the leads that already
had an Opportunity, a Quotation or a Customer *before the gates became active* become
prospects (documents made since went through the gate: a lead with such a document is a
prospect already, or a manager overrode the gate on purpose, which is not a promotion).
Leads the app qualified once and someone withdrew since are left alone.

Leads never scored (the install did not score the leads it found) get a bulk re-score.

A fresh install does this in after_install; Frappe marks this patch done then.
"""

import frappe
from frappe import _
from frappe.utils import get_datetime

from lead_qualification.setup.install import enqueue_scoring, take_over_existing_leads


def execute():
	since = frappe.db.get_single_value("Lead Qualification Settings", "gates_active_since")
	take_over_existing_leads(cutoff=get_datetime(since) if since else None)
	if frappe.db.exists("Lead", {"lq_scored_on": ("is", "not set")}):
		from lead_qualification.lead_scoring import scoring

		if scoring.is_enabled():
			enqueue_scoring(_("First scoring of the leads found at install"))
