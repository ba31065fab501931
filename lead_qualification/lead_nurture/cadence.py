"""Nurture cadence and stop rules: plain, typed functions; no frappe import.

- The wait between touches follows the lead's band (cold monthly, warm weekly, hot every
  day or two by default), unless a step sets its own wait.
- A touch never falls in quiet hours, on a holiday, or beyond the per-lead weekly cap:
  it is moved to the next allowed moment.
- A lead stops being nurtured as soon as it replies, is promoted, gets an Opportunity,
  Quotation or Customer, is set to Do Not Contact or lost, unsubscribes or bounces.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from lead_qualification.time_zones import MAX_ZONE_GAP

HOT, WARM, COLD = "Hot", "Warm", "Cold"

# How far after the moment a touch's stamp may be and still count against the weekly cap
# (a stamp taken before the site's zone moved west looks up to this far ahead).
FUTURE_SKEW = MAX_ZONE_GAP


@dataclass(frozen=True)
class Cadence:
	hot_days: int = 2
	warm_days: int = 7
	cold_days: int = 30

	def days(self, band: str | None) -> int:
		return {HOT: self.hot_days, WARM: self.warm_days}.get(band or COLD, self.cold_days)


@dataclass(frozen=True)
class Limits:
	quiet_start: time | None = time(19, 0)
	quiet_end: time | None = time(8, 0)
	holidays: frozenset[date] = field(default_factory=frozenset)
	max_per_week: int = 3


def wait_days(step_wait: int | None, band: str | None, cadence: Cadence) -> int:
	return step_wait if step_wait and step_wait > 0 else cadence.days(band)


def planned_due(last_touch: datetime, step_wait: int | None, band: str | None, cadence: Cadence) -> datetime:
	"""When the next step is due, before quiet hours, holidays and the cap."""
	return last_touch + timedelta(days=wait_days(step_wait, band, cadence))


def in_quiet_hours(moment: datetime, limits: Limits) -> bool:
	start, end = limits.quiet_start, limits.quiet_end
	if start is None or end is None or start == end:
		return False
	t = moment.time()
	if start < end:
		return start <= t < end
	return t >= start or t < end  # spans midnight


def end_of_quiet_hours(moment: datetime, limits: Limits) -> datetime:
	end = limits.quiet_end
	candidate = datetime.combine(moment.date(), end)
	if candidate <= moment:
		candidate += timedelta(days=1)
	return candidate


def allowed_moment(
	candidate: datetime, limits: Limits, recent_touches: Iterable[datetime] = (), max_iterations: int = 400
) -> datetime:
	"""The first moment at or after `candidate` outside quiet hours, not on a holiday, and
	with fewer than `max_per_week` touches in the 7 days before it.

	A touch stamped later than the moment (by up to `FUTURE_SKEW`) has happened already: the
	site's time zone moved west, or the clocks went back, since it was stamped. It counts
	against the cap, at its stamp (so the wait may end that many hours late, never early)."""
	touches = sorted(recent_touches)
	moment = candidate
	for _ in range(max_iterations):
		if in_quiet_hours(moment, limits):
			moment = end_of_quiet_hours(moment, limits)
			continue
		if moment.date() in limits.holidays:
			next_day = datetime.combine(moment.date() + timedelta(days=1), limits.quiet_end or time(0, 0))
			moment = next_day
			continue
		if limits.max_per_week > 0:
			window = [t for t in touches if moment - timedelta(days=7) < t <= moment + FUTURE_SKEW]
			if len(window) >= limits.max_per_week:
				# wait until the oldest touch in the window leaves it
				moment = window[-limits.max_per_week] + timedelta(days=7, seconds=1)
				continue
		return moment
	return moment


def step_applies(step_band: str | None, band: str | None) -> bool:
	return not step_band or step_band == (band or COLD)


# --- stop rules ----------------------------------------------------------------------------

REPLIED = "Replied"
PROMOTED = "Promoted"
OPPORTUNITY = "Opportunity"
QUOTATION = "Quotation"
CUSTOMER = "Customer"
DO_NOT_CONTACT = "Do Not Contact"
LOST = "Lost"
UNSUBSCRIBED = "Unsubscribed"
BOUNCED = "Bounced"
STOPPED_BY_USER = "Stopped by User"


@dataclass(frozen=True)
class LeadFacts:
	"""What the stop rules look at, loaded by the Frappe side."""

	replied_since_enrollment: bool = False
	qualified: bool = False
	has_opportunity: bool = False
	has_quotation: bool = False
	has_customer: bool = False
	status: str = ""
	unsubscribed: bool = False
	bounced: bool = False
	has_email: bool = True
	next_step_since_enrollment: bool = False  # a sales user logged a next step (prospects)


def stop_reason(facts: LeadFacts) -> str | None:
	"""The first reason to stop nurturing this lead, in order of precedence, or None."""
	if facts.has_customer or facts.status == "Converted":
		return CUSTOMER
	if facts.status == "Do Not Contact":
		return DO_NOT_CONTACT
	if facts.unsubscribed:
		return UNSUBSCRIBED
	if facts.bounced:
		return BOUNCED
	if facts.status == "Lost Quotation":
		return LOST
	if facts.qualified:
		return PROMOTED
	if facts.has_quotation:
		return QUOTATION
	if facts.has_opportunity:
		return OPPORTUNITY
	if facts.replied_since_enrollment:
		return REPLIED
	return None
