"""Follow-ups of prospects and quotations, driven by the host's events (the worker checks the
stop rules again before each step): Quotation, Sales Order, Communication and the next step
logged on a Lead or a Quotation."""

from frappe.utils import now_datetime

from lead_qualification.lead_nurture import cadence, enrollment, followup


def _on(doc) -> bool:
	return enrollment.is_enabled() and not doc.flags.ignore_lead_qualification


# --- the owner's next step -------------------------------------------------------------------


def stamp_next_step(doc, method=None):
	"""Lead validate, Quotation validate / before_update_after_submit: a next step written (or
	changed) is stamped with the moment it was logged."""
	if doc.get("lq_next_step") and (doc.is_new() or doc.has_value_changed("lq_next_step")):
		doc.lq_next_step_logged_on = now_datetime()


def _next_step_logged(doc) -> bool:
	return bool(doc.get("lq_next_step")) and doc.has_value_changed("lq_next_step_logged_on")


def lead_on_update(doc, method=None):
	if _on(doc) and _next_step_logged(doc):
		enrollment.stop_for_lead(doc.name, followup.NEXT_STEP, stages=(followup.PROSPECT,))


# --- quotations ------------------------------------------------------------------------------


def quotation_on_submit(doc, method=None):
	if _on(doc):
		enrollment.start_quotation_follow_up(doc)


def quotation_on_cancel(doc, method=None):
	if enrollment.is_enabled():
		enrollment.stop_for_quotation(doc.name, followup.CANCELLED)


def quotation_on_update_after_submit(doc, method=None):
	"""Declared lost (ERPNext saves the quotation after setting its status), or a next step
	logged by the owner."""
	if not _on(doc):
		return
	if doc.status == "Lost":
		enrollment.stop_for_quotation(doc.name, followup.QUOTATION_LOST)
	elif doc.status == "Expired":
		enrollment.stop_for_quotation(doc.name, followup.EXPIRED)
	elif _next_step_logged(doc):
		enrollment.stop_for_quotation(doc.name, followup.NEXT_STEP)


def sales_order_on_submit(doc, method=None):
	if not _on(doc):
		return
	for quotation in sorted({row.prevdoc_docname for row in doc.items if row.get("prevdoc_docname")}):
		enrollment.stop_for_quotation(quotation, followup.ORDERED)


def communication_after_insert(doc, method=None):
	"""The contact wrote about the quotation (a reply in its thread)."""
	if (
		doc.communication_type == "Communication"
		and doc.sent_or_received == "Received"
		and doc.reference_doctype == "Quotation"
		and doc.reference_name
		and enrollment.is_enabled()
	):
		enrollment.stop_for_quotation(doc.reference_name, cadence.REPLIED)
