"""Who hears about a lead's change, and who works it: plain rules over plain data.

No Frappe here: the services in `alerts.py` and `routing.py` load the data, call these
functions and write the results (Notification Logs, ToDos through Assignment Rules).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from lead_qualification.lead_events import BAND, QUALIFICATION, REPLY, LeadChange

HOT = "Hot"
QUALIFIED = "Qualified"

# the three transitions an owner hears about
TURNED_HOT = "Turned Hot"
BECAME_PROSPECT = "Became Prospect"
HOT_LEAD_REPLIED = "Hot Lead Replied"
ALERTS = (TURNED_HOT, BECAME_PROSPECT, HOT_LEAD_REPLIED)
# a bulk run's digest also tells each assignee how many leads routing gave them
ROUTED = "Routed to You"
DIGEST_LINES = (*ALERTS, ROUTED)

# the stages routing knows, most mature first
PROSPECT = "Prospect"
STAGES = ("Prospect", "Hot", "Warm", "Cold")


@dataclass(frozen=True)
class Transition:
	"""An alert to send once: `key` is held while the lead stays in that state (a lead that
	turned Hot is not announced again until it has left Hot), or forever for a reply."""

	lead: str
	alert: str
	key: str
	reference: str = ""


def open_key(alert: str, lead: str, reference: str = "") -> str:
	return f"{alert}:{lead}:{reference}" if reference else f"{alert}:{lead}"


def transitions(
	changes: Iterable[LeadChange], enabled: Iterable[str], hot_leads: Iterable[str] = ()
) -> tuple[list[Transition], list[str]]:
	"""The alerts these changes call for, and the keys they release (a lead that left Hot,
	or is no longer a prospect, can be announced again when it comes back).

	`enabled`: the alerts switched on; `hot_leads`: the leads that are Hot now (a reply
	alerts only for those)."""
	enabled, hot_leads = set(enabled), set(hot_leads)
	found: dict[str, Transition] = {}
	released: list[str] = []
	for change in changes:
		if change.kind == BAND:
			if change.value == HOT and change.previous != HOT:
				add_transition(
					found, enabled, Transition(change.lead, TURNED_HOT, open_key(TURNED_HOT, change.lead))
				)
			elif change.previous == HOT and change.value != HOT:
				released.append(open_key(TURNED_HOT, change.lead))
		elif change.kind == QUALIFICATION:
			if change.value == QUALIFIED and change.previous != QUALIFIED:
				add_transition(
					found,
					enabled,
					Transition(change.lead, BECAME_PROSPECT, open_key(BECAME_PROSPECT, change.lead)),
				)
			elif change.previous == QUALIFIED and change.value != QUALIFIED:
				released.append(open_key(BECAME_PROSPECT, change.lead))
		elif change.kind == REPLY and change.lead in hot_leads:
			reference = str(change.value or "")
			add_transition(
				found,
				enabled,
				Transition(
					change.lead,
					HOT_LEAD_REPLIED,
					open_key(HOT_LEAD_REPLIED, change.lead, reference),
					reference,
				),
			)
	return list(found.values()), released


def add_transition(found: dict[str, Transition], enabled: set[str], transition: Transition) -> None:
	if transition.alert in enabled:
		found.setdefault(transition.key, transition)


def recipients_of(lead: str, owners: Mapping[str, str | None], fallback: Sequence[str]) -> list[str]:
	"""The lead's owner, or every user of the fallback role when it has none."""
	return [owners[lead]] if owners.get(lead) else list(fallback)


def recipients(
	leads: Iterable[str], owners: Mapping[str, str | None], fallback: Sequence[str]
) -> dict[str, list[str]]:
	"""Leads by the user to tell: the lead's owner, or every user of the fallback role when
	the lead has none. Users and leads keep their first-seen order."""
	out: dict[str, list[str]] = {}
	for lead in leads:
		for user in recipients_of(lead, owners, fallback):
			out.setdefault(user, [])
			if lead not in out[user]:
				out[user].append(lead)
	return out


def stage(band: str | None, qualification_status: str | None) -> str | None:
	"""The routing stage of a lead: a prospect whatever its band, else its band."""
	if qualification_status == QUALIFIED:
		return PROSPECT
	return band if band in STAGES else None


@dataclass(frozen=True)
class Assignment:
	todo: str
	user: str
	rule: str | None  # the Assignment Rule that made it; None for a manual assignment


KEEP, ASSIGN, UNASSIGN = "keep", "assign", "unassign"


def routing_decision(
	matching_rule: str | None,
	assignments: Sequence[Assignment],
	routing_rules: Iterable[str],
	reroute_manual: bool,
) -> str:
	"""What routing does to a lead whose band or stage changed.

	`matching_rule`: the routing rule whose condition the lead meets now (None: no routing
	for its stage); `assignments`: its open assignments; `routing_rules`: the Assignment
	Rules routing maintains. Assignments routing did not make (by hand, or by a manager's
	other rule) stay unless `reroute_manual`; routing's own follow the lead to the matching
	rule's users, and are withdrawn when its new stage has no routing."""
	routing_rules = set(routing_rules)
	theirs = [a for a in assignments if a.rule not in routing_rules]
	ours = [a for a in assignments if a.rule in routing_rules]
	if matching_rule is None:
		return UNASSIGN if ours and not theirs else KEEP
	if theirs and not reroute_manual:
		return KEEP
	if ours and not theirs and all(a.rule == matching_rule for a in ours):
		return KEEP
	return ASSIGN
