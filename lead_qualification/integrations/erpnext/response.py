"""The first-response clock's touch points: a new lead gets Respond By; an e-mail sent to it,
a call, a meeting or a note by staff stops its clock (lead_response/response.py)."""

from lead_qualification.lead_response import response


def lead_validate(doc, method=None):
	"""After the score (hooks list this handler after lead.validate): the band is known.
	The clock's stored fields are kept whether the clock is on or not."""
	if doc.flags.ignore_lead_qualification:
		return
	response.keep_stored_clock(doc)
	if response.is_enabled():
		response.set_respond_by(doc)


def lead_on_update(doc, method=None):
	"""ERPNext's Lead notes are rows saved with the lead (Lead.add_note saves it)."""
	if doc.flags.ignore_lead_qualification or doc.flags.lr_recording or not response.is_enabled():
		return
	doc.flags.lr_recording = True
	try:
		response.on_lead_notes(doc)
	finally:
		doc.flags.lr_recording = False


def communication_after_insert(doc, method=None):
	if response.is_enabled():
		response.on_communication(doc)


def call_log_on_update(doc, method=None):
	"""After insert and on every update: a call's status changes while it goes on."""
	if response.is_enabled():
		response.on_call_log(doc)


def event_on_update(doc, method=None):
	"""After insert and on update: participants are often added to a saved event."""
	if response.is_enabled():
		response.on_event(doc)


def appointment_after_insert(doc, method=None):
	if response.is_enabled():
		response.on_appointment(doc)


def comment_after_insert(doc, method=None):
	if response.is_enabled():
		response.on_comment(doc)
