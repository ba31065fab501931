"""Communication hooks: e-mails received from a lead, e-mails to a lead opened."""

from lead_qualification.lead_scoring import activities, scoring


def after_insert(doc, method=None):
	if scoring.is_enabled():
		activities.record_email_received(doc)


def on_update(doc, method=None):
	if scoring.is_enabled():
		activities.record_email_opened(doc)
