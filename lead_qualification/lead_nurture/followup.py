"""Follow-ups by stage: plain, typed functions; no frappe import.

The nurture engine (sequences, steps, enrollments, the worker) serves three stages; a
sequence names its stage:

- *Lead*: nurture of leads not yet qualified (calendar-day cadence by band, see cadence.py);
  it stops when the lead is promoted.
- *Prospect*: after promotion, tasks for the owner at the prospect's rhythm, in working
  days (hot every 2, warm every 5 by default), until an Opportunity or a Quotation exists,
  the lead is lost or set to Do Not Contact, or a sales user logs a next step.
- *Quotation*: after a quotation to a lead (or to a customer that came from a lead) is
  submitted, reminders at working-day offsets from its submission (D+2, D+7, D+14) and a
  number of days before its Valid Till, until it is ordered, lost, expired or cancelled,
  the contact replies, or the owner logs a next step.

Working days are the days that are neither a weekend day nor one of the company's holidays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from lead_qualification.lead_nurture import cadence
from lead_qualification.lead_nurture.cadence import COLD, HOT, WARM, Cadence, LeadFacts

LEAD, PROSPECT, QUOTATION = "Lead", "Prospect", "Quotation"
STAGES = (LEAD, PROSPECT, QUOTATION)

# When a step is due (Nurture Step's Timing)
AFTER_PREVIOUS = "After Previous Touch"
AFTER_START = "Working Days After Start"
BEFORE_VALID_TILL = "Days Before Valid Till"
TIMINGS = (AFTER_PREVIOUS, AFTER_START, BEFORE_VALID_TILL)

WEEKEND = frozenset({5, 6})  # Saturday, Sunday (date.weekday())
MAX_SEARCH_DAYS = 3660

# stop reasons added by the prospect and quotation stages (the others are cadence's)
ORDERED = "Ordered"
EXPIRED = "Expired"
CANCELLED = "Cancelled"
NEXT_STEP = "Next Step Logged"
NOT_A_PROSPECT = "No Longer a Prospect"
QUOTATION_LOST = "Lost"  # = cadence.LOST


@dataclass(frozen=True)
class ProspectCadence:
	"""Working days between a prospect's follow-ups, by band."""

	hot_days: int = 2
	warm_days: int = 5
	cold_days: int = 10

	def days(self, band: str | None) -> int:
		return {HOT: self.hot_days, WARM: self.warm_days}.get(band or COLD, self.cold_days)


# --- working days ------------------------------------------------------------------------------


def is_working_day(day: date, holidays: frozenset[date], weekend: frozenset[int] = WEEKEND) -> bool:
	return day.weekday() not in weekend and day not in holidays


def add_working_days(
	start: datetime, days: int, holidays: frozenset[date], weekend: frozenset[int] = WEEKEND
) -> datetime:
	"""The moment `days` working days after `start`, at the same time of day. D+0 is `start`
	itself if it is a working day, else the next working day."""
	day = start.date()
	remaining = max(days, 0)
	for _ in range(MAX_SEARCH_DAYS):
		if is_working_day(day, holidays, weekend):
			if remaining == 0:
				return datetime.combine(day, start.time())
			remaining -= 1
		day += timedelta(days=1)
	raise ValueError("no working day found: every day is a holiday or a weekend day")


def working_day_on_or_before(day: date, holidays: frozenset[date], weekend: frozenset[int] = WEEKEND) -> date:
	for _ in range(MAX_SEARCH_DAYS):
		if is_working_day(day, holidays, weekend):
			return day
		day -= timedelta(days=1)
	raise ValueError("no working day found: every day is a holiday or a weekend day")


# --- when a step is due ------------------------------------------------------------------------


@dataclass(frozen=True)
class StepTiming:
	timing: str = AFTER_PREVIOUS
	offset_days: int = 0  # working days after the start, or days before Valid Till
	wait_days: int = 0  # the step's own wait after the previous touch (0: the band's cadence)


def step_due(
	step: StepTiming,
	*,
	stage: str,
	band: str | None,
	since: datetime,
	start: datetime,
	valid_till: date | None,
	holidays: frozenset[date],
	lead_cadence: Cadence,
	prospect_cadence: ProspectCadence,
	day_starts_at: time = time(9, 0),
) -> datetime:
	"""When a step is due, before quiet hours and the weekly cap (cadence.allowed_moment).

	- After Previous Touch: Lead stage, the band's cadence in calendar days (or the step's
	  wait); Prospect and Quotation stages, in working days.
	- Working Days After Start: `offset_days` working days after the enrollment began (a
	  quotation's submission), at the same time of day.
	- Days Before Valid Till: `offset_days` calendar days before Valid Till, moved back to a
	  working day, at the start of the day; without a Valid Till, after the previous touch.
	"""
	if step.timing == AFTER_START:
		return add_working_days(start, step.offset_days, holidays)
	if step.timing == BEFORE_VALID_TILL and valid_till:
		day = working_day_on_or_before(valid_till - timedelta(days=max(step.offset_days, 0)), holidays)
		return datetime.combine(day, day_starts_at)
	if stage == LEAD:
		return cadence.planned_due(since, step.wait_days, band, lead_cadence)
	days = step.wait_days if step.wait_days and step.wait_days > 0 else prospect_cadence.days(band)
	return add_working_days(since, days, holidays)


def step_index(next_step: int, step_count: int, repeat: bool) -> int | None:
	"""The 1-based step of the sequence that enrollment position `next_step` names, or None
	when the sequence is done. A repeating sequence (a prospect's cadence) starts again after
	its last step; the position keeps growing, so each touch keeps its own key."""
	if step_count <= 0 or next_step < 1:
		return None
	if next_step <= step_count:
		return next_step
	if not repeat:
		return None
	return (next_step - 1) % step_count + 1


# --- stop rules by stage -----------------------------------------------------------------------


@dataclass(frozen=True)
class QuotationFacts:
	"""What a quotation's follow-up stop rules look at, loaded by the Frappe side."""

	docstatus: int = 1
	status: str = "Open"
	valid_till: date | None = None
	ordered: bool = False  # a submitted Sales Order was made from it
	replied_since_start: bool = False  # the contact wrote about it (or from its address)
	next_step_since_start: bool = False  # the owner logged a next step on it


def quotation_stop_reason(
	quotation: QuotationFacts | None, lead: LeadFacts | None, today: date
) -> str | None:
	"""The first reason to stop a quotation's follow-up, in order of precedence, or None."""
	if quotation is None or quotation.docstatus == 2 or quotation.status == "Cancelled":
		return CANCELLED
	if quotation.ordered or quotation.status in ("Ordered", "Partially Ordered"):
		return ORDERED
	if quotation.status == "Lost":
		return QUOTATION_LOST
	if quotation.status == "Expired" or (quotation.valid_till and quotation.valid_till < today):
		return EXPIRED
	if lead is not None and lead.status == "Do Not Contact":
		return cadence.DO_NOT_CONTACT
	if quotation.replied_since_start:
		return cadence.REPLIED
	if quotation.next_step_since_start:
		return NEXT_STEP
	return None


def prospect_stop_reason(facts: LeadFacts) -> str | None:
	"""The first reason to stop a prospect's cadence, in order of precedence, or None. A reply
	does not stop it (a prospect is in conversation), nor an unsubscribe (its steps are tasks
	for the owner; an e-mail step to an unsubscribed address is passed over)."""
	if facts.has_customer or facts.status == "Converted":
		return cadence.CUSTOMER
	if facts.status == "Do Not Contact":
		return cadence.DO_NOT_CONTACT
	if facts.status == "Lost Quotation":
		return cadence.LOST
	if facts.has_quotation:
		return cadence.QUOTATION
	if facts.has_opportunity:
		return cadence.OPPORTUNITY
	if not facts.qualified:
		return NOT_A_PROSPECT
	if facts.next_step_since_enrollment:
		return NEXT_STEP
	return None


def stop_reason(
	stage: str | None,
	lead: LeadFacts | None,
	quotation: QuotationFacts | None = None,
	today: date | None = None,
) -> str | None:
	"""The stop rule of an enrollment of `stage` (empty: Lead)."""
	if stage == QUOTATION:
		return quotation_stop_reason(quotation, lead, today or date.today())
	if lead is None:
		return cadence.STOPPED_BY_USER
	if stage == PROSPECT:
		return prospect_stop_reason(lead)
	return cadence.stop_reason(lead)


def emails_allowed(stage: str | None, lead: LeadFacts | None) -> bool:
	"""Whether an e-mail step may write to the contact (the worker also leaves out any
	address on Frappe's unsubscribe list, as frappe.sendmail does)."""
	return lead is not None and not (lead.unsubscribed or lead.bounced or lead.status == "Do Not Contact")


def follow_up_done(touch_outcomes: list[str]) -> bool:
	"""A quotation counts as followed up when at least one step reached the contact or the
	owner (a reminder made, an e-mail sent), not only passed over."""
	return any(o in ("Sent", "Task Created") for o in touch_outcomes)
