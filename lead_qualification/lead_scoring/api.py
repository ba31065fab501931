"""Whitelisted scoring methods: the website event endpoint, the Lead form's breakdown,
and a manager's "re-score all"."""

import frappe

from lead_qualification.lead_scoring import activities, scoring


@frappe.whitelist(methods=["POST"])
def push_event(
	event_type: str,
	lead: str | None = None,
	email: str | None = None,
	occurred_at: str | None = None,
	event_id: str | None = None,
	details: str | dict | None = None,
	url: str | None = None,
) -> dict:
	"""Record a website event (Page Viewed, Document Downloaded, Demo Requested) for a lead,
	found by `lead` (its ID) or `email`. Needs an authenticated user allowed to create
	Lead Activity; `event_id` makes a re-sent event count once. Returns the lead's score."""
	doc = activities.push(event_type, lead, email, occurred_at, event_id, details, url)
	values = frappe.db.get_value("Lead", doc.lead, ["lq_score", "lq_score_band"], as_dict=True)
	return {"activity": doc.name, "lead": doc.lead, "score": values.lq_score, "band": values.lq_score_band}


@frappe.whitelist()
def get_breakdown(lead: str) -> dict:
	"""The Lead form's "why this score": the ledger rows, which add up to the score."""
	doc = frappe.get_doc("Lead", lead)
	doc.check_permission("read")
	return {
		"score": doc.get("lq_score"),
		"fit": doc.get("lq_fit_score"),
		"engagement": doc.get("lq_engagement_score"),
		"band": doc.get("lq_score_band"),
		"scored_on": doc.get("lq_scored_on"),
		"rows": scoring.ledger(lead),
	}


@frappe.whitelist(methods=["POST"])
def rescore_all() -> str:
	"""Queue a re-score of every lead (long queue); returns the Lead Scoring Run to follow."""
	frappe.only_for(("Sales Manager", "System Manager"))
	from frappe import _

	return scoring.enqueue_rescore_all(_("Requested by {0}").format(frappe.session.user))
