"""Communication hooks: e-mails received from a lead (an activity, and a reply announced to
the features that react to one), e-mails to a lead opened."""

from lead_qualification import lead_events
from lead_qualification.lead_scoring import activities, scoring


def after_insert(doc, method=None):
	if scoring.is_enabled():
		activities.record_email_received(doc)
	announce_reply(doc)


def announce_reply(doc) -> None:
	if doc.communication_type != "Communication" or doc.sent_or_received != "Received":
		return
	lead_events.announce(
		[lead_events.LeadChange(lead, lead_events.REPLY, doc.name) for lead in activities.replying_leads(doc)]
	)


def on_update(doc, method=None):
	if scoring.is_enabled():
		activities.record_email_opened(doc)
