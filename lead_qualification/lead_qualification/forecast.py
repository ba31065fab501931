"""Pipeline forecast and qualification impact arithmetic, plain and typed (no frappe import).

Win probabilities are learned from the site's own history and shown with the number of past
cases behind them; below `min_cases` cases the documented prior is used instead (PRIORS
below), and the report says so. Amounts are net of taxes, in the company's currency, so
that quotations, orders and invoices compare.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from lead_qualification.lead_qualification.promotion import STATUSES
from lead_qualification.lead_scoring.engine import BANDS, COLD

DEFAULT_MIN_CASES = 20
# Below this many cases a figure of the Qualification Impact report is flagged as noise.
NOISE_CASES = 30
# Median order value: a (source, territory) group needs this many orders, else the next
# wider group is used (source, then territory, then every order).
MIN_ORDERS_FOR_MEDIAN = 5

# Documented priors, used when the site has fewer than `min_cases` past cases.
# Leads: the chance that a lead of this band and qualification status ends up invoiced.
# The article's figures set the scale: 10-15 % of leads convert without qualification,
# 25-35 % of qualified ones; a hot lead ranks above a warm one, a warm above a cold one.
LEAD_PRIORS: Mapping[tuple[str, str], float] = {
	("Hot", "Qualified"): 0.35,
	("Warm", "Qualified"): 0.25,
	("Cold", "Qualified"): 0.15,
	("Hot", "In Process"): 0.15,
	("Warm", "In Process"): 0.10,
	("Cold", "In Process"): 0.05,
	("Hot", "Unqualified"): 0.05,
	("Warm", "Unqualified"): 0.03,
	("Cold", "Unqualified"): 0.01,
}

# Quotations: age buckets in days since the quotation's date (start, end inclusive; None: open).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
	("0-30", 0, 30),
	("31-60", 31, 60),
	("61-90", 61, 90),
	("91+", 91, None),
)
# The chance that an open quotation of this age becomes an order, for a qualified lead or not:
# a fresh quotation converts about one time in three for a qualified lead (the article's
# 25-35 %), one in six otherwise, and the chance falls as the quotation ages unanswered.
QUOTE_PRIORS: Mapping[tuple[str, bool], float] = {
	("0-30", True): 0.30,
	("31-60", True): 0.20,
	("61-90", True): 0.10,
	("91+", True): 0.05,
	("0-30", False): 0.15,
	("31-60", False): 0.10,
	("61-90", False): 0.05,
	("91+", False): 0.02,
}

# Months after the lead's creation when a lead with this timing horizon and no expected start
# date is expected to buy (the middle of the horizon, rounded).
HORIZON_MONTHS: Mapping[str, int] = {
	"Immediate": 0,
	"Under a Month": 1,
	"1-3 Months": 2,
	"3-6 Months": 5,
	"Over 6 Months": 9,
}


# --- probabilities -------------------------------------------------------------------


@dataclass(frozen=True)
class Probability:
	value: float  # 0..1
	wins: int
	cases: int
	from_prior: bool

	@property
	def percent(self) -> float:
		return round(100 * self.value, 1)


def probability(wins: int, cases: int, prior: float, min_cases: int = DEFAULT_MIN_CASES) -> Probability:
	"""The observed rate wins/cases with at least `min_cases` cases, else the prior."""
	if cases >= max(1, min_cases):
		return Probability(wins / cases, wins, cases, False)
	return Probability(prior, wins, cases, True)


def lead_probabilities(
	counts: Mapping[tuple[str, str], tuple[int, int]], min_cases: int = DEFAULT_MIN_CASES
) -> dict[tuple[str, str], Probability]:
	"""(band, qualification status) -> (wins, cases) of past leads -> a probability for every
	band and status. A lead with no band counts as Cold, one with no status as Unqualified
	(the loader does that)."""
	out = {}
	for band in BANDS:
		for stage in reversed(STATUSES):
			wins, cases = counts.get((band, stage), (0, 0))
			out[(band, stage)] = probability(wins, cases, LEAD_PRIORS[(band, stage)], min_cases)
	return out


def normalise_band(band: str | None) -> str:
	return band if band in BANDS else COLD


def normalise_stage(stage: str | None) -> str:
	return stage if stage in STATUSES else STATUSES[0]


def age_bucket(age_days: int) -> str:
	for label, start, end in AGE_BUCKETS:
		if age_days >= start and (end is None or age_days <= end):
			return label
	return AGE_BUCKETS[0][0]  # a quotation dated ahead of the day counts as fresh


@dataclass(frozen=True)
class PastQuote:
	"""A quotation whose outcome is known on the forecast day: ordered by then (`ordered_age`,
	days from the quotation to its first order), or closed without an order (expired or lost;
	`open_days`, the days it stayed open)."""

	qualified: bool
	ordered_age: int | None = None
	open_days: int = 0

	@property
	def end_age(self) -> int:
		return self.ordered_age if self.ordered_age is not None else self.open_days


def quote_probabilities(
	past: Iterable[PastQuote], min_cases: int = DEFAULT_MIN_CASES
) -> dict[tuple[str, bool], Probability]:
	"""(age bucket, qualified) -> the chance that a quotation still open at the bucket's
	first day becomes an order. Cases: the past quotations that were still open, without an
	order, on that day of their life; wins: those of them that were ordered later."""
	tally = {(label, q): [0, 0] for label, _, _ in AGE_BUCKETS for q in (True, False)}
	for quote in past:
		for label, start, _ in AGE_BUCKETS:
			if quote.end_age >= start:
				t = tally[(label, quote.qualified)]
				t[1] += 1
				if quote.ordered_age is not None:
					t[0] += 1
	return {
		key: probability(wins, cases, QUOTE_PRIORS[key], min_cases) for key, (wins, cases) in tally.items()
	}


# --- order values --------------------------------------------------------------------


def median(values: Iterable[float]) -> float | None:
	values = list(values)
	return float(statistics.median(values)) if values else None


@dataclass(frozen=True)
class OrderValue:
	value: float
	orders: int
	level: str  # "source and territory", "source", "territory", "all", "none"


class MedianOrderValues:
	"""The median order value for a lead's source and territory, widening to the source, the
	territory, then every order when a group has fewer than `min_orders` orders."""

	def __init__(
		self,
		orders: Iterable[tuple[str | None, str | None, float]],
		min_orders: int = MIN_ORDERS_FOR_MEDIAN,
	):
		self.min_orders = min_orders
		self.groups: dict[tuple[str, object], list[float]] = {}
		self.all: list[float] = []
		for source, territory, value in orders:
			self.all.append(float(value))
			for key in (("both", (source, territory)), ("source", source), ("territory", territory)):
				self.groups.setdefault(key, []).append(float(value))
		self._cache: dict[tuple[str | None, str | None], OrderValue] = {}

	def for_lead(self, source: str | None, territory: str | None) -> OrderValue:
		key = (source, territory)
		if key not in self._cache:
			self._cache[key] = self._compute(source, territory)
		return self._cache[key]

	def _compute(self, source, territory) -> OrderValue:
		levels = []
		if source and territory:
			levels.append(("source and territory", ("both", (source, territory))))
		if source:
			levels.append(("source", ("source", source)))
		if territory:
			levels.append(("territory", ("territory", territory)))
		for level, key in levels:
			values = self.groups.get(key, [])
			if len(values) >= self.min_orders:
				return OrderValue(median(values), len(values), level)
		if self.all:
			return OrderValue(median(self.all), len(self.all), "all")
		return OrderValue(0.0, 0, "none")


# --- months --------------------------------------------------------------------------


def month_start(day: date) -> date:
	return day.replace(day=1)


def add_months(day: date, months: int) -> date:
	"""First day of the month `months` after `day`'s month."""
	index = day.year * 12 + day.month - 1 + months
	return date(index // 12, index % 12 + 1, 1)


def months_from(start: date, count: int) -> list[date]:
	return [add_months(start, i) for i in range(count)]


def lead_month(created: date, expected_start: date | None, horizon: str | None, start: date) -> date | None:
	"""The month a lead is expected to buy: its Expected Start, else its creation plus its
	timing horizon (HORIZON_MONTHS); never before the forecast's first month `start`; None
	when the lead says nothing about timing."""
	if expected_start:
		month = month_start(expected_start)
	elif horizon in HORIZON_MONTHS:
		month = add_months(created, HORIZON_MONTHS[horizon])
	else:
		return None
	return max(month, month_start(start))


def month_of_index(index: int) -> date:
	"""year * 12 + month - 1 (as the loaders compute it in SQL) -> the month's first day."""
	return date(index // 12, index % 12 + 1, 1)


def quote_month(valid_till: date | None, start: date) -> date:
	"""The month an open quotation is expected to be decided: its Valid Till, never before the
	forecast's first month (a quotation without one: the first month)."""
	return max(month_start(valid_till), month_start(start)) if valid_till else month_start(start)


# --- the forecast ----------------------------------------------------------------------


@dataclass(frozen=True)
class OpenLead:
	name: str
	band: str
	stage: str
	created: date
	source: str | None = None
	territory: str | None = None
	budget: float | None = None  # in the company's currency; None or 0: unknown
	expected_start: date | None = None
	horizon: str | None = None
	count: int = 1  # a group of `count` leads alike: then `budget` is the sum of their budgets
	month: date | None = None  # when set, the month already worked out (see month_index)


@dataclass(frozen=True)
class OpenQuote:
	name: str
	quoted_on: date
	value: float
	qualified: bool
	valid_till: date | None = None


@dataclass(frozen=True)
class Line:
	kind: str  # "lead" or "quotation"
	name: str
	month: date | None
	value: float
	probability: Probability
	value_from: str  # "budget", an OrderValue level, or "quotation"
	count: int = 1

	@property
	def expected(self) -> float:
		return self.value * self.probability.value


def lead_lines(
	leads: Iterable[OpenLead],
	probabilities: Mapping[tuple[str, str], Probability],
	order_values: MedianOrderValues,
	start: date,
) -> list[Line]:
	out = []
	for lead in leads:
		if lead.budget and lead.budget > 0:
			value, value_from = float(lead.budget), "budget"
		else:
			ov = order_values.for_lead(lead.source, lead.territory)
			value, value_from = ov.value * lead.count, ov.level
		p = probabilities[(normalise_band(lead.band), normalise_stage(lead.stage))]
		if lead.month is not None:
			month = max(lead.month, month_start(start))
		else:
			month = lead_month(lead.created, lead.expected_start, lead.horizon, start)
		out.append(Line("lead", lead.name, month, value, p, value_from, lead.count))
	return out


def quote_lines(
	quotes: Iterable[OpenQuote],
	probabilities: Mapping[tuple[str, bool], Probability],
	as_of: date,
	start: date,
) -> list[Line]:
	out = []
	for q in quotes:
		p = probabilities[(age_bucket((as_of - q.quoted_on).days), bool(q.qualified))]
		out.append(
			Line("quotation", q.name, quote_month(q.valid_till, start), float(q.value), p, "quotation")
		)
	return out


@dataclass
class MonthRow:
	month: date | None  # None for the "later" and "not dated" rows
	label: str  # "month", "later" or "not dated"
	lead_count: int = 0
	lead_value: float = 0.0
	lead_expected: float = 0.0
	quote_count: int = 0
	quote_value: float = 0.0
	quote_expected: float = 0.0

	@property
	def expected(self) -> float:
		return self.lead_expected + self.quote_expected


def by_month(lines: Iterable[Line], start: date, months: int) -> list[MonthRow]:
	"""One row per month from `start` for `months` months, then a row for later months and
	one for leads without timing."""
	rows = {m: MonthRow(m, "month") for m in months_from(start, months)}
	later, undated = MonthRow(None, "later"), MonthRow(None, "not dated")
	end = add_months(start, months)
	for line in lines:
		if line.month is None:
			row = undated
		elif line.month >= end:
			row = later
		else:
			row = rows[month_start(line.month)]
		if line.kind == "lead":
			row.lead_count += line.count
			row.lead_value += line.value
			row.lead_expected += line.expected
		else:
			row.quote_count += 1
			row.quote_value += line.value
			row.quote_expected += line.expected
	return [*rows.values(), later, undated]


# --- what the books held on a given day ---------------------------------------------------
# The loaders read the books once for both forecasts (today's and the back-test's); these
# functions pick what was known on the forecast day.

CLOSED_LEAD_STATUSES = frozenset({"Do Not Contact", "Lost Quotation"})


@dataclass(frozen=True)
class QuoteRecord:
	quote: OpenQuote
	first_order: date | None = None  # the date of its first submitted Sales Order
	lost: bool = False  # marked Lost (known today only, not when)


def quotes_on(
	records: Iterable[QuoteRecord], as_of: date, since: date, present: bool
) -> tuple[list[PastQuote], list[OpenQuote]]:
	"""The quotations dated `since` to `as_of`, split into those decided on `as_of` (ordered
	by then, expired, or marked Lost when `present`) and those still open."""
	past, still_open = [], []
	for r in records:
		q = r.quote
		if not since <= q.quoted_on <= as_of:
			continue
		if r.first_order and r.first_order <= as_of:
			past.append(PastQuote(q.qualified, ordered_age=(r.first_order - q.quoted_on).days))
		elif (q.valid_till and q.valid_till < as_of) or (present and r.lost):
			closed = min(q.valid_till, as_of) if q.valid_till else as_of
			past.append(PastQuote(q.qualified, open_days=max(0, (closed - q.quoted_on).days)))
		else:
			still_open.append(q)
	return past, still_open


def orders_on(
	orders: Iterable[tuple[str | None, str | None, date, float]], as_of: date, since: date
) -> list[tuple[str | None, str | None, float]]:
	"""(source, territory, day, value) orders -> those dated `since` to `as_of`, for the medians."""
	return [(s, t, v) for s, t, day, v in orders if since <= day <= as_of]


# --- the back-test ---------------------------------------------------------------------


@dataclass(frozen=True)
class BackTest:
	months: list[tuple[date, float, float]]  # month, forecast then, invoiced since
	forecast: float
	actual: float

	@property
	def error(self) -> float:
		"""Forecast minus actual: positive when the forecast was too optimistic."""
		return self.forecast - self.actual

	@property
	def relative_error(self) -> float | None:
		return self.error / self.actual if self.actual else None

	@property
	def monthly_absolute_error(self) -> float:
		"""Sum over the months of |forecast - actual| divided by the actual total (WAPE)."""
		if not self.actual:
			return 0.0
		return sum(abs(f - a) for _, f, a in self.months) / self.actual


def back_test(
	forecast_rows: Sequence[MonthRow], actual: Mapping[date, float], start: date, months: int
) -> BackTest:
	"""The forecast made on the day before `start`, month by month over `months` months,
	against the revenue actually booked in those months (`actual`, by month)."""
	window = months_from(start, months)
	forecast = {row.month: row.expected for row in forecast_rows if row.month is not None}
	lines = [(m, round(forecast.get(m, 0.0), 2), round(float(actual.get(m, 0.0)), 2)) for m in window]
	return BackTest(lines, round(sum(f for _, f, _ in lines), 2), round(sum(a for _, _, a in lines), 2))


# --- qualification impact ----------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
	value: float | None
	cases: int
	part: int | None = None  # the numerator of a rate or a count

	@property
	def few_cases(self) -> bool:
		return self.cases < NOISE_CASES


@dataclass
class Cohort:
	"""What happened to one group: its leads and quotations, and the orders that followed."""

	leads: int = 0
	customers: int = 0  # leads of the group that became customers
	quotations: int = 0
	ordered_quotations: int = 0
	days_to_first_order: list[int] = field(default_factory=list)  # one per lead with an order
	order_values: list[float] = field(default_factory=list)  # orders of the group's customers


IMPACT_FIGURES: tuple[str, ...] = (
	"lead_to_customer",
	"quote_to_order",
	"quotes_never_ordered",
	"quotes_never_ordered_share",
	"days_to_first_order",
	"average_order_value",
)


def share(part: int, whole: int) -> Figure:
	return Figure(round(100.0 * part / whole, 1) if whole else None, whole, part)


def impact(cohort: Cohort) -> dict[str, Figure]:
	"""The figures of one group, each with the number of cases it rests on."""
	never = cohort.quotations - cohort.ordered_quotations
	days = cohort.days_to_first_order
	values = cohort.order_values
	return {
		"lead_to_customer": share(cohort.customers, cohort.leads),
		"quote_to_order": share(cohort.ordered_quotations, cohort.quotations),
		"quotes_never_ordered": Figure(float(never), cohort.quotations, never),
		"quotes_never_ordered_share": share(never, cohort.quotations),
		"days_to_first_order": Figure(median(days), len(days)),
		"average_order_value": Figure(round(sum(values) / len(values), 2) if values else None, len(values)),
	}


def difference(a: Figure, b: Figure) -> float | None:
	"""b - a, or None when either is missing."""
	if a.value is None or b.value is None:
		return None
	return round(b.value - a.value, 2)


def switch_moment(candidates: Iterable[object]):
	"""The app's switch-on moment: the earliest of the known candidates (gates active since,
	first status log entry), None when none is known."""
	known = [c for c in candidates if c]
	return min(known) if known else None
