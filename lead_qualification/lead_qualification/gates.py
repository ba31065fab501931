"""Document gates on a real site: the Quotation (and opt-in documents) of an unqualified
lead is refused or warned about, unless a permitted user overrides it with a reason.

The gate is checked on every validate and on submit, so it holds whatever the way in:
desk form, REST, frappe.client.insert / save / set_value, Data Import, duplicate, amend,
a quotation made from an Opportunity, or a party changed on a saved document (however old).
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import cstr, escape_html, flt, get_link_to_form

from lead_qualification.lead_qualification import gate_rules, promotion, qualification

# document type -> (field saying the party is a Lead, field holding the lead)
PARTY_FIELDS = {
	"Quotation": ("quotation_to", "party_name"),
	"Opportunity": ("opportunity_from", "party_name"),
	"Customer": (None, "lead_name"),
}


class GateRefusedError(frappe.ValidationError):
	pass


class GateOverrideError(frappe.ValidationError):
	pass


def lead_of(doc) -> str | None:
	type_field, lead_field = PARTY_FIELDS[doc.doctype]
	if type_field and doc.get(type_field) != "Lead":
		return None
	return doc.get(lead_field) or None


def get_gate(document_type: str) -> gate_rules.Gate | None:
	for row in qualification.get_settings().get("gates") or []:
		if row.document_type == document_type and row.enabled:
			return gate_rules.Gate(
				document_type=row.document_type,
				require_qualified=bool(row.require_qualified),
				min_score=flt(row.min_score),
				mode=row.mode or gate_rules.REFUSE,
			)
	return None


def lead_state(lead: str) -> gate_rules.LeadState:
	doc = frappe.get_doc("Lead", lead)
	qualified = doc.qualification_status == promotion.QUALIFIED
	shortfalls = () if qualified else qualification.decide(doc).shortfalls
	return gate_rules.LeadState(
		qualified=qualified, score=flt(doc.get("lq_score")), shortfalls=tuple(shortfalls)
	)


def check_lead(document_type: str, lead: str) -> gate_rules.GateCheck | None:
	gate = get_gate(document_type)
	if not gate or not qualification.is_enabled():
		return None
	return gate_rules.check_gate(gate, lead_state(lead))


def gate_message(document_type: str, lead: str, result: gate_rules.GateCheck) -> str:
	lead_label = frappe.bold(frappe.db.get_value("Lead", lead, "lead_name") or lead)
	reasons = []
	if result.not_qualified:
		if result.shortfalls:
			missing = ", ".join(qualification.shortfall_text(s) for s in result.shortfalls)
			reasons.append(_("it is not a prospect yet (not met: {0})").format(missing))
		else:
			reasons.append(
				_(
					"it is not a prospect yet: its criteria are met, promote it with Qualification > Promote to Prospect"
				)
			)
	if result.missing_points > 0:
		reasons.append(
			_("its score is {0} points short of the {1} this gate asks for").format(
				frappe.format(result.missing_points, "Float"),
				frappe.format(flt(get_gate(document_type).min_score), "Float"),
			)
		)
	return _(
		"No {0} for lead {1} yet: {2}. Complete its qualification on the lead; the {0} is allowed as soon as the lead is promoted."
	).format(_(document_type), lead_label, "; ".join(reasons))


def made_before_gates(doc) -> bool:
	"""Did this document exist when the gates were installed? Marked once, at install, on
	the documents that existed then (lq_before_gates): no clock involved, so a change of
	the site's time zone cannot move the boundary."""
	return not doc.is_new() and bool(doc.get("lq_before_gates"))


def keep_before_gates_mark(doc) -> None:
	"""Nothing that comes through a document (REST, import, a copy, an amendment) sets or
	clears the mark: a new document never has it, a saved one keeps its stored value."""
	if not doc.meta.has_field("lq_before_gates"):
		return
	if doc.is_new():
		doc.lq_before_gates = 0
		return
	before = doc.get_doc_before_save()
	stored = (
		before.get("lq_before_gates")
		if before
		else frappe.db.get_value(doc.doctype, doc.name, "lq_before_gates")
	)
	doc.lq_before_gates = 1 if stored else 0


def party_changed(doc) -> bool:
	before = doc.get_doc_before_save()
	if not before:
		return False
	type_field, lead_field = PARTY_FIELDS[doc.doctype]
	fields = [f for f in (type_field, lead_field) if f]
	return any(cstr(before.get(f)) != cstr(doc.get(f)) for f in fields)


def check_document(doc, submitting: bool = False) -> None:
	"""validate / before_submit of a gated document type."""
	lead = lead_of(doc)
	if not lead:
		return
	if not gate_rules.gate_applies(
		is_new=doc.is_new(),
		party_changed=party_changed(doc),
		submitting=submitting,
		made_before_gates=made_before_gates(doc),
	):
		return
	result = check_lead(doc.doctype, lead)
	if result is None or result.passed:
		return
	if doc.get("lq_gate_override"):
		apply_override(doc, lead)
		return
	message = gate_message(doc.doctype, lead, result)
	if result.mode == gate_rules.WARN:
		frappe.msgprint(message, title=_("Lead not qualified"), indicator="orange")
		return
	frappe.throw(message, exc=GateRefusedError, title=_("Lead not qualified"))


def override_role() -> str:
	return qualification.get_settings().get("override_role") or "Sales Manager"


def apply_override(doc, lead: str) -> None:
	role = override_role()
	outcome = gate_rules.override_outcome(
		has_role=role in frappe.get_roles(), reason=doc.get("lq_gate_override_reason")
	)
	if outcome == gate_rules.OVERRIDE_NO_ROLE:
		frappe.throw(
			_("Only a user with the role {0} may override the qualification gate.").format(
				frappe.bold(_(role))
			),
			exc=GateOverrideError,
		)
	if outcome == gate_rules.OVERRIDE_NO_REASON:
		frappe.throw(
			_("Give a reason to override the qualification gate (Override Reason)."), exc=GateOverrideError
		)
	doc.lq_gate_overridden_by = frappe.session.user
	doc.flags.lq_gate_override_lead = lead


def record_override(doc) -> None:
	"""After the save: the override lands on both timelines."""
	lead = doc.flags.lq_gate_override_lead
	doc.flags.lq_gate_override_lead = None
	if not lead:
		return
	reason = frappe.bold(escape_html(cstr(doc.lq_gate_override_reason)))
	text = _("Qualification gate overridden for {0} {1}. Reason: {2}").format(
		_(doc.doctype), get_link_to_form(doc.doctype, doc.name), reason
	)
	frappe.get_doc("Lead", lead).add_comment("Info", text)
	doc.add_comment(
		"Info",
		_("Qualification gate overridden for lead {0}. Reason: {1}").format(
			get_link_to_form("Lead", lead), reason
		),
	)


def status_for_lead(lead_doc, document_type: str = "Quotation") -> dict | None:
	"""For the Lead form: is the "Create > Quotation" action locked, and why."""
	result = check_lead(document_type, lead_doc.name)
	if result is None:
		return None
	return {
		"locked": not result.passed and result.mode == gate_rules.REFUSE,
		"warn": not result.passed and result.mode == gate_rules.WARN,
		"message": "" if result.passed else gate_message(document_type, lead_doc.name, result),
		"override_role": override_role(),
	}
