"""Report arithmetic, plain and typed (no frappe import): conversion rates, the score
threshold that best separates buyers, and time spent in each status."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from lead_qualification.lead_qualification.promotion import STATUSES, UNQUALIFIED
from lead_qualification.lead_scoring.engine import BANDS, COLD

# Chart colours of the bands, in BANDS order (Hot, Warm, Cold): the red, orange and blue of
# Frappe's palette (--red-500, --orange-500, --blue-500), as on the Lead list's band pill.
BAND_COLOURS: Mapping[str, str] = {"Hot": "#e03636", "Warm": "#e86c13", "Cold": "#0289f7"}


def rate(part: float, whole: float) -> float:
	"""Percentage, 0 when there is nothing to divide."""
	return round(100.0 * part / whole, 2) if whole else 0.0


def counts_in_order(
	counts: Mapping[str | None, int], order: Sequence[str], unset_as: str | None = None
) -> list[int]:
	"""Counts per value (e.g. from a GROUP BY) -> one count per value of `order`, 0 where there
	is none. Rows with no value (None or "") count as `unset_as` when given; any other value
	outside `order` is left out."""
	out = dict.fromkeys(order, 0)
	for value, count in counts.items():
		key = value or unset_as
		if key in out:
			out[key] += int(count or 0)
	return list(out.values())


def band_counts(counts: Mapping[str | None, int]) -> list[int]:
	"""Leads per band, Hot, Warm, Cold; a lead not scored yet counts as Cold (as in Score Calibration)."""
	return counts_in_order(counts, BANDS, unset_as=COLD)


def status_counts(counts: Mapping[str | None, int]) -> list[int]:
	"""Leads per qualification status, in funnel order: Unqualified, In Process, Qualified."""
	return counts_in_order(counts, STATUSES, unset_as=UNQUALIFIED)


@dataclass(frozen=True)
class Threshold:
	score: float
	true_positive_rate: float
	false_positive_rate: float

	@property
	def separation(self) -> float:
		"""Youden's J: share of buyers above the threshold minus share of non-buyers above it."""
		return round(self.true_positive_rate - self.false_positive_rate, 4)


def best_threshold(leads: Iterable[tuple[float, bool]]) -> Threshold | None:
	"""The score threshold ("score >= t") that best separates buyers from the others,
	by Youden's J; ties go to the lower threshold. None without both buyers and others."""
	leads = list(leads)
	buyers = sum(1 for _, b in leads if b)
	others = len(leads) - buyers
	if not buyers or not others:
		return None
	best: Threshold | None = None
	for t in sorted({s for s, _ in leads}):
		tp = sum(1 for s, b in leads if b and s >= t)
		fp = sum(1 for s, b in leads if not b and s >= t)
		candidate = Threshold(t, tp / buyers, fp / others)
		if best is None or candidate.separation > best.separation:
			best = candidate
	return best


@dataclass(frozen=True)
class Stay:
	value: str
	start: datetime
	end: datetime | None  # None: still in it
	changed_by: str

	def days(self, now: datetime) -> float:
		"""Days spent in the value; never negative (a `now` behind the start, the clock
		having moved back since, counts as no time yet)."""
		return round(max(0.0, ((self.end or now) - self.start).total_seconds()) / 86400, 2)


def stays(changes: Sequence[tuple[str, datetime, str]]) -> list[Stay]:
	"""Log entries (value, changed_on, changed_by) of one lead and one kind -> the periods
	spent in each value, in order; the last one is still open. Give the times in one clock
	that never moves back (UTC): the order and the durations are taken from them."""
	ordered = sorted(changes, key=lambda c: c[1])
	out = []
	for i, (value, start, by) in enumerate(ordered):
		end = ordered[i + 1][1] if i + 1 < len(ordered) else None
		out.append(Stay(value, start, end, by))
	return out


# --- quotation -> order ---------------------------------------------------------------------


@dataclass(frozen=True)
class QuoteOutcome:
	"""A submitted quotation: when it was made, when a Sales Order was made from it (None:
	not ordered), and whether a follow-up reached the owner or the contact."""

	quoted_on: date
	ordered_on: date | None
	followed_up: bool


@dataclass(frozen=True)
class QuoteToOrder:
	quotations: int
	ordered: int
	rate: float  # percent
	average_days: float | None  # from quotation to order, over the ordered ones


def quote_to_order(outcomes: Iterable[QuoteOutcome]) -> QuoteToOrder:
	outcomes = list(outcomes)
	ordered = [o for o in outcomes if o.ordered_on is not None]
	days = [max((o.ordered_on - o.quoted_on).days, 0) for o in ordered]
	return QuoteToOrder(
		quotations=len(outcomes),
		ordered=len(ordered),
		rate=rate(len(ordered), len(outcomes)),
		average_days=round(sum(days) / len(days), 1) if days else None,
	)


def quote_to_order_split(outcomes: Iterable[QuoteOutcome]) -> dict[str, QuoteToOrder]:
	"""All quotations, those followed up, and the others."""
	outcomes = list(outcomes)
	return {
		"all": quote_to_order(outcomes),
		"followed_up": quote_to_order(o for o in outcomes if o.followed_up),
		"not_followed_up": quote_to_order(o for o in outcomes if not o.followed_up),
	}
