"""Lead -> prospect promotion policy.

A lead is promoted (ERPNext's `qualification_status` = "Qualified") when every
*requirement* of the policy is satisfied. A requirement is a plain function
``(facts, settings) -> list[Shortfall]``; the BANT requirement ships here, and later
features (a minimum score, for instance) add their own to the tuple the Frappe layer
passes to :func:`evaluate`. No frappe import: this is tested without a site.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lead_qualification.lead_qualification.bant import CRITERIA, Assessment

UNQUALIFIED = "Unqualified"
IN_PROCESS = "In Process"
QUALIFIED = "Qualified"
STATUSES: tuple[str, ...] = (UNQUALIFIED, IN_PROCESS, QUALIFIED)

# Events recorded on the lead's timeline.
EVENT_STARTED = "started"
EVENT_PROMOTED_AUTO = "promoted_auto"
EVENT_PROMOTED_MANUAL = "promoted_manual"
EVENT_DEMOTED = "demoted"

# Reasons a requested status change is refused.
REFUSED_NOT_ELIGIBLE = "not_eligible"
REFUSED_REASON_REQUIRED = "reason_required"
REFUSED_CONVERTED = "converted"
REFUSED_DEMOTION_TARGET = "demotion_target"
REFUSED_UNKNOWN_STATUS = "unknown_status"


@dataclass(frozen=True)
class PolicySettings:
	required: frozenset[str] = frozenset(CRITERIA)
	auto_promote: bool = True
	extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LeadFacts:
	assessment: Assessment
	extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Shortfall:
	"""One thing that keeps a lead from promotion.

	`code` says which requirement failed, `subject` what is missing (a BANT criterion),
	`detail` any figures a message needs.
	"""

	code: str
	subject: str
	detail: Mapping[str, Any] = field(default_factory=dict)


Requirement = Callable[[LeadFacts, PolicySettings], list[Shortfall]]


def bant_requirement(facts: LeadFacts, settings: PolicySettings) -> list[Shortfall]:
	return [Shortfall("criterion_not_met", c) for c in facts.assessment.unmet(settings.required)]


def score_requirement(facts: LeadFacts, settings: PolicySettings) -> list[Shortfall]:
	"""The lead's score (facts.extra["score"]) must reach settings.extra["min_score"]."""
	minimum = float(settings.extra.get("min_score") or 0)
	score = float(facts.extra.get("score") or 0)
	if score >= minimum:
		return []
	return [
		Shortfall(
			"score_below_minimum",
			"score",
			{"score": score, "minimum": minimum, "missing": round(minimum - score, 2)},
		)
	]


DEFAULT_REQUIREMENTS: tuple[Requirement, ...] = (bant_requirement,)
WITH_SCORE: tuple[Requirement, ...] = (bant_requirement, score_requirement)


@dataclass(frozen=True)
class Decision:
	shortfalls: tuple[Shortfall, ...]

	@property
	def eligible(self) -> bool:
		return not self.shortfalls


def evaluate(
	facts: LeadFacts,
	settings: PolicySettings,
	requirements: Iterable[Requirement] = DEFAULT_REQUIREMENTS,
) -> Decision:
	shortfalls: list[Shortfall] = []
	for requirement in requirements:
		shortfalls.extend(requirement(facts, settings))
	return Decision(tuple(shortfalls))


@dataclass(frozen=True)
class Resolution:
	"""What a save does to the qualification status: the status to store, the timeline
	event to record (or None), or a refusal code (then nothing may change)."""

	status: str
	event: str | None = None
	refusal: str | None = None

	@property
	def refused(self) -> bool:
		return self.refusal is not None


def resolve_status(
	previous: str | None,
	requested: str | None,
	facts: LeadFacts,
	settings: PolicySettings,
	*,
	demotion_reason: str | None = None,
	converted: bool = False,
	decision: Decision | None = None,
) -> Resolution:
	"""Decide the qualification status after a save.

	previous: the status stored before this save (None for a new lead);
	requested: the status the document carries now (what a user or an API set).

	- Qualified is reached only through the policy: automatically when auto-promotion
	  is on, or on request; a request for an ineligible lead is refused.
	- A qualified lead stays qualified until it is demoted, which needs a reason, goes
	  back to In Process, and is refused once the lead is converted.
	- Otherwise a lead moves from Unqualified to In Process once any criterion is filled;
	  a user may also set Unqualified or In Process by hand.
	"""
	previous = previous or UNQUALIFIED
	requested = requested or previous
	if requested not in STATUSES:
		return Resolution(previous, refusal=REFUSED_UNKNOWN_STATUS)
	if decision is None:
		decision = evaluate(facts, settings)

	if previous == QUALIFIED:
		if requested == QUALIFIED:
			return Resolution(QUALIFIED)
		if converted:
			return Resolution(previous, refusal=REFUSED_CONVERTED)
		if requested != IN_PROCESS:
			return Resolution(previous, refusal=REFUSED_DEMOTION_TARGET)
		if not (demotion_reason or "").strip():
			return Resolution(previous, refusal=REFUSED_REASON_REQUIRED)
		return Resolution(IN_PROCESS, event=EVENT_DEMOTED)

	if requested == QUALIFIED:
		if decision.eligible:
			return Resolution(QUALIFIED, event=EVENT_PROMOTED_MANUAL)
		return Resolution(previous, refusal=REFUSED_NOT_ELIGIBLE)

	if settings.auto_promote and decision.eligible:
		return Resolution(QUALIFIED, event=EVENT_PROMOTED_AUTO)

	status = requested
	if status == UNQUALIFIED and requested == previous and facts.assessment.any_filled:
		status = IN_PROCESS
	event = EVENT_STARTED if status == IN_PROCESS and previous != IN_PROCESS else None
	return Resolution(status, event=event)
