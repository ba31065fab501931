"""ERPNext Lead hooks (wired in hooks.py `doc_events`).

Order matters on validate: the score is computed first, because promotion reads it.
"""

from lead_qualification import lead_events
from lead_qualification.lead_qualification import qualification
from lead_qualification.lead_scoring import activities, scoring
from lead_qualification.privacy import lead_privacy


def validate(doc, method=None):
	if doc.flags.ignore_lead_qualification:
		return
	# the quote-request form's checks and answers come first: scoring reads the BANT they fill
	if lead_privacy.is_quote_request(doc):
		lead_privacy.on_quote_request(doc)
	lead_privacy.record_basis(doc)
	if scoring.is_enabled():
		scoring.score_doc(doc)
	else:
		scoring.keep_stored_score(doc)
	if qualification.is_enabled():
		qualification.apply_to_lead(doc)


def on_update(doc, method=None):
	if doc.flags.ignore_lead_qualification or doc.flags.lq_recording:
		return
	doc.flags.lq_recording = True
	try:
		scoring.write_after_save(doc)
		if qualification.is_enabled():
			qualification.record_event(doc)
		# band and qualification status: the status log, nurture, alerts... listen
		lead_events.announce(lead_events.saved_lead_changes(doc.name, doc.get_doc_before_save(), doc))
	finally:
		doc.flags.lq_recording = False


def after_insert(doc, method=None):
	if doc.flags.ignore_lead_qualification or not scoring.is_enabled():
		return
	# the ledger of the score computed on validate, now, so that the stored rows match the
	# stored keys before an activity re-scores the lead (on_update then has nothing to write)
	scoring.write_after_save(doc, new=True)
	activities.record_web_form_submission(doc)


# rows of the app's own that only make sense with their lead
DEPENDENT_ROWS = (
	("Lead Score Entry", "lead"),
	("Lead Status Log", "lead"),
	("Lead Activity", "lead"),
	("Nurture Touch", "lead"),
	("Nurture Enrollment", "lead"),
)


def on_trash(doc, method=None):
	"""A deleted lead takes its score ledger, status log, activities and nurture records
	with it (ERPNext's own links, such as quotations, still prevent the deletion)."""
	import frappe

	for doctype, fieldname in DEPENDENT_ROWS:
		frappe.db.delete(doctype, {fieldname: doc.name})
