"""Speed-to-Lead figures, plain and typed (no frappe import): how fast leads were first
answered, by group, and whether the leads answered in time became prospects more often."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from lead_qualification.lead_response import clock


@dataclass(frozen=True)
class LeadTiming:
	group: str
	arrived: datetime
	respond_by: datetime | None
	responded: datetime | None
	qualified: bool
	company: str | None = None  # whose holidays count


@dataclass(frozen=True)
class GroupFigures:
	group: str
	leads: int
	answered: int
	waiting: int  # not answered yet
	median_hours: float | None
	p90_hours: float | None
	in_time: int
	late: int
	converted_in_time: int
	converted_late: int

	@property
	def share_in_time(self) -> float | None:
		"""Percentage of the leads whose target has passed or was met that were answered in time."""
		due = self.in_time + self.late
		return round(100.0 * self.in_time / due, 2) if due else None

	@property
	def conversion_in_time(self) -> float | None:
		return round(100.0 * self.converted_in_time / self.in_time, 2) if self.in_time else None

	@property
	def conversion_late(self) -> float | None:
		return round(100.0 * self.converted_late / self.late, 2) if self.late else None


def figures(
	group: str, leads: list[LeadTiming], now: datetime, hours: Callable[[LeadTiming], float]
) -> GroupFigures:
	"""`hours(lead)`: working hours from arrival to first response (the caller knows each
	lead's working time, holidays depend on its company)."""
	times = [hours(lead) for lead in leads if lead.responded is not None]
	outcomes = [(clock.outcome(lead.respond_by, lead.responded, now), lead.qualified) for lead in leads]
	return GroupFigures(
		group=group,
		leads=len(leads),
		answered=len(times),
		waiting=len(leads) - len(times),
		median_hours=_round(clock.median(times)),
		p90_hours=_round(clock.percentile(times, 90)),
		in_time=sum(1 for o, _ in outcomes if o == clock.IN_TIME),
		late=sum(1 for o, _ in outcomes if o == clock.LATE),
		converted_in_time=sum(1 for o, q in outcomes if o == clock.IN_TIME and q),
		converted_late=sum(1 for o, q in outcomes if o == clock.LATE and q),
	)


def by_group(
	leads: Iterable[LeadTiming], now: datetime, hours: Callable[[LeadTiming], float]
) -> list[GroupFigures]:
	"""One row per group, in the order groups first appear."""
	grouped: dict[str, list[LeadTiming]] = {}
	for lead in leads:
		grouped.setdefault(lead.group, []).append(lead)
	return [figures(group, items, now, hours) for group, items in grouped.items()]


def _round(value: float | None) -> float | None:
	return None if value is None else round(value, 2)
