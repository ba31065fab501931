"""Quotation, Opportunity and Customer hooks: the qualification gate (wired in hooks.py)."""

from lead_qualification.lead_qualification import gates, qualification


def _skip(doc) -> bool:
	return bool(doc.flags.ignore_lead_qualification) or not qualification.is_enabled()


def validate(doc, method=None):
	gates.keep_before_gates_mark(doc)
	if not _skip(doc):
		gates.check_document(doc)


def before_submit(doc, method=None):
	if not _skip(doc):
		gates.check_document(doc, submitting=True)


def on_update(doc, method=None):
	gates.record_override(doc)
