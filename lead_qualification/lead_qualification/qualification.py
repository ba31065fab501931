"""Qualification service: loads a lead's data and settings, asks the pure BANT and
promotion rules, and writes the outcome on the Lead (status, flags, timeline, Prospect).

Hook handlers (integrations/erpnext/lead.py) and whitelisted methods (api.py) are
thin wrappers around the functions here.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import comma_and, comma_or, cstr, escape_html, nowdate

from lead_qualification.lead_qualification import bant, promotion

SETTINGS_DOCTYPE = "Lead Qualification Settings"
CRITERION_SETTING = {
	bant.NEED: "require_need",
	bant.BUDGET: "require_budget",
	bant.AUTHORITY: "require_authority",
	bant.TIMING: "require_timing",
}
MET_FIELD = {c: f"bant_{c}_met" for c in bant.CRITERIA}


class QualificationError(frappe.ValidationError):
	pass


class InvalidBantValueError(QualificationError):
	pass


class PromotionRefusedError(QualificationError):
	pass


class DemotionRefusedError(QualificationError):
	pass


def criterion_label(criterion: str) -> str:
	return {
		bant.NEED: _("Need"),
		bant.BUDGET: _("Budget"),
		bant.AUTHORITY: _("Authority"),
		bant.TIMING: _("Timing"),
	}[criterion]


# --- settings -------------------------------------------------------------------


def get_settings():
	return frappe.get_cached_doc(SETTINGS_DOCTYPE)


def is_enabled() -> bool:
	return bool(get_settings().enabled)


def policy_settings(settings=None) -> promotion.PolicySettings:
	from lead_qualification.lead_scoring import scoring

	settings = settings or get_settings()
	required = frozenset(c for c, fieldname in CRITERION_SETTING.items() if settings.get(fieldname))
	extra = {"min_score": scoring.promotion_min_score()} if scoring.is_enabled() else {}
	return promotion.PolicySettings(required=required, auto_promote=bool(settings.auto_promote), extra=extra)


def requirements() -> tuple[promotion.Requirement, ...]:
	from lead_qualification.lead_scoring import scoring

	return promotion.WITH_SCORE if scoring.is_enabled() else promotion.DEFAULT_REQUIREMENTS


# --- assessment -----------------------------------------------------------------


def assess(doc) -> bant.Assessment:
	try:
		return bant.assess_values(doc)  # a Document answers .get() like a dict
	except bant.BantInputError as e:
		frappe.throw(bant_input_message(e), exc=InvalidBantValueError, title=_("Invalid BANT value"))


def bant_input_message(e: bant.BantInputError) -> str:
	label = _(frappe.get_meta("Lead").get_label(e.fieldname))
	if e.code == "negative_budget":
		return _("{0} cannot be negative. Enter 0 if the budget is not known yet.").format(label)
	if e.code == "not_a_number":
		return _("{0} must be a number, not {1}.").format(label, frappe.bold(cstr(e.value)))
	options = frappe.get_meta("Lead").get_options(e.fieldname).split("\n")
	return _("{0} cannot be {1}. Choose one of: {2}.").format(
		label, frappe.bold(cstr(e.value)), comma_or([_(o) for o in options if o], add_quotes=False)
	)


def facts_for(doc, assessment: bant.Assessment | None = None) -> promotion.LeadFacts:
	return promotion.LeadFacts(
		assessment=assessment or assess(doc), extra={"score": doc.get("lq_score") or 0}
	)


def decide(doc, assessment: bant.Assessment | None = None, settings=None) -> promotion.Decision:
	return promotion.evaluate(facts_for(doc, assessment), policy_settings(settings), requirements())


def shortfall_text(shortfall: promotion.Shortfall) -> str:
	if shortfall.code == "criterion_not_met":
		return criterion_label(shortfall.subject)
	if shortfall.code == "score_below_minimum":
		d = shortfall.detail
		return _("a score of {0} (now {1}, {2} points missing)").format(
			frappe.format(d["minimum"], "Float"),
			frappe.format(d["score"], "Float"),
			frappe.format(d["missing"], "Float"),
		)
	return _(shortfall.subject)


def refusal_message(doc, refusal: str, decision: promotion.Decision) -> tuple[str, type]:
	if refusal == promotion.REFUSED_NOT_ELIGIBLE:
		missing = comma_and([shortfall_text(s) for s in decision.shortfalls], add_quotes=False)
		return (
			_(
				"{0} cannot be promoted to prospect yet. Not met: {1}. Complete them in the Qualification tab, then promote again."
			).format(frappe.bold(doc.get("lead_name") or doc.name), missing),
			PromotionRefusedError,
		)
	if refusal == promotion.REFUSED_REASON_REQUIRED:
		return (
			_(
				"A qualified lead goes back to In Process only with a reason: use the Back to In Process action on the lead."
			),
			DemotionRefusedError,
		)
	if refusal == promotion.REFUSED_CONVERTED:
		return (
			_("{0} is already converted to a customer; its qualification can no longer be withdrawn.").format(
				frappe.bold(doc.get("lead_name") or doc.name)
			),
			DemotionRefusedError,
		)
	if refusal == promotion.REFUSED_DEMOTION_TARGET:
		return _("A qualified lead can only go back to In Process."), DemotionRefusedError
	return (
		_("{0} is not a qualification status. Choose one of: {1}.").format(
			frappe.bold(cstr(doc.get("qualification_status"))),
			comma_or([_(s) for s in promotion.STATUSES], add_quotes=False),
		),
		QualificationError,
	)


def is_converted(doc) -> bool:
	if doc.get("status") == "Converted":
		return True
	return not doc.is_new() and bool(frappe.db.exists("Customer", {"lead_name": doc.name}))


# --- what a save does -------------------------------------------------------------


def apply_to_lead(doc) -> None:
	"""Set the BANT flags and the qualification status of a lead being saved.

	Refuses (and so changes nothing) when the requested status is not allowed.
	"""
	assessment = assess(doc)
	settings = get_settings()
	facts = facts_for(doc, assessment)
	policy = policy_settings(settings)
	decision = promotion.evaluate(facts, policy, requirements())

	before = None if doc.is_new() else doc.get_doc_before_save()
	previous = before.get("qualification_status") if before else None
	requested = doc.get("qualification_status")
	# only a withdrawal needs to know about conversion (a query): ask only then
	withdrawing = previous == promotion.QUALIFIED and requested != promotion.QUALIFIED
	resolution = promotion.resolve_status(
		previous,
		requested,
		facts,
		policy,
		demotion_reason=doc.flags.lq_demotion_reason,
		converted=withdrawing and is_converted(doc),
		decision=decision,
	)
	if resolution.refused:
		message, exc = refusal_message(doc, resolution.refusal, decision)
		frappe.throw(message, exc=exc, title=_("Lead Qualification"))

	set_assessment_fields(doc, assessment)
	doc.qualification_status = resolution.status
	if resolution.event in (promotion.EVENT_PROMOTED_AUTO, promotion.EVENT_PROMOTED_MANUAL):
		doc.qualified_by = frappe.session.user
		doc.qualified_on = nowdate()
	elif resolution.event == promotion.EVENT_DEMOTED:
		doc.qualified_by = None
		doc.qualified_on = None
	doc.flags.lq_event = resolution.event


def set_assessment_fields(doc, assessment: bant.Assessment) -> None:
	for criterion, fieldname in MET_FIELD.items():
		doc.set(fieldname, 1 if assessment.met[criterion] else 0)
	doc.bant_completeness = assessment.completeness


def record_event(doc) -> None:
	"""After the save: timeline entry (who and when are the comment's) and Prospect."""
	event = doc.flags.lq_event
	doc.flags.lq_event = None
	if not event:
		return

	if event == promotion.EVENT_PROMOTED_AUTO:
		doc.add_comment("Info", _("Promoted to prospect: every required BANT criterion is met."))
	elif event == promotion.EVENT_PROMOTED_MANUAL:
		doc.add_comment("Info", _("Promoted to prospect."))
	elif event == promotion.EVENT_DEMOTED:
		doc.add_comment(
			"Info",
			_("Returned to In Process. Reason: {0}").format(
				frappe.bold(escape_html(doc.flags.lq_demotion_reason))
			),
		)
	elif event == promotion.EVENT_STARTED:
		doc.add_comment("Info", _("Qualification started."))

	if event in (promotion.EVENT_PROMOTED_AUTO, promotion.EVENT_PROMOTED_MANUAL):
		if get_settings().link_prospect:
			prospect = link_prospect(doc)
			if prospect:
				doc.add_comment("Info", _("Added to prospect {0}.").format(frappe.bold(prospect)))


def link_prospect(doc) -> str | None:
	"""Put the lead's organisation on an ERPNext Prospect, as ERPNext's own
	"Add to Prospect" and "Create Prospect" actions do. Returns the Prospect's name."""
	from erpnext.crm.doctype.lead.lead import add_lead_to_prospect

	if not doc.get("company_name"):
		return None
	already = frappe.db.get_value("Prospect Lead", {"lead": doc.name}, "parent")
	if already:
		return None
	existing = frappe.db.get_value("Prospect", {"company_name": doc.company_name})
	if existing:
		add_lead_to_prospect(doc.name, existing)
		return existing
	doc.create_prospect(doc.company_name)
	return frappe.db.get_value("Prospect", {"company_name": doc.company_name})


# --- actions --------------------------------------------------------------------


def promote(lead: str):
	doc = frappe.get_doc("Lead", lead)
	doc.check_permission("write")
	if doc.qualification_status == promotion.QUALIFIED:
		frappe.throw(
			_("{0} is already a prospect.").format(frappe.bold(doc.lead_name or doc.name)),
			exc=PromotionRefusedError,
		)
	decision = decide(doc)
	if not decision.eligible:
		message, exc = refusal_message(doc, promotion.REFUSED_NOT_ELIGIBLE, decision)
		frappe.throw(message, exc=exc, title=_("Lead Qualification"))
	doc.qualification_status = promotion.QUALIFIED
	doc.save()
	return doc


def demote(lead: str, reason: str):
	doc = frappe.get_doc("Lead", lead)
	doc.check_permission("write")
	if doc.qualification_status != promotion.QUALIFIED:
		frappe.throw(
			_("{0} is not a prospect; there is nothing to withdraw.").format(
				frappe.bold(doc.lead_name or doc.name)
			),
			exc=DemotionRefusedError,
		)
	if not cstr(reason).strip():
		message, exc = refusal_message(doc, promotion.REFUSED_REASON_REQUIRED, promotion.Decision(()))
		frappe.throw(message, exc=exc)
	doc.flags.lq_demotion_reason = cstr(reason).strip()
	doc.qualification_status = promotion.IN_PROCESS
	doc.save()
	return doc


def summary(doc) -> dict:
	"""What the Lead form shows: criteria met, completeness, what blocks promotion."""
	assessment = assess(doc)
	settings = get_settings()
	decision = decide(doc, assessment, settings)
	return {
		"criteria": [
			{
				"criterion": c,
				"label": criterion_label(c),
				"met": assessment.met[c],
				"required": bool(settings.get(CRITERION_SETTING[c])),
			}
			for c in bant.CRITERIA
		],
		"completeness": assessment.completeness,
		"total": len(bant.CRITERIA),
		"eligible": decision.eligible,
		"missing": [shortfall_text(s) for s in decision.shortfalls],
		"status": doc.qualification_status,
		"converted": is_converted(doc),
	}


# --- listeners (hooks.py lead_change_listeners) -----------------------------------


def on_score_changes(changes, bulk: bool = False) -> None:
	"""A score that has just reached the promotion minimum outside a Lead save (an activity,
	a bulk re-score) may complete a lead's promotion: save those leads (few) so that the
	qualification policy runs as on any save."""
	from lead_qualification.lead_scoring import scoring

	if not is_enabled() or not get_settings().auto_promote or not scoring.is_enabled():
		return
	minimum = scoring.promotion_min_score()
	candidates = [c.lead for c in changes if c.value >= minimum and (c.previous or 0) < minimum]
	if not candidates:
		return
	for name in frappe.get_all(
		"Lead",
		filters={
			"name": ("in", candidates),
			"qualification_status": ("!=", promotion.QUALIFIED),
			"bant_completeness": (">", 0),
		},
		pluck="name",
	):
		doc = frappe.get_doc("Lead", name)
		doc.flags.ignore_permissions = True
		doc.save()
