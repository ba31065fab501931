"""What changed on a lead, announced in one place.

The parts that change a lead (a Lead save, a re-score after an activity, a bulk re-score, a
reply received) announce the change here; the features that react to it list themselves in
`hooks.py`, by kind of change, the way Frappe's own `doc_events` list dotted paths:

	lead_change_listeners = {
		"band": ["lead_qualification.lead_qualification.status_log.on_lead_changes", ...],
		"qualification_status": [...],
		"score": [...],
		"reply": [...],
	}

Any app can add listeners in its own hooks. A listener is called once per announcement, with
every change of the kinds it is listed under (in the order announced), as
`listener(changes, bulk=...)`; `bulk` is true for a bulk
re-score (the daily decay, a rule edited), where a listener that talks to people should send
one digest rather than one message per lead. The feature that announces imports none of the
features that react.

The change itself is plain data; only `announce` reaches Frappe (for the hooks).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

BAND = "band"
QUALIFICATION = "qualification_status"
SCORE = "score"
REPLY = "reply"
KINDS = (BAND, QUALIFICATION, SCORE, REPLY)

HOOK = "lead_change_listeners"


@dataclass(frozen=True)
class LeadChange:
	lead: str
	kind: str
	value: Any
	previous: Any = None
	# the save that announces it created the lead (its first band and status): what a new
	# lead starts with is set on its insert, so a listener may leave such changes alone
	new: bool = False


def saved_lead_changes(lead: str, before: Mapping | None, after: Mapping) -> list[LeadChange]:
	"""A Lead save: its band and qualification status, when set and different from before
	(a new lead's first band or status counts as a change from nothing)."""
	changes = []
	for kind, fieldname in ((QUALIFICATION, "qualification_status"), (BAND, "lq_score_band")):
		value = after.get(fieldname) or ""
		previous = (before.get(fieldname) or "") if before else ""
		if value and value != previous:
			changes.append(LeadChange(lead, kind, value, previous, new=before is None))
	return changes


def rescored_changes(
	scores: Mapping[str, tuple[float, str]], previous: Mapping[str, tuple[float, str | None]]
) -> list[LeadChange]:
	"""A re-score outside a Lead save: (total, band) now and before, by lead. A band change
	and a total change are announced separately (a listener may want one and not the other)."""
	changes = []
	for lead, (total, band) in scores.items():
		before_total, before_band = previous.get(lead, (0.0, None))
		if band and band != (before_band or ""):
			changes.append(LeadChange(lead, BAND, band, before_band or ""))
		if round(float(total), 2) != round(float(before_total or 0), 2):
			changes.append(LeadChange(lead, SCORE, float(total), float(before_total or 0)))
	return changes


def by_kind(changes: Iterable[LeadChange]) -> dict[str, list[LeadChange]]:
	grouped: dict[str, list[LeadChange]] = {}
	for change in changes:
		if change.kind not in KINDS:
			raise ValueError(f"unknown kind of lead change: {change.kind!r}")
		grouped.setdefault(change.kind, []).append(change)
	return grouped


def calls(
	changes: Sequence[LeadChange], listeners: Mapping[str, Sequence[str]]
) -> list[tuple[str, list[LeadChange]]]:
	"""Who is called with what: each listener once, at its first kind present (kinds in the
	order announced, listeners in the order the hooks list them), with the changes of every
	kind it is listed under."""
	grouped = by_kind(changes)
	planned: dict[str, list[LeadChange]] = {}
	for kind in grouped:
		for path in listeners.get(kind) or []:
			if path not in planned:
				kinds = {k for k, paths in listeners.items() if path in (paths or ())}
				planned[path] = [c for c in changes if c.kind in kinds]
	return list(planned.items())


def announce(changes: Sequence[LeadChange], *, bulk: bool = False) -> None:
	"""Call the listeners of the kinds present (see `calls`)."""
	if not changes:
		return
	import frappe

	for path, items in calls(changes, frappe.get_hooks(HOOK) or {}):
		frappe.get_attr(path)(items, bulk=bulk)
