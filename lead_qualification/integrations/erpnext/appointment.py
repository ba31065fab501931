"""Appointment (ERPNext) and Event (Frappe) hooks: a lead booking a meeting or a visit."""

from lead_qualification.lead_scoring import activities, scoring


def appointment_after_insert(doc, method=None):
	if scoring.is_enabled():
		activities.record_appointment(doc)


def event_after_insert(doc, method=None):
	if scoring.is_enabled():
		activities.record_event_participation(doc)
