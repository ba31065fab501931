"""The lead status log: every qualification status and band a lead goes through, when,
and who changed it (recorded from install on; the Time in Status report reads it).

`changed_on` is the site's time, as Frappe shows it; `changed_on_utc` the same moment in
UTC, which a change of the site's time zone (or of summer time) does not move."""

from __future__ import annotations

from datetime import datetime, timezone

import frappe
from frappe.utils import now_datetime

from lead_qualification.lead_scoring.scoring import insert_rows

QUALIFICATION = "Qualification Status"
BAND = "Band"
# why a change was made by the app itself rather than on a lead's save (Select options)
TAKEN_OVER_AT_INSTALL = "Taken Over at Install"
COLUMNS = (
	"name",
	"lead",
	"kind",
	"value",
	"previous_value",
	"changed_on",
	"changed_on_utc",
	"changed_by",
	"reason",
	"owner",
	"modified_by",
	"creation",
	"modified",
)


# the kinds of lead change the log keeps, and the name it stores them under
LOGGED_KINDS = {"qualification_status": QUALIFICATION, "band": BAND}


def on_lead_changes(changes, bulk: bool = False) -> None:
	"""Listener (hooks.py lead_change_listeners): a qualification status or band that changed,
	from a Lead save or a re-score."""
	write(
		[(c.lead, LOGGED_KINDS[c.kind], c.value, c.previous or "") for c in changes if c.kind in LOGGED_KINDS]
	)


def write(changes: list[tuple[str, str, str, str]], reason: str = "") -> None:
	"""changes: (lead, kind, value, previous value); reason: one of the Reason options."""
	if not changes:
		return
	now = now_datetime()
	utc = utc_now()
	user = frappe.session.user
	insert_rows(
		"tabLead Status Log",
		COLUMNS,
		[
			(
				frappe.generate_hash(length=12),
				lead,
				kind,
				value,
				previous,
				now,
				utc,
				user,
				reason,
				user,
				user,
				now,
				now,
			)
			for lead, kind, value, previous in changes
		],
	)


def utc_now() -> datetime:
	"""Now in UTC (naive): the log's order key, which no change of the site's zone moves."""
	return datetime.now(timezone.utc).replace(tzinfo=None)
