"""The first-response clock on a real site: settings, Respond By, first responses, the overdue
job and its reminder. The rules are in clock.py; this module loads, calls them and writes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import frappe
from frappe import _
from frappe.utils import cint, get_datetime, now_datetime

from lead_qualification.integrations.frappe.documents import keep_stored
from lead_qualification.integrations.frappe.values import time_of
from lead_qualification.lead_response import clock

SETTINGS_DOCTYPE = "Lead Response Settings"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# leads nobody needs to answer any more
CLOSED_STATUSES = ("Converted", "Do Not Contact", "Lost Quotation")
REMINDER_BATCH = 500
BAND_BATCH = 5000


# --- settings -------------------------------------------------------------------------------


def get_settings():
	return frappe.get_cached_doc(SETTINGS_DOCTYPE)


def is_enabled() -> bool:
	return bool(cint(get_settings().enabled))


def get_targets(settings=None) -> clock.Targets:
	s = settings or get_settings()
	return clock.Targets(
		hot=clock.Target(s.hot_target or 1, s.hot_target_unit or clock.WORKING_HOURS),
		warm=clock.Target(s.warm_target or 1, s.warm_target_unit or clock.WORKING_DAYS),
		cold=clock.Target(s.cold_target or 3, s.cold_target_unit or clock.WORKING_DAYS),
	)


def get_working_time(company: str | None = None, settings=None) -> clock.WorkingTime:
	"""Working hours and days from the settings; holidays from the company's Holiday List
	(read by the nurture module, which already caches them per list)."""
	from lead_qualification.lead_nurture.enrollment import holidays_for

	s = settings or get_settings()
	return clock.WorkingTime(
		start=time_of(s.work_start or "09:00:00"),
		end=time_of(s.work_end or "18:00:00"),
		weekdays=frozenset(i for i, day in enumerate(WEEKDAYS) if cint(s.get(f"work_on_{day}"))),
		holidays=holidays_for(company) if cint(s.use_holiday_list) else frozenset(),
	)


# --- Respond By -----------------------------------------------------------------------------


CLOCK_FIELDS = (
	"lr_respond_by",
	"lr_first_responded_on",
	"lr_first_response",
	"lr_response_overdue",
	"lr_response_reminder_sent",
)


def keep_stored_clock(doc) -> None:
	"""The clock's fields are written by the app only, straight to the database: a form
	opened before a response was recorded (or an API call) must not save its stale copy."""
	keep_stored(doc, CLOCK_FIELDS)


def set_respond_by(doc) -> None:
	"""A new lead: Respond By from its arrival and its band then (set on validate, after the
	score, so the band is known)."""
	if not doc.is_new() or doc.get("lr_respond_by"):
		return
	arrived = get_datetime(doc.creation) if doc.creation else now_datetime()
	try:
		doc.lr_respond_by = clock.respond_by(
			arrived, doc.get("lq_score_band"), get_targets(), get_working_time(doc.company)
		)
	except clock.NoWorkingTime:
		log_no_working_time()


def log_no_working_time() -> None:
	"""Settings that leave no working time must not stop a lead from being saved: the
	deadline is left as it is and the error is logged for the manager."""
	frappe.log_error(
		title=_("Lead Response Settings leave no working time"),
		message=_("Check the working hours, working days and holidays in Lead Response Settings."),
	)


def on_band_changes(changes: Sequence, bulk: bool = False) -> None:
	"""Listener of lead_events "band": a lead that turns hotter before anyone answered gets
	the tighter deadline (clock.tightened). The new band's deadline counted from now is the
	same for every lead of one band and company, so a bulk re-score costs one read and one
	update per band and company and batch of leads, not one per lead."""
	# a new lead's first band: its Respond By was set on validate, from its arrival and band
	changes = [c for c in changes if not c.new]
	if not changes or not is_enabled():
		return
	bands = {c.lead: c.value for c in changes}
	now = now_datetime()
	targets = get_targets()
	names = list(bands)
	lead = frappe.qb.DocType("Lead")
	for start in range(0, len(names), BAND_BATCH):
		batch = names[start : start + BAND_BATCH]
		groups: dict[tuple, list[str]] = {}
		# a query of its own, not get_all: a bulk re-score's worker job need not load what
		# get_all's filters import on first use (frappe.boot: about 0.2 s a job)
		unanswered = (
			frappe.qb.from_(lead)
			.select(lead.name, lead.company)
			.where(lead.name.isin(batch))
			.where(lead.lr_first_responded_on.isnull())
		).run()
		for name, company in unanswered:
			groups.setdefault((bands[name], company), []).append(name)
		for (band, company), leads in groups.items():
			try:
				candidate = clock.respond_by(now, band, targets, get_working_time(company))
			except clock.NoWorkingTime:
				log_no_working_time()
				return
			(
				frappe.qb.update(lead)
				.set(lead.lr_respond_by, candidate)
				.where(lead.name.isin(leads))
				.where(lead.lr_first_responded_on.isnull())
				.where(lead.lr_respond_by.isnull() | (lead.lr_respond_by > candidate))
			).run()


# --- first responses ----------------------------------------------------------------------------


def is_staff(user: str | None) -> bool:
	"""Someone of the firm (a System User), not the lead nor a website visitor."""
	if not user or user == "Guest":
		return False
	return frappe.get_cached_value("User", user, "user_type") == "System User"


def record_response(leads: Iterable[str], moment: datetime, kind: str) -> list[str]:
	"""`moment` becomes the first response of each lead that has none yet, or a later one
	(a call logged afterwards may have come first). The clock stops: Response Overdue goes
	back to 0. Returns the leads whose first response changed."""
	if kind not in clock.RESPONSE_KINDS:
		raise ValueError(f"unknown kind of response: {kind!r}")
	leads = sorted({lead for lead in leads if lead})
	if not leads or not is_enabled():
		return []
	moment = get_datetime(moment)
	lead = frappe.qb.DocType("Lead")
	recorded = frappe.get_all(
		"Lead", filters={"name": ("in", leads)}, fields=["name", "lr_first_responded_on"]
	)
	changed = [
		r.name
		for r in recorded
		if clock.is_earlier(
			moment, get_datetime(r.lr_first_responded_on) if r.lr_first_responded_on else None
		)
	]
	if changed:
		(
			frappe.qb.update(lead)
			.set(lead.lr_first_responded_on, moment)
			.set(lead.lr_first_response, kind)
			.set(lead.lr_response_overdue, 0)
			.where(lead.name.isin(changed))
			.where(lead.lr_first_responded_on.isnull() | (lead.lr_first_responded_on > moment))
		).run()
	return changed


def communication_leads(doc) -> list[str]:
	leads = [link.link_name for link in doc.get("timeline_links") or [] if link.link_doctype == "Lead"]
	if doc.reference_doctype == "Lead" and doc.reference_name:
		leads.append(doc.reference_name)
	return leads


COMMUNICATION_KINDS = {
	"Email": clock.EMAIL,
	"Phone": clock.CALL,
	"Meeting": clock.MEETING,
	"Visit": clock.MEETING,
	"Event": clock.MEETING,
}


def on_communication(doc) -> None:
	"""An e-mail (or a call, a meeting logged as a Communication) sent to the lead by staff."""
	kind = COMMUNICATION_KINDS.get(doc.communication_medium or "")
	if (
		kind
		and doc.communication_type == "Communication"
		and doc.sent_or_received == "Sent"
		and is_staff(doc.owner)
	):
		record_response(communication_leads(doc), doc.communication_date or doc.creation, kind)


def on_call_log(doc) -> None:
	"""A call with the lead: an outgoing one (even unanswered: the seller tried), or an
	incoming one that was answered."""
	if doc.type != "Outgoing" and doc.status != "Completed":
		return
	leads = [link.link_name for link in doc.get("links") or [] if link.link_doctype == "Lead"]
	record_response(leads, doc.start_time or doc.creation, clock.CALL)


EVENT_KINDS = {"Call": clock.CALL, "Sent/Received Email": clock.EMAIL}


def _held_or_arranged(starts_on, created) -> datetime:
	"""A meeting arranged now for later counts now; one logged after the fact counts when held."""
	created = get_datetime(created) if created else now_datetime()
	return min(get_datetime(starts_on), created) if starts_on else created


def on_event(doc) -> None:
	"""An Event with the lead among its participants, made by staff."""
	if not is_staff(doc.owner) or doc.status == "Cancelled":
		return
	leads = [
		row.reference_docname
		for row in doc.get("event_participants") or []
		if row.reference_doctype == "Lead"
	]
	kind = EVENT_KINDS.get(doc.event_category or "", clock.MEETING)
	record_response(leads, _held_or_arranged(doc.starts_on, doc.creation), kind)


def on_appointment(doc) -> None:
	"""An Appointment with the lead booked by staff (one the lead books on the website is the
	lead's own step, not a response)."""
	if doc.appointment_with == "Lead" and doc.party and is_staff(doc.owner):
		record_response([doc.party], _held_or_arranged(doc.scheduled_time, doc.creation), clock.MEETING)


def on_comment(doc) -> None:
	if (
		doc.comment_type == "Comment"
		and doc.reference_doctype == "Lead"
		and doc.reference_name
		and is_staff(doc.owner)
	):
		record_response([doc.reference_name], doc.creation or now_datetime(), clock.NOTE)


def on_lead_notes(doc) -> None:
	"""ERPNext's Lead notes (CRM Note rows, added with the lead saved): the earliest by staff."""
	moments = [
		get_datetime(row.added_on)
		for row in doc.get("notes") or []
		if row.added_on and is_staff(row.added_by or row.owner)
	]
	if moments and (
		not doc.get("lr_first_responded_on") or min(moments) < get_datetime(doc.lr_first_responded_on)
	):
		if record_response([doc.name], min(moments), clock.NOTE):
			doc.lr_first_responded_on, doc.lr_first_response = min(moments), clock.NOTE
			doc.lr_response_overdue = 0


# --- overdue ------------------------------------------------------------------------------


def flag_overdue(now: datetime | None = None) -> int:
	"""Set-based: every open lead past Respond By that nobody answered gets Response Overdue."""
	now = now or now_datetime()
	lead = frappe.qb.DocType("Lead")
	query = (
		frappe.qb.update(lead)
		.set(lead.lr_response_overdue, 1)
		.where(lead.lr_response_overdue == 0)
		.where(lead.lr_respond_by < now)
		.where(lead.lr_first_responded_on.isnull())
		.where(lead.status.notin(CLOSED_STATUSES))
	)
	query.run()
	return frappe.db.sql("select row_count()")[0][0]


def leads_to_remind(limit: int = REMINDER_BATCH) -> list[dict]:
	"""Overdue leads whose owner was not reminded yet, locked for this run."""
	return frappe.db.sql(
		"""select name, lead_name, company_name, lr_respond_by, lead_owner, _assign
		from `tabLead`
		where lr_response_overdue = 1 and lr_response_reminder_sent = 0
			and lr_first_responded_on is null
		order by lr_respond_by
		limit %(limit)s
		for update""",
		{"limit": limit},
		as_dict=True,
	)


def recipients(row) -> list[str]:
	"""The lead owner; with none, the users the lead is assigned to."""
	if row.lead_owner:
		return [row.lead_owner]
	try:
		return list(frappe.parse_json(row._assign or "[]") or [])
	except ValueError:
		return []


def reminder_subject(row, lang: str | None) -> str:
	title = row.lead_name or row.company_name or row.name
	return _("Lead {0} is waiting for a first response: it was due by {1}", lang=lang).format(
		frappe.bold(title), frappe.utils.format_datetime(row.lr_respond_by)
	)


def send_reminders() -> int:
	"""Reminds each overdue lead's owner once (a Notification Log in the owner's language) and
	records it on the lead. A lead with nobody to remind is tried again on the next run."""
	from frappe.desk.doctype.notification_log.notification_log import make_notification_logs

	if not cint(get_settings().remind_owner):
		return 0
	reminded = []
	default_lang = frappe.db.get_default("lang") or "en"
	for row in leads_to_remind():
		users = recipients(row)
		if not users:
			continue
		for user in users:
			lang = frappe.get_cached_value("User", user, "language") or default_lang
			make_notification_logs(
				{
					"type": "Alert",
					"document_type": "Lead",
					"document_name": row.name,
					"subject": reminder_subject(row, lang),
					"from_user": "Administrator",
				},
				[user],
			)
		reminded.append(row.name)
	if reminded:
		lead = frappe.qb.DocType("Lead")
		frappe.qb.update(lead).set(lead.lr_response_reminder_sent, 1).where(lead.name.isin(reminded)).run()
	return len(reminded)


def run_overdue() -> None:
	"""Scheduler entry (every 15 minutes): flag, then remind."""
	if not is_enabled():
		return
	flag_overdue()
	send_reminders()


# --- the Lead form --------------------------------------------------------------------------


def form_state(doc) -> dict | None:
	"""What the Lead form shows about the clock."""
	if not is_enabled() or not doc.get("lr_respond_by"):
		return None
	respond_by = get_datetime(doc.lr_respond_by)
	state = {
		"respond_by": doc.lr_respond_by,
		"overdue": not doc.get("lr_first_responded_on")
		and (
			bool(cint(doc.get("lr_response_overdue"))) or clock.is_overdue(respond_by, None, now_datetime())
		),
		"first_responded_on": doc.get("lr_first_responded_on"),
		"first_response": doc.get("lr_first_response"),
		"hours": None,
		"in_time": None,
	}
	if doc.get("lr_first_responded_on"):
		responded = get_datetime(doc.lr_first_responded_on)
		state["hours"] = round(
			clock.working_hours_between(get_datetime(doc.creation), responded, get_working_time(doc.company)),
			1,
		)
		state["in_time"] = responded <= respond_by
	return state
