"""Engagement events: what the host already sees of a lead, recorded as Lead Activity rows,
and the authenticated endpoint a website uses to push its own events.

Every event has an `event_id`, unique in the table, so a re-sent or re-read event is
recorded once.
"""

from __future__ import annotations

import json
from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import (
	add_to_date,
	cstr,
	get_datetime,
	get_system_timezone,
	now_datetime,
	validate_email_address,
)

from lead_qualification import time_zones
from lead_qualification.email_address import normalise_email

WEBSITE_EVENT_TYPES = ("Page Viewed", "Document Downloaded", "Demo Requested")
MAX_DETAILS = 2000
FUTURE_TOLERANCE = timedelta(minutes=5)


class InvalidActivityError(frappe.ValidationError):
	pass


def record(
	lead: str,
	activity_type: str,
	occurred_on=None,
	*,
	event_id: str,
	source: str = "",
	reference_doctype: str | None = None,
	reference_name: str | None = None,
	details: str | None = None,
):
	"""Insert one Lead Activity (and re-score the lead); an event already recorded is
	returned as it is."""
	existing = frappe.db.get_value("Lead Activity", {"event_id": event_id})
	if existing:
		return frappe.get_doc("Lead Activity", existing)
	doc = frappe.get_doc(
		{
			"doctype": "Lead Activity",
			"lead": lead,
			"activity_type": activity_type,
			"occurred_on": occurred_on or now_datetime(),
			"event_id": event_id,
			"source": source,
			"reference_doctype": reference_doctype,
			"reference_name": reference_name,
			"details": details,
		}
	)
	frappe.db.set_value("Lead", lead, "lq_has_activity", 1, update_modified=False)
	doc.insert(ignore_permissions=True)
	return doc


def lead_by_email(email: str | None) -> str | None:
	"""The lead with this address, whatever its case (the index finds it: MariaDB compares
	without case)."""
	email = normalise_email(email)
	if not email:
		return None
	return frappe.db.get_value("Lead", {"email_id": email}, "name")


def leads_of_communication(doc) -> list[str]:
	leads = []
	if doc.reference_doctype == "Lead" and doc.reference_name:
		leads.append(doc.reference_name)
	for link in doc.get("timeline_links") or []:
		if link.link_doctype == "Lead" and link.link_name not in leads:
			leads.append(link.link_name)
	return leads


def replying_leads(doc) -> list[str]:
	"""The leads a received e-mail answers for: those it is linked to, else every lead with
	the sender's address."""
	linked = leads_of_communication(doc)
	if linked:
		return linked
	address = normalise_email(doc.sender)
	return frappe.get_all("Lead", filters={"email_id": address}, pluck="name") if address else []


# --- from the host ------------------------------------------------------------------


def record_email_received(doc) -> None:
	if doc.communication_type != "Communication" or doc.sent_or_received != "Received":
		return
	leads = leads_of_communication(doc) or list(filter(None, [lead_by_email(doc.sender)]))
	for lead in leads:
		record(
			lead,
			"Email Received",
			doc.communication_date or doc.creation,
			event_id=f"comm-received:{doc.name}:{lead}",
			source=_("E-mail: {0}").format(cstr(doc.subject)[:100]),
			reference_doctype="Communication",
			reference_name=doc.name,
		)


def record_email_opened(doc) -> None:
	if doc.sent_or_received != "Sent" or not doc.read_by_recipient:
		return
	for lead in leads_of_communication(doc):
		record(
			lead,
			"Email Opened",
			doc.read_by_recipient_on or now_datetime(),
			event_id=f"comm-opened:{doc.name}:{lead}",
			source=_("E-mail opened: {0}").format(cstr(doc.subject)[:100]),
			reference_doctype="Communication",
			reference_name=doc.name,
		)


def sweep_opened_emails() -> None:
	"""Scheduler (hourly). Frappe marks an e-mail as read with a direct database write
	(no document event), so opened e-mails are picked up here."""
	from lead_qualification.lead_scoring import scoring

	if not scoring.is_enabled():
		return
	since = add_to_date(now_datetime(), days=-2)
	names = frappe.db.sql_list(
		"""select distinct c.name from `tabCommunication` c
		left join `tabCommunication Link` l on l.parent = c.name and l.link_doctype = 'Lead'
		where c.sent_or_received = 'Sent' and c.read_by_recipient = 1 and c.read_by_recipient_on >= %s
		and (c.reference_doctype = 'Lead' or l.name is not null)""",
		since,
	)
	for name in names:
		try:
			record_email_opened(frappe.get_doc("Communication", name))
		except Exception:
			frappe.log_error(
				title=_("Could not record an opened e-mail"),
				reference_doctype="Communication",
				reference_name=name,
			)


def record_web_form_submission(lead_doc):
	"""A lead created by a web form: its Web Form Submitted activity (returned), or None."""
	if not frappe.flags.in_web_form:
		return None
	return record(
		lead_doc.name,
		"Web Form Submitted",
		event_id=f"web-form:{lead_doc.name}",
		source=_("Web form"),
		reference_doctype="Lead",
		reference_name=lead_doc.name,
	)


def record_quotation_request(opportunity) -> None:
	if opportunity.opportunity_from != "Lead" or not opportunity.party_name:
		return
	record(
		opportunity.party_name,
		"Quotation Requested",
		opportunity.transaction_date and get_datetime(opportunity.transaction_date),
		event_id=f"opportunity:{opportunity.name}",
		source=_("Opportunity {0}").format(opportunity.name),
		reference_doctype="Opportunity",
		reference_name=opportunity.name,
	)


def record_appointment(appointment) -> None:
	lead = None
	if appointment.appointment_with == "Lead" and appointment.party:
		lead = appointment.party
	lead = lead or lead_by_email(appointment.customer_email)
	if not lead:
		return
	record(
		lead,
		"Appointment",
		appointment.creation or now_datetime(),
		event_id=f"appointment:{appointment.name}",
		source=_("Appointment {0}").format(appointment.name),
		reference_doctype="Appointment",
		reference_name=appointment.name,
	)


def record_event_participation(event) -> None:
	for row in event.get("event_participants") or []:
		if row.reference_doctype == "Lead" and row.reference_docname:
			record(
				row.reference_docname,
				"Appointment",
				event.creation or now_datetime(),
				event_id=f"event:{event.name}:{row.reference_docname}",
				source=_("Event: {0}").format(cstr(event.subject)[:100]),
				reference_doctype="Event",
				reference_name=event.name,
			)


# --- from a website -------------------------------------------------------------------


def validate_pushed_event(
	event_type: str,
	lead: str | None,
	email: str | None,
	occurred_at: str | None,
	event_id: str | None,
	details,
) -> tuple[str, object, str, str | None]:
	"""Check everything before anything is written. Returns (lead, occurred_on, event_id, details).

	`occurred_at` with an offset (ISO 8601, "2026-11-26T10:00:00+01:00" or "…Z") is the moment
	it names, stored in the site's time zone; without one it is taken as the site's time."""

	def refuse(message):
		frappe.throw(message, exc=InvalidActivityError, title=_("Invalid lead event"))

	if event_type not in WEBSITE_EVENT_TYPES:
		refuse(
			_("Unknown event type {0}. Send one of: {1}.").format(
				frappe.bold(cstr(event_type)), ", ".join(WEBSITE_EVENT_TYPES)
			)
		)
	if not lead and not email:
		refuse(_("Say which lead the event is about: send lead (the Lead ID) or email."))
	if lead:
		if not frappe.db.exists("Lead", cstr(lead)):
			refuse(_("Lead {0} does not exist.").format(frappe.bold(cstr(lead))))
		lead = cstr(lead)
	else:
		if not validate_email_address(cstr(email)):
			refuse(_("{0} is not a valid e-mail address.").format(frappe.bold(cstr(email))))
		lead = lead_by_email(email)
		if not lead:
			refuse(_("No lead has the e-mail address {0}.").format(frappe.bold(cstr(email))))

	occurred_on = now_datetime()
	if occurred_at:
		try:
			occurred_on = get_datetime(occurred_at)
		except Exception:
			occurred_on = None
		if not occurred_on:
			refuse(
				_("occurred_at must be a date and time (YYYY-MM-DD HH:MM:SS), not {0}.").format(
					frappe.bold(cstr(occurred_at))
				)
			)
		# stored as the site stores every datetime: naive, in the site's time zone
		occurred_on = time_zones.site_moment(occurred_on, get_system_timezone())
		if occurred_on > now_datetime() + FUTURE_TOLERANCE:
			refuse(_("occurred_at {0} is in the future.").format(frappe.bold(cstr(occurred_at))))

	event_id = cstr(event_id).strip()
	if len(event_id) > 100:
		refuse(_("event_id is too long: 100 characters at most."))

	if details is not None and not isinstance(details, str):
		try:
			details = json.dumps(details, ensure_ascii=False, sort_keys=True)
		except (TypeError, ValueError):
			refuse(_("details must be text or JSON."))
	if details and len(details) > MAX_DETAILS:
		refuse(_("details is too long: {0} characters at most.").format(MAX_DETAILS))
	return lead, occurred_on, event_id, details


def push(
	event_type: str,
	lead: str | None = None,
	email: str | None = None,
	occurred_at: str | None = None,
	event_id: str | None = None,
	details=None,
	url: str | None = None,
):
	frappe.has_permission("Lead Activity", "create", throw=True)
	lead, occurred_on, event_id, details = validate_pushed_event(
		event_type, lead, email, occurred_at, event_id, details
	)
	if url and len(cstr(url)) > 140:
		url = cstr(url)[:140]
	if not event_id:
		event_id = f"web:{frappe.generate_hash(length=20)}"
	else:
		event_id = f"web:{event_id}"
	return record(
		lead,
		event_type,
		occurred_on,
		event_id=event_id,
		source=cstr(url) or _("Website"),
		details=details,
	)
