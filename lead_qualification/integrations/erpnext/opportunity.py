"""Opportunity hooks: a lead asking for a quotation."""

from lead_qualification.lead_scoring import activities, scoring


def after_insert(doc, method=None):
	if scoring.is_enabled():
		activities.record_quotation_request(doc)
