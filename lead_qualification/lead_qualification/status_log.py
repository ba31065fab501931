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
COLUMNS = (
	"name",
	"lead",
	"kind",
	"value",
	"previous_value",
	"changed_on",
	"changed_on_utc",
	"changed_by",
	"owner",
	"modified_by",
	"creation",
	"modified",
)


def record_changes(doc) -> None:
	"""Lead on_update: log the qualification status and band if they changed (or are new)."""
	before = doc.get_doc_before_save()
	changes = []
	for kind, fieldname in ((QUALIFICATION, "qualification_status"), (BAND, "lq_score_band")):
		value = doc.get(fieldname) or ""
		previous = (before.get(fieldname) or "") if before else ""
		if value and value != previous:
			changes.append((doc.name, kind, value, previous))
	write(changes)


def record_bands(changed: list[tuple[str, str, str]]) -> None:
	"""Bulk re-score: (lead, new band, previous band) for the leads whose band changed."""
	write([(lead, BAND, band, previous or "") for lead, band, previous in changed if band])


def write(changes: list[tuple[str, str, str, str]]) -> None:
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
