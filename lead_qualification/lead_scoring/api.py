"""Whitelisted scoring methods: the website event endpoint, the Lead form's breakdown,
and a manager's "re-score all"."""

from functools import wraps

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit
from frappe.utils import cint

from lead_qualification.lead_scoring import activities, scoring

# Website events: at most EVENTS_PER_MINUTE per key (an API key is one user; site config
# `lead_qualification_events_per_minute` changes it), and a request body of MAX_EVENT_BYTES
RATE_KEY = "_lq_rate_key"
EVENTS_PER_MINUTE = 120
MAX_EVENT_BYTES = 8 * 1024


class EventTooLargeError(activities.InvalidActivityError):
	http_status_code = 413


def events_per_minute() -> int:
	return cint(frappe.conf.get("lead_qualification_events_per_minute")) or EVENTS_PER_MINUTE


def per_key_rate_limit(fn):
	"""Frappe's rate_limit, counted per authenticated user (whoever the API key or session
	is) rather than per network address: the key it reads is set here from the session,
	whatever the caller sent under that name."""
	limited = rate_limit(key=RATE_KEY, limit=events_per_minute, seconds=60, ip_based=False)(fn)

	@wraps(fn)
	def wrapper(*args, **kwargs):
		frappe.form_dict[RATE_KEY] = frappe.session.user
		kwargs.pop(RATE_KEY, None)
		return limited(*args, **kwargs)

	return wrapper


def check_payload_size() -> None:
	request = getattr(frappe.local, "request", None)
	size = cint(request.content_length) if request is not None else 0
	if size > MAX_EVENT_BYTES:
		frappe.throw(
			_("The event is too large: {0} bytes at most.").format(MAX_EVENT_BYTES),
			exc=EventTooLargeError,
			title=_("Invalid lead event"),
		)


@frappe.whitelist(methods=["POST"])
@per_key_rate_limit
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
	check_payload_size()
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
