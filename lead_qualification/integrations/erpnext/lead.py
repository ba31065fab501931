"""ERPNext Lead hooks (wired in hooks.py `doc_events`)."""

from lead_qualification.lead_qualification import qualification


def _skip(doc) -> bool:
	return bool(doc.flags.ignore_lead_qualification) or not qualification.is_enabled()


def validate(doc, method=None):
	if _skip(doc):
		return
	qualification.apply_to_lead(doc)


def on_update(doc, method=None):
	if _skip(doc) or doc.flags.lq_recording:
		return
	doc.flags.lq_recording = True
	try:
		qualification.record_event(doc)
	finally:
		doc.flags.lq_recording = False
