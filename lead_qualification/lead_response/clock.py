"""The first-response clock: plain, typed functions; no frappe import.

- A response target is a number of *working* hours: only the hours between the start and
  the end of the working day count, on working days that are not holidays.
- *Respond By* is the moment the lead arrived plus its band's target; a lead that turns
  hotter before anyone answered gets the tighter of its current deadline and "now plus the
  new band's target" (never a looser one).
- The first response is the earliest of the candidates (e-mail, call, meeting, note);
  the time it took is measured in working hours, the way the target is.
- Report arithmetic: median and percentiles of those times.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

HOT, WARM, COLD = "Hot", "Warm", "Cold"

WORKING_HOURS = "Working Hours"
WORKING_DAYS = "Working Days"
UNITS = (WORKING_HOURS, WORKING_DAYS)

EMAIL, CALL, MEETING, NOTE = "E-mail", "Call", "Meeting", "Note"
RESPONSE_KINDS = (EMAIL, CALL, MEETING, NOTE)

MONDAY_TO_FRIDAY = frozenset(range(5))  # date.weekday(): Monday is 0

# a clock that never finds a working day (every day a holiday) gives up after this many days
MAX_DAYS = 3660


class NoWorkingTime(ValueError):
	"""The working hours or working days leave no time to count."""


@dataclass(frozen=True)
class WorkingTime:
	start: time = time(9, 0)
	end: time = time(18, 0)
	weekdays: frozenset[int] = MONDAY_TO_FRIDAY
	holidays: frozenset[date] = field(default_factory=frozenset)

	def __post_init__(self):
		if self.start >= self.end:
			raise NoWorkingTime("the working day must end after it starts")
		if not self.weekdays:
			raise NoWorkingTime("at least one working day is needed")

	@property
	def hours_per_day(self) -> float:
		return _seconds(self.start, self.end) / 3600

	def is_working_day(self, day: date) -> bool:
		return day.weekday() in self.weekdays and day not in self.holidays

	def window(self, day: date) -> tuple[datetime, datetime]:
		return datetime.combine(day, self.start), datetime.combine(day, self.end)


def _seconds(start: time, end: time) -> float:
	return (datetime.combine(date.min, end) - datetime.combine(date.min, start)).total_seconds()


def add_working_hours(moment: datetime, hours: float, working: WorkingTime) -> datetime:
	"""The moment at which `hours` working hours have passed since `moment`.

	A target that fills a working day exactly ends at the end of that day (Friday 18:00, not
	Monday 09:00). Started outside working time, the count begins at the next working start.
	"""
	if hours < 0:
		raise ValueError("hours must not be negative")
	remaining = timedelta(hours=hours)
	day = moment.date()
	for _ in range(MAX_DAYS):
		if working.is_working_day(day):
			day_start, day_end = working.window(day)
			begin = max(moment, day_start)
			if begin < day_end or (begin == day_end and not remaining):
				available = day_end - begin
				if remaining <= available:
					return begin + remaining
				remaining -= available
		day += timedelta(days=1)
	raise NoWorkingTime(f"no working time within {MAX_DAYS} days")


def working_hours_between(start: datetime, end: datetime, working: WorkingTime) -> float:
	"""Working hours from `start` to `end` (0 when `end` is not after `start`)."""
	if end <= start:
		return 0.0
	total = timedelta()
	day = start.date()
	while day <= end.date():
		if working.is_working_day(day):
			day_start, day_end = working.window(day)
			begin, finish = max(start, day_start), min(end, day_end)
			if finish > begin:
				total += finish - begin
		day += timedelta(days=1)
	return total.total_seconds() / 3600


# --- targets and deadlines ------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
	value: float
	unit: str = WORKING_HOURS

	def hours(self, working: WorkingTime) -> float:
		if self.unit == WORKING_DAYS:
			return self.value * working.hours_per_day
		return self.value


@dataclass(frozen=True)
class Targets:
	hot: Target = Target(1, WORKING_HOURS)
	warm: Target = Target(1, WORKING_DAYS)
	cold: Target = Target(3, WORKING_DAYS)

	def for_band(self, band: str | None) -> Target:
		"""A lead without a band yet is treated as cold."""
		return {HOT: self.hot, WARM: self.warm}.get(band or COLD, self.cold)


def respond_by(arrived: datetime, band: str | None, targets: Targets, working: WorkingTime) -> datetime:
	return add_working_hours(arrived, targets.for_band(band).hours(working), working)


def tightened(
	current: datetime | None, changed_at: datetime, band: str | None, targets: Targets, working: WorkingTime
) -> datetime:
	"""The deadline after the lead's band changed at `changed_at`: the earlier of the current
	one and the new band's target counted from the change. A cooler band never loosens it."""
	candidate = respond_by(changed_at, band, targets, working)
	return candidate if current is None or candidate < current else current


# --- first response ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
	moment: datetime
	kind: str


def first_response(candidates: Iterable[Response | None]) -> Response | None:
	"""The earliest response; on a tie, the order of RESPONSE_KINDS decides."""
	found = [c for c in candidates if c is not None]
	if not found:
		return None
	return min(found, key=lambda r: (r.moment, RESPONSE_KINDS.index(r.kind)))


def is_earlier(candidate: datetime, recorded: datetime | None) -> bool:
	"""Whether a response at `candidate` becomes the lead's first response."""
	return recorded is None or candidate < recorded


def is_overdue(deadline: datetime | None, responded: datetime | None, now: datetime) -> bool:
	return deadline is not None and responded is None and now > deadline


# --- the report's arithmetic ------------------------------------------------------------------

IN_TIME, LATE, WAITING, NOT_DUE = "In Time", "Late", "Waiting", "Not Due"


def outcome(deadline: datetime | None, responded: datetime | None, now: datetime) -> str | None:
	"""In Time (answered by the deadline), Late (answered after it, or unanswered past it),
	Not Due (unanswered, deadline not reached). None without a deadline (a lead that
	existed before the clock)."""
	if deadline is None:
		return None
	if responded is not None:
		return IN_TIME if responded <= deadline else LATE
	return LATE if now > deadline else NOT_DUE


def percentile(values: Sequence[float], p: float) -> float | None:
	"""The p-th percentile (0-100) by linear interpolation between closest ranks (as
	numpy's default and Excel's PERCENTILE.INC); None for no values."""
	if not values:
		return None
	if not 0 <= p <= 100:
		raise ValueError("p must be between 0 and 100")
	ordered = sorted(values)
	rank = (len(ordered) - 1) * p / 100
	low = int(rank)
	high = min(low + 1, len(ordered) - 1)
	return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float | None:
	return percentile(values, 50)
