"""The lead status log: every qualification status and band a lead goes through, when,
and who changed it (recorded from install on; the Time in Status report reads it)."""

from __future__ import annotations

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
	"changed_by",
	"reason",
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


def write(changes: list[tuple[str, str, str, str]], reason: str = "") -> None:
	"""changes: (lead, kind, value, previous value); reason: one of the Reason options."""
	if not changes:
		return
	now = now_datetime()
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
