"""Nurture enrollments on a real site: enroll, stop, re-time, and the facts the stop rules
read, loaded for many leads at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time, timedelta

import frappe
from frappe import _
from frappe.query_builder.functions import Coalesce
from frappe.utils import add_days, get_datetime, getdate, now_datetime

from lead_qualification import email_address, time_zones
from lead_qualification.integrations.frappe.values import time_of
from lead_qualification.lead_nurture import cadence, followup

SETTINGS_DOCTYPE = "Lead Nurture Settings"
ENROLLMENT = "Nurture Enrollment"
OPEN_STATUSES = ("Active", "Paused")


class NurtureError(frappe.ValidationError):
	pass


# --- settings ---------------------------------------------------------------------------


def get_settings():
	return frappe.get_cached_doc(SETTINGS_DOCTYPE)


def is_enabled() -> bool:
	return bool(get_settings().enabled)


def get_cadence(settings=None) -> cadence.Cadence:
	s = settings or get_settings()
	return cadence.Cadence(
		hot_days=s.hot_cadence_days or 2,
		warm_days=s.warm_cadence_days or 7,
		cold_days=s.cold_cadence_days or 30,
	)


def get_prospect_cadence(settings=None) -> followup.ProspectCadence:
	s = settings or get_settings()
	return followup.ProspectCadence(
		hot_days=s.get("prospect_hot_days") or 2,
		warm_days=s.get("prospect_warm_days") or 5,
		cold_days=s.get("prospect_cold_days") or 10,
	)


def _time(value) -> time | None:
	return time_of(value) if value else None


_holiday_cache: dict = {}


def holidays_for(company: str | None) -> frozenset:
	"""Dates of the company's default Holiday List, from a year ago to two years ahead."""
	# The site's default company whoever saves (the deadline of a lead does not depend on the
	# user's permissions). Plain queries: get_global_default, get_cached_value("Company") and
	# get_all import on first use what a bulk re-score's worker job (a fresh fork each time)
	# does not otherwise need (user permissions, ERPNext's Company controller, get_all's
	# filters): about 0.35 s a job, against 0.1 ms for the query.
	company = company or frappe.db.get_default("company")
	holiday_list = company and frappe.db.get_value("Company", company, "default_holiday_list")
	if not holiday_list:
		return frozenset()
	key = (frappe.local.site, holiday_list)
	if key not in _holiday_cache:
		holiday = frappe.qb.DocType("Holiday")
		dates = (
			frappe.qb.from_(holiday)
			.select(holiday.holiday_date)
			.where(holiday.parent == holiday_list)
			.where(holiday.holiday_date[add_days(getdate(), -365) : add_days(getdate(), 730)])
		).run(pluck=True)
		_holiday_cache[key] = frozenset(getdate(d) for d in dates)
	return _holiday_cache[key]


def clear_holiday_cache(*args, **kwargs):
	_holiday_cache.clear()


def get_limits(company: str | None = None, settings=None) -> cadence.Limits:
	s = settings or get_settings()
	return cadence.Limits(
		quiet_start=_time(s.quiet_hours_start),
		quiet_end=_time(s.quiet_hours_end) or time(8, 0),
		holidays=holidays_for(company) if s.use_holiday_list else frozenset(),
		max_per_week=s.max_touches_per_week or 0,
	)


# --- facts for the stop rules, for many leads at once ---------------------------------------


def unsubscribe_entries(
	emails: dict[str, str | None], reference_doctype: str = "Lead"
) -> set[email_address.UnsubscribeEntry]:
	"""The unsubscribe list for a batch of documents ({name: e-mail}), in one query, with
	QueueBuilder's rule: an address is left out when it unsubscribed from this very document
	or from everything. Addresses compare trimmed and without case (`is_unsubscribed`): the
	list is read once per batch, so honouring " FOO@x.com " is worth not using the index."""
	addresses = email_address.normalised_emails(emails.values())
	if not addresses:
		return set()
	rows = frappe.db.sql(
		"""select email, reference_name, global_unsubscribe from `tabEmail Unsubscribe`
		where lower(trim(email)) in %(emails)s and (global_unsubscribe = 1
			or (reference_doctype = %(doctype)s and reference_name in %(names)s))""",
		{"emails": tuple(addresses), "doctype": reference_doctype, "names": tuple(emails)},
	)
	return {email_address.unsubscribe_entry(*row) for row in rows}


def lead_facts(enrollments: Sequence[dict]) -> dict[str, cadence.LeadFacts]:
	"""enrollments: dicts with `lead` and `enrolled_on`. One query per kind of fact."""
	leads = sorted({e["lead"] for e in enrollments})
	if not leads:
		return {}
	since = {e["lead"]: get_datetime(e["enrolled_on"]) for e in enrollments}
	rows = frappe.get_all(
		"Lead",
		filters={"name": ("in", leads)},
		fields=[
			"name",
			"email_id",
			"status",
			"unsubscribed",
			"qualification_status",
			"lq_next_step_logged_on",
		],
		limit_page_length=0,
	)
	info = {r.name: r for r in rows}
	leads_by_email = email_address.by_email({r.name: r.email_id for r in rows})

	def names(sql: str, values: dict) -> set:
		return set(frappe.db.sql_list(sql, values))

	# Communication.sender is compared by MariaDB, without case; the keys are normalised below
	p = {"leads": tuple(leads), "emails": tuple(leads_by_email) or ("",)}
	opportunities = names(
		"select party_name from `tabOpportunity` where opportunity_from = 'Lead' and party_name in %(leads)s",
		p,
	)
	quotations = names(
		"select party_name from `tabQuotation` where quotation_to = 'Lead' and docstatus < 2 and party_name in %(leads)s",
		p,
	)
	customers = names("select lead_name from `tabCustomer` where lead_name in %(leads)s", p)
	unsubscribed = unsubscribe_entries({r.name: r.email_id for r in rows})
	bounced = names(
		"""select reference_name from `tabCommunication` where reference_doctype = 'Lead'
		and reference_name in %(leads)s and delivery_status in ('Bounced', 'Soft-Bounced')""",
		p,
	)
	replies = frappe.db.sql(
		"""select coalesce(if(reference_doctype = 'Lead', reference_name, null), sender), max(creation)
		from `tabCommunication`
		where sent_or_received = 'Received' and communication_type = 'Communication'
		and ((reference_doctype = 'Lead' and reference_name in %(leads)s) or sender in %(emails)s)
		group by 1""",
		p,
	)
	last_reply = {}
	for key, when in replies:
		for lead in [key] if key in info else leads_by_email.get(email_address.normalise_email(key), []):
			last_reply[lead] = max(get_datetime(when), last_reply.get(lead, get_datetime(when)))

	facts = {}
	for lead in leads:
		r = info.get(lead)
		if not r:
			continue
		facts[lead] = cadence.LeadFacts(
			replied_since_enrollment=lead in last_reply and last_reply[lead] >= since[lead],
			qualified=r.qualification_status == "Qualified",
			has_opportunity=lead in opportunities,
			has_quotation=lead in quotations,
			has_customer=lead in customers,
			status=r.status or "",
			unsubscribed=bool(r.unsubscribed)
			or email_address.is_unsubscribed(r.email_id, lead, unsubscribed),
			bounced=lead in bounced,
			has_email=bool(r.email_id),
			next_step_since_enrollment=bool(r.lq_next_step_logged_on)
			and get_datetime(r.lq_next_step_logged_on) >= since[lead],
		)
	return facts


# --- enrolling ------------------------------------------------------------------------------


def open_enrollment(lead: str, sequence: str, quotation: str | None = None) -> str | None:
	filters = {"lead": lead, "sequence": sequence, "status": ("in", OPEN_STATUSES)}
	if quotation:
		filters["quotation"] = quotation
	return frappe.db.get_value(ENROLLMENT, filters)


def step_timing(step) -> followup.StepTiming:
	return followup.StepTiming(
		timing=step.get("timing") or followup.AFTER_PREVIOUS,
		offset_days=step.get("offset_days") or 0,
		wait_days=step.get("wait_days") or 0,
	)


def step_due(step, *, stage, band, since, start, valid_till, company, settings=None) -> datetime:
	"""When `step` is due (followup.step_due), with the site's settings and the company's
	holidays (working days always skip them; Lead Nurture Settings' holiday switch is about
	the moment of a touch)."""
	settings = settings or get_settings()
	return followup.step_due(
		step_timing(step),
		stage=stage or followup.LEAD,
		band=band,
		since=get_datetime(since),
		start=get_datetime(start),
		valid_till=getdate(valid_till) if valid_till else None,
		holidays=holidays_for(company),
		lead_cadence=get_cadence(settings),
		prospect_cadence=get_prospect_cadence(settings),
		day_starts_at=_time(settings.quiet_hours_end) or time(9, 0),
	)


def first_due(sequence_doc, lead_row, now: datetime, valid_till=None) -> datetime:
	"""The first step: a Lead sequence waits the step's own wait (0: at once); the other
	stages follow the step's timing (a prospect's first follow-up after the band's wait)."""
	step = sequence_doc.steps[0]
	stage = sequence_doc.get("stage") or followup.LEAD
	if stage == followup.LEAD:
		due = now + timedelta(days=step.wait_days or 0)
	else:
		due = step_due(
			step,
			stage=stage,
			band=lead_row.get("lq_score_band"),
			since=now,
			start=now,
			valid_till=valid_till,
			company=lead_row.get("company"),
		)
	return cadence.allowed_moment(
		max(due, now), get_limits(lead_row.get("company")), recent_touches(lead_row.name, now)
	)


def recent_touches(lead: str, now: datetime) -> list[datetime]:
	return [
		get_datetime(d)
		for d in frappe.get_all(
			"Nurture Touch",
			filters={
				"lead": lead,
				"outcome": ("!=", "Passed Over"),
				"done_on": (">", now - timedelta(days=7)),
			},
			pluck="done_on",
		)
	]


def recent_touches_for(leads: list[str], now: datetime) -> dict[str, list[datetime]]:
	out: dict[str, list[datetime]] = {}
	for lead, done_on in frappe.db.sql(
		"""select lead, done_on from `tabNurture Touch`
		where lead in %(leads)s and outcome != 'Passed Over' and done_on > %(since)s""",
		{"leads": tuple(leads) or ("",), "since": now - timedelta(days=7)},
	):
		out.setdefault(lead, []).append(get_datetime(done_on))
	return out


def enroll(
	lead: str,
	sequence: str,
	*,
	now: datetime | None = None,
	throw: bool = True,
	quotation: str | None = None,
) -> str | None:
	"""Enroll a lead in a sequence (a Quotation-stage sequence: a quotation of the lead);
	returns the enrollment (an open one is reused). A lead that the stage's stop rule already
	excludes is refused (or skipped, throw=False)."""
	now = now or now_datetime()
	seq = frappe.get_cached_doc("Nurture Sequence", sequence)
	if not seq.enabled or not seq.steps:
		if throw:
			frappe.throw(
				_("Nurture Sequence {0} is disabled or has no steps.").format(frappe.bold(sequence)),
				exc=NurtureError,
			)
		return None
	stage = seq.get("stage") or followup.LEAD
	if (stage == followup.QUOTATION) != bool(quotation):
		frappe.throw(
			_("A quotation is followed up by a sequence of the Quotation stage, and only a quotation."),
			exc=NurtureError,
		)
	existing = open_enrollment(lead, sequence, quotation)
	if existing:
		return existing
	lead_row = frappe.db.get_value(
		"Lead", lead, ["name", "company", "lead_name", "lq_score_band"], as_dict=True
	)
	if not lead_row:
		frappe.throw(_("Lead {0} does not exist.").format(frappe.bold(lead)), exc=NurtureError)
	row = {"lead": lead, "enrolled_on": now, "quotation": quotation, "name": None}
	quotation_row = quotation_facts([row], now).get(quotation) if quotation else None
	reason = followup.stop_reason(stage, lead_facts([row])[lead], quotation_row, getdate(now))
	if reason:
		if throw:
			frappe.throw(
				_("{0} is not nurtured: {1}.").format(frappe.bold(lead_row.lead_name or lead), _(reason)),
				exc=NurtureError,
			)
		return None
	doc = frappe.get_doc(
		{
			"doctype": ENROLLMENT,
			"lead": lead,
			"sequence": sequence,
			"stage": stage,
			"quotation": quotation,
			"status": "Active",
			"next_step": 1,
			"enrolled_on": now,
			"next_due": first_due(seq, lead_row, now, quotation_row.valid_till if quotation_row else None),
		}
	)
	doc.insert(ignore_permissions=True)
	return doc.name


def auto_enroll(lead_doc) -> list[str]:
	"""New lead: join every enabled sequence whose conditions it matches."""
	names = []
	# a plain query (every new lead runs it): get_all's permission-free query costs more
	table = frappe.qb.DocType("Nurture Sequence")
	sequences = (
		frappe.qb.from_(table)
		.select(table.name, table.enroll_source, table.enroll_territory)
		.where(table.enabled == 1)
		.where(table.auto_enroll == 1)
		.where(Coalesce(table.stage, "").isin(("", followup.LEAD)))
		.orderby(table.name)
	).run(as_dict=True)
	for seq in sequences:
		if seq.enroll_source and seq.enroll_source != lead_doc.get("source"):
			continue
		if seq.enroll_territory and seq.enroll_territory != lead_doc.get("territory"):
			continue
		name = enroll(lead_doc.name, seq.name, throw=False)
		if name:
			names.append(name)
	return names


# --- stopping and re-timing -----------------------------------------------------------------


def stop(enrollment: str, reason: str, now: datetime | None = None, stage: str | None = None) -> None:
	"""Stop an enrollment. A prospect's or a quotation's follow-up also cancels its reminders
	still open: the owner has nothing left to chase (nurture tasks are left to the owner)."""
	frappe.db.set_value(
		ENROLLMENT,
		enrollment,
		{"status": "Stopped", "stop_reason": reason, "next_due": None, "stopped_on": now or now_datetime()},
	)
	if stage in (followup.PROSPECT, followup.QUOTATION):
		cancel_open_reminders(enrollment)


def cancel_open_reminders(enrollment: str) -> list[str]:
	"""The follow-up's ToDos still open, cancelled through the ToDo (so that the reference's
	assignment list follows)."""
	todos = frappe.db.sql_list(
		"""select d.name from `tabNurture Touch` t join `tabToDo` d on d.name = t.todo
		where t.enrollment = %s and d.status = 'Open'""",
		enrollment,
	)
	for name in todos:
		todo = frappe.get_doc("ToDo", name)
		todo.status = "Cancelled"
		todo.save(ignore_permissions=True)
	return todos


def stop_for_lead(lead: str, reason: str, stages: Sequence[str] = (followup.LEAD,)) -> list[str]:
	"""Stop the lead's open enrollments of these stages (nurture of a lead by default)."""
	rows = frappe.get_all(
		ENROLLMENT,
		filters={"lead": lead, "status": ("in", OPEN_STATUSES), "stage": ("in", tuple(stages))},
		fields=["name", "stage"],
	)
	names = [row.name for row in rows]
	now = now_datetime()
	for row in rows:
		stop(row.name, reason, now, row.stage)
	if names:
		message = (
			_("Nurture stopped ({0}).")
			if tuple(stages) == (followup.LEAD,)
			else _("Follow-ups stopped ({0}).")
		)
		frappe.get_doc("Lead", lead).add_comment("Info", message.format(_(reason)))
	return names


def stop_for_quotation(quotation: str, reason: str) -> list[str]:
	"""Stop the follow-up of a quotation (ordered, lost, cancelled, a reply, a next step)."""
	names = frappe.get_all(
		ENROLLMENT, filters={"quotation": quotation, "status": ("in", OPEN_STATUSES)}, pluck="name"
	)
	now = now_datetime()
	for name in names:
		stop(name, reason, now, followup.QUOTATION)
	if names:
		frappe.get_doc("Quotation", quotation).add_comment(
			"Info", _("Follow-ups stopped ({0}).").format(_(reason))
		)
	return names


def stop_for_email(email: str, reason: str) -> None:
	"""Stop every lead with this address (the index finds it: MariaDB compares without case)."""
	address = email_address.normalise_email(email)
	if not address:
		return
	for lead in frappe.get_all("Lead", filters={"email_id": address}, pluck="name"):
		stop_for_lead(lead, reason)  # nurture only: follow-ups leave out the address's e-mails


def retime_leads(leads: Iterable[str], now: datetime | None = None) -> int:
	"""A lead's band changed: move its next touch to follow the new cadence, counting from
	its last touch (or enrollment), without re-enrolling. Returns how many moved."""
	leads = list(leads)
	if not leads:
		return 0
	now = now or now_datetime()
	rows = frappe.db.sql(
		"""select e.name, e.lead, e.sequence, e.stage, e.next_step, e.enrolled_on,
			coalesce(e.last_touch_on, e.enrolled_on) as since, l.lq_score_band as band, l.company
		from `tabNurture Enrollment` e join `tabLead` l on l.name = e.lead
		where e.status = 'Active' and e.stage in ('Lead', 'Prospect') and e.lead in %(leads)s""",
		{"leads": tuple(leads)},
		as_dict=True,
	)
	settings = get_settings()
	pace = get_cadence(settings)
	for row in rows:
		seq = frappe.get_cached_doc("Nurture Sequence", row.sequence)
		index = followup.step_index(row.next_step, len(seq.steps), bool(seq.get("repeat_steps")))
		if index is None:
			continue
		step = seq.steps[index - 1]
		if row.stage == followup.PROSPECT:
			due = step_due(
				step,
				stage=row.stage,
				band=row.band,
				since=row.since,
				start=row.enrolled_on,
				valid_till=None,
				company=row.company,
				settings=settings,
			)
		else:
			due = cadence.planned_due(get_datetime(row.since), step.wait_days, row.band, pace)
		due = cadence.allowed_moment(
			max(due, now), get_limits(row.company, settings), recent_touches(row.lead, now)
		)
		frappe.db.set_value(ENROLLMENT, row.name, "next_due", due, update_modified=False)
	return len(rows)


# --- listeners (hooks.py lead_change_listeners) -----------------------------------


def on_band_changes(changes, bulk: bool = False) -> None:
	"""Nurture follows the band: a lead whose band changed gets its next touch re-timed (a new
	lead's first band is the one it was enrolled with, on insert)."""
	leads = sorted({c.lead for c in changes if not c.new})
	if leads and is_enabled():
		retime_leads(leads)


def on_qualification_changes(changes, bulk: bool = False) -> None:
	"""A lead promoted to prospect leaves nurture and starts its prospect cadence; a prospect
	withdrawn (back to In Process) leaves its prospect cadence."""
	if not is_enabled():
		return
	for change in changes:
		if change.value == "Qualified":
			stop_for_lead(change.lead, cadence.PROMOTED)
			start_prospect_cadence(change.lead)
		elif change.previous == "Qualified":
			stop_for_lead(change.lead, followup.NOT_A_PROSPECT, stages=(followup.PROSPECT,))


def on_replies(changes, bulk: bool = False) -> None:
	"""A lead that replied leaves nurture (a person answers from now on), and its quotations'
	follow-ups stop; a prospect's cadence goes on (a prospect is in conversation)."""
	if not is_enabled():
		return
	for lead in sorted({c.lead for c in changes}):
		stop_for_lead(lead, cadence.REPLIED, stages=(followup.LEAD, followup.QUOTATION))


# --- prospects and quotations -------------------------------------------------------------


def auto_sequences(stage: str) -> list[str]:
	return frappe.get_all(
		"Nurture Sequence",
		filters={"enabled": 1, "auto_enroll": 1, "stage": stage},
		pluck="name",
		order_by="name",
	)


def start_prospect_cadence(lead: str) -> list[str]:
	"""A lead just promoted joins every enabled, automatic Prospect sequence (unless a stop
	rule already applies: it has a quotation, say)."""
	names = []
	for sequence in auto_sequences(followup.PROSPECT):
		name = enroll(lead, sequence, throw=False)
		if name:
			names.append(name)
	return names


def lead_of_quotation(quotation_doc) -> str | None:
	"""The lead a quotation is for: its party when quoted to a lead, else the lead its
	customer came from (Customer's From Lead)."""
	if quotation_doc.quotation_to == "Lead":
		return quotation_doc.party_name or None
	if quotation_doc.quotation_to == "Customer" and quotation_doc.party_name:
		return frappe.db.get_value("Customer", quotation_doc.party_name, "lead_name") or None
	return None


def start_quotation_follow_up(quotation_doc) -> list[str]:
	"""A submitted quotation of a lead (or of a customer that came from one) joins every
	enabled, automatic Quotation sequence."""
	lead = lead_of_quotation(quotation_doc)
	if not lead or not frappe.db.exists("Lead", lead):
		return []
	names = []
	for sequence in auto_sequences(followup.QUOTATION):
		name = enroll(lead, sequence, throw=False, quotation=quotation_doc.name)
		if name:
			names.append(name)
	return names


def quotation_facts(
	enrollments: Sequence[dict], now: datetime | None = None
) -> dict[str, followup.QuotationFacts]:
	"""enrollments: dicts with `quotation` and `enrolled_on`. One query per kind of fact."""
	since = {e["quotation"]: get_datetime(e["enrolled_on"]) for e in enrollments if e.get("quotation")}
	if not since:
		return {}
	p = {"names": tuple(since)}
	rows = frappe.db.sql(
		"""select name, docstatus, status, valid_till, contact_email, lq_next_step_logged_on
		from `tabQuotation` where name in %(names)s""",
		p,
		as_dict=True,
	)
	ordered = set(
		frappe.db.sql_list(
			"""select distinct i.prevdoc_docname from `tabSales Order Item` i
			join `tabSales Order` o on o.name = i.parent
			where o.docstatus = 1 and i.prevdoc_docname in %(names)s""",
			p,
		)
	)
	# the contact: the quotation's contact e-mail, and the lead's address
	lead_of = {e["quotation"]: e.get("lead") for e in enrollments if e.get("quotation")}
	lead_emails = dict(
		frappe.db.sql(
			"select name, email_id from `tabLead` where name in %(leads)s",
			{"leads": tuple({lead for lead in lead_of.values() if lead}) or ("",)},
		)
	)
	emails: dict[str, set[str]] = {}
	for r in rows:
		for address in (r.contact_email, lead_emails.get(lead_of.get(r.name))):
			if address and email_address.normalise_email(address):
				emails.setdefault(r.name, set()).add(email_address.normalise_email(address))
	replies: dict[str, datetime] = {}
	for name, when in frappe.db.sql(
		"""select reference_name, max(creation) from `tabCommunication`
		where sent_or_received = 'Received' and communication_type = 'Communication'
		and reference_doctype = 'Quotation' and reference_name in %(names)s group by reference_name""",
		p,
	):
		replies[name] = get_datetime(when)
	by_email: dict[str, list[str]] = {}
	for name, addresses in emails.items():
		for address in addresses:
			by_email.setdefault(address, []).append(name)
	if by_email:
		for sender, when in frappe.db.sql(
			"""select sender, max(creation) from `tabCommunication`
			where sent_or_received = 'Received' and communication_type = 'Communication'
			and sender in %(emails)s group by sender""",
			{"emails": tuple(by_email)},
		):
			for name in by_email.get(email_address.normalise_email(sender), []):
				replies[name] = max(get_datetime(when), replies.get(name, get_datetime(when)))
	facts = {}
	for r in rows:
		start = since[r.name]
		facts[r.name] = followup.QuotationFacts(
			docstatus=r.docstatus,
			status=r.status or "",
			valid_till=getdate(r.valid_till) if r.valid_till else None,
			ordered=r.name in ordered,
			replied_since_start=r.name in replies and replies[r.name] >= start,
			next_step_since_start=bool(r.lq_next_step_logged_on)
			and get_datetime(r.lq_next_step_logged_on) >= start,
		)
	return facts


def next_follow_up(lead: str | None = None, quotation: str | None = None) -> dict | None:
	"""The next follow-up of a lead (nurture or prospect cadence) or of a quotation: its
	sequence, when, and the step's task; None when nothing is planned."""
	filters = {"status": "Active", "next_due": ("is", "set")}
	if quotation:
		filters["quotation"] = quotation
	elif lead:
		filters["lead"] = lead
		filters["stage"] = ("in", (followup.LEAD, followup.PROSPECT))
	else:
		return None
	rows = frappe.get_all(
		ENROLLMENT,
		filters=filters,
		fields=["name", "sequence", "stage", "next_step", "next_due"],
		order_by="next_due asc",
		limit_page_length=1,
	)
	if not rows:
		return None
	row = rows[0]
	seq = frappe.get_cached_doc("Nurture Sequence", row.sequence)
	index = followup.step_index(row.next_step, len(seq.steps), bool(seq.get("repeat_steps")))
	step = seq.steps[index - 1] if index else None
	return {
		"enrollment": row.name,
		"sequence": row.sequence,
		"stage": row.stage,
		"next_due": row.next_due,
		"channel": step.channel if step else None,
		# the shipped sequences' tasks are translated; a manager's own text comes back as is
		"task": _(step.task) if step and step.task else "",
	}


def reexpress_due_times(old_zone: str | None, new_zone: str | None) -> int:
	"""The site's time zone changed: move the next due time of every open enrollment so that
	it names the same moment in the new zone (a touch due at 10:00 in Asia/Kolkata is due at
	5:30 in Europe/Paris, not at 10:00 there, 4h30 late). Returns how many moved. Quiet hours
	and holidays need no change: the worker checks them in the site's zone when it sends."""
	rows = frappe.db.sql(
		"""select name, next_due from `tabNurture Enrollment`
		where status in %(statuses)s and next_due is not null""",
		{"statuses": OPEN_STATUSES},
	)
	moved = 0
	for seconds, names in time_zones.shift_groups(rows, old_zone, new_zone).items():
		for i in range(0, len(names), 1000):
			frappe.db.sql(
				"""update `tabNurture Enrollment` set next_due = next_due + interval %(seconds)s second
				where name in %(names)s""",
				{"seconds": seconds, "names": tuple(names[i : i + 1000])},
			)
		moved += len(names)
	return moved


def enrollments_for(lead: str) -> list[dict]:
	return frappe.get_all(
		ENROLLMENT,
		filters={"lead": lead},
		fields=[
			"name",
			"sequence",
			"stage",
			"quotation",
			"status",
			"stop_reason",
			"next_step",
			"next_due",
			"last_touch_on",
		],
		order_by="creation desc",
	)


def overdue_follow_ups(today=None) -> int:
	"""Reminders (ToDos) made by prospect and quotation follow-ups, still open after their date."""
	return frappe.db.sql(
		"""select count(distinct t.todo) from `tabNurture Touch` t
		join `tabNurture Enrollment` e on e.name = t.enrollment
		join `tabToDo` d on d.name = t.todo
		where e.stage in ('Prospect', 'Quotation') and d.status = 'Open' and d.date < %(today)s""",
		{"today": today or getdate()},
	)[0][0]
