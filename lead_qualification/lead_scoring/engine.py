"""Lead scoring engine: rules, conditions, decay, caps, bands and the score ledger.

Plain, typed functions over plain data; no frappe import. `score_lead` serves the Lead
hook (one lead), `score_many` the bulk re-score job (thousands per batch, each field rule
tested once per distinct value); both apply the rules through one `_assemble`, so both give
the same result by construction.

Scoring, in short:
- a *field rule* (fit or engagement) hits when its condition on the lead's fields holds,
  and adds its points once;
- an *activity rule* (engagement) adds its points for each matching activity event, decayed
  by the rule's half-life from the event's time, provided the lead has at least
  `min_count` such events in the rule's window;
- an event stamped later than `now` (by less than `FUTURE_SKEW`) happened already: the
  site's time zone or its summer time moved the clock back since it was stamped. It counts,
  as a fresh event (age 0, decay factor 1), never as a negative age;
- a rule's contribution is capped at `cap` (in absolute value): rows are taken newest
  first and the one that crosses the cap is trimmed, later ones count 0;
- every contribution is a ledger row, rounded to 2 decimals; the score is the sum of the
  rows, so the ledger always adds up to the score.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from lead_qualification.time_zones import MAX_ZONE_GAP

FIT = "Fit"
ENGAGEMENT = "Engagement"
DIMENSIONS = (FIT, ENGAGEMENT)

CATEGORIES = ("Demographic", "Behavioural", "Engagement", "Ideal Customer Fit", "Buying Signal")

FIELD_CONDITION = "Lead Field"
ACTIVITY_CONDITION = "Activity"
CONDITION_TYPES = (FIELD_CONDITION, ACTIVITY_CONDITION)

EQUALS = "equals"
NOT_EQUALS = "not equals"
IN_LIST = "in list"
CONTAINS = "contains"
GREATER = "greater than"
LESS = "less than"
BETWEEN = "between"
IS_SET = "is set"
NOT_SET = "is not set"
OPERATORS = (EQUALS, NOT_EQUALS, IN_LIST, CONTAINS, GREATER, LESS, BETWEEN, IS_SET, NOT_SET)

NUMERIC_TYPES = frozenset({"Int", "Float", "Currency", "Percent", "Rating", "Check"})
DATE_TYPES = frozenset({"Date", "Datetime"})
TEXT_TYPES = frozenset(
	{
		"Data",
		"Small Text",
		"Text",
		"Long Text",
		"Text Editor",
		"Select",
		"Link",
		"Dynamic Link",
		"Phone",
		"Autocomplete",
		"Read Only",
	}
)
OPERATORS_BY_KIND = {
	"number": (EQUALS, NOT_EQUALS, IN_LIST, GREATER, LESS, BETWEEN, IS_SET, NOT_SET),
	"date": (EQUALS, NOT_EQUALS, GREATER, LESS, BETWEEN, IS_SET, NOT_SET),
	"text": (EQUALS, NOT_EQUALS, IN_LIST, CONTAINS, IS_SET, NOT_SET),
}

ACTIVITY_TYPES = (
	"Email Received",
	"Email Opened",
	"Web Form Submitted",
	"Appointment",
	"Quotation Requested",
	"Page Viewed",
	"Document Downloaded",
	"Demo Requested",
)

HOT = "Hot"
WARM = "Warm"
COLD = "Cold"
BANDS = (HOT, WARM, COLD)

TWO_PLACES = Decimal("0.01")

# characters of a ledger row's slot and content digests
DIGEST_LENGTH = 8
# the format of the ledger keys a Lead stores: keys of another format are not compared
KEYS_FORMAT = "v2"

# How far ahead of `now` an event's stamp may be and still count (as fresh): a stamp taken
# before the site's time zone moved west (or its clocks went back) looks up to this far ahead.
FUTURE_SKEW = MAX_ZONE_GAP


class RuleError(ValueError):
	"""A rule that cannot be used. `code` names the problem, `fieldname` the rule field."""

	def __init__(self, code: str, fieldname: str, value: Any = None):
		super().__init__(f"{code}: {fieldname}={value!r}")
		self.code = code
		self.fieldname = fieldname
		self.value = value


def field_kind(fieldtype: str) -> str | None:
	if fieldtype in NUMERIC_TYPES:
		return "number"
	if fieldtype in DATE_TYPES:
		return "date"
	if fieldtype in TEXT_TYPES:
		return "text"
	return None


def _decimal(value: Any, fieldname: str) -> Decimal:
	try:
		d = Decimal(str(value).strip())
	except Exception as e:
		raise RuleError("not_a_number", fieldname, value) from e
	if not d.is_finite():
		raise RuleError("not_a_number", fieldname, value)
	return d


def _parse_value(raw: str, kind: str, fieldname: str) -> Any:
	raw = raw.strip()
	if kind == "number":
		return _decimal(raw, fieldname)
	if kind == "date":
		try:
			return date.fromisoformat(raw[:10])
		except ValueError as e:
			raise RuleError("not_a_date", fieldname, raw) from e
	return raw


def parse_rule(raw: Mapping[str, Any], fieldtypes: Mapping[str, str]) -> Rule:
	"""Validate a rule's stored values and return a Rule; raise RuleError if unusable.

	fieldtypes: the Lead's fieldname -> fieldtype map (from its meta).
	"""

	def text(key: str) -> str:
		value = raw.get(key)
		return str(value).strip() if value is not None else ""

	name = text("name") or text("rule_name")
	dimension = text("dimension")
	if dimension not in DIMENSIONS:
		raise RuleError("unknown_option", "dimension", dimension)
	category = text("category")
	if category not in CATEGORIES:
		raise RuleError("unknown_option", "category", category)
	condition_type = text("condition_type") or FIELD_CONDITION
	if condition_type not in CONDITION_TYPES:
		raise RuleError("unknown_option", "condition_type", condition_type)
	points = _decimal(raw.get("points") or 0, "points")
	if points == 0:
		raise RuleError("zero_points", "points", raw.get("points"))

	cap = None
	if raw.get("cap") not in (None, "", 0, "0"):
		cap = _decimal(raw.get("cap"), "cap")
		if cap <= 0:
			raise RuleError("cap_not_positive", "cap", raw.get("cap"))

	half_life = None
	if raw.get("half_life_days") not in (None, "", 0, "0"):
		half_life = float(_decimal(raw.get("half_life_days"), "half_life_days"))
		if half_life <= 0:
			raise RuleError("half_life_not_positive", "half_life_days", raw.get("half_life_days"))
		if dimension != ENGAGEMENT:
			raise RuleError("decay_only_for_engagement", "half_life_days", raw.get("half_life_days"))

	if condition_type == ACTIVITY_CONDITION:
		if dimension != ENGAGEMENT:
			raise RuleError("activity_only_for_engagement", "dimension", dimension)
		activity_type = text("activity_type")
		if activity_type not in ACTIVITY_TYPES:
			raise RuleError("unknown_option", "activity_type", activity_type)
		raw_count = raw.get("min_count")
		min_count = 1 if raw_count in (None, "") else int(_decimal(raw_count, "min_count"))
		if min_count < 1:
			raise RuleError("min_count_below_one", "min_count", raw.get("min_count"))
		window = raw.get("window_days")
		window_days = int(_decimal(window, "window_days")) if window not in (None, "", 0, "0") else None
		if window_days is not None and window_days < 1:
			raise RuleError("window_not_positive", "window_days", window)
		return Rule(
			name=name,
			dimension=dimension,
			category=category,
			points=points,
			condition_type=condition_type,
			activity_type=activity_type,
			min_count=min_count,
			window_days=window_days,
			cap=cap,
			half_life_days=half_life,
		)

	fieldname = text("field_name")
	if fieldname not in fieldtypes:
		raise RuleError("unknown_field", "field_name", fieldname)
	kind = field_kind(fieldtypes[fieldname])
	if kind is None:
		raise RuleError("field_type_not_scorable", "field_name", fieldname)
	operator = text("operator")
	if operator not in OPERATORS:
		raise RuleError("unknown_option", "operator", operator)
	if operator not in OPERATORS_BY_KIND[kind]:
		raise RuleError("operator_not_for_field", "operator", operator)

	values: tuple[Any, ...] = ()
	if operator in (IS_SET, NOT_SET):
		values = ()
	elif operator in (IN_LIST, CONTAINS):
		items = [v for v in text("value").replace("\n", ",").split(",") if v.strip()]
		if not items:
			raise RuleError("value_required", "value", raw.get("value"))
		values = tuple(_parse_value(v, kind, "value") for v in items)
	elif operator == BETWEEN:
		if not text("value") or not text("value_to"):
			raise RuleError("value_required", "value" if not text("value") else "value_to", None)
		low, high = (
			_parse_value(text("value"), kind, "value"),
			_parse_value(text("value_to"), kind, "value_to"),
		)
		if low > high:
			raise RuleError("range_reversed", "value_to", raw.get("value_to"))
		values = (low, high)
	else:
		if not text("value"):
			raise RuleError("value_required", "value", raw.get("value"))
		values = (_parse_value(text("value"), kind, "value"),)

	return Rule(
		name=name,
		dimension=dimension,
		category=category,
		points=points,
		condition_type=condition_type,
		fieldname=fieldname,
		kind=kind,
		operator=operator,
		values=values,
		cap=cap,
		half_life_days=half_life,
	)


def normalized(value: Any, kind: str | None) -> Any:
	"""A field value as the rules compare it (so None, 0 and 0.0, or a date and its string,
	are equal: the database stores an empty number as 0)."""
	value = _coerce(value, kind or "text")
	if kind == "number" and value is None:
		return Decimal(0)
	return value


def _coerce(value: Any, kind: str) -> Any:
	"""A lead's stored value in the rule's terms; None when empty or unreadable."""
	if value is None or value == "":
		return None
	if kind == "number":
		try:
			return Decimal(str(value))
		except Exception:
			return None
	if kind == "date":
		if isinstance(value, datetime):
			return value.date()
		if isinstance(value, date):
			return value
		try:
			return date.fromisoformat(str(value)[:10])
		except ValueError:
			return None
	return str(value)


def condition_holds(rule: Rule, values: Mapping[str, Any], coerced: dict | None = None) -> bool:
	"""Whether a field rule's condition holds; `coerced` caches field values per lead."""
	if coerced is None:
		value = _coerce(values.get(rule.fieldname), rule.kind or "text")
	else:
		key = (rule.fieldname, rule.kind)
		if key in coerced:
			value = coerced[key]
		else:
			value = coerced[key] = _coerce(values.get(rule.fieldname), rule.kind or "text")
	return rule.test(value)


def _text_key(value: Any) -> str:
	return str(value).strip().casefold()


def compile_condition(kind: str | None, op: str | None, values: tuple) -> Callable[[Any], bool]:
	"""A field condition as a function of the lead's coerced value (None when empty). Built
	once per rule, so a bulk re-score does not re-normalise the rule's values per lead."""
	number = kind == "number"
	if op == IS_SET:
		return (lambda v: v is not None and v != 0) if number else (lambda v: v is not None)
	if op == NOT_SET:
		return (lambda v: v is None or v == 0) if number else (lambda v: v is None)
	if kind == "text":
		targets = tuple(_text_key(v) for v in values)

		def norm(v):
			return v.strip().casefold()
	else:
		targets = tuple(values)

		def norm(v):
			return v

	first = targets[0] if targets else None
	if op == EQUALS:
		check = lambda v: norm(v) == first  # noqa: E731
	elif op == NOT_EQUALS:
		return lambda v: v is None or norm(v) != first
	elif op == IN_LIST:
		check = lambda v: norm(v) in targets  # noqa: E731
	elif op == CONTAINS:
		check = lambda v: any(t in norm(v) for t in targets)  # noqa: E731
	elif op == GREATER:
		check = lambda v: norm(v) > first  # noqa: E731
	elif op == LESS:
		check = lambda v: norm(v) < first  # noqa: E731
	elif op == BETWEEN:
		low, high = (targets + (None, None))[:2]
		check = lambda v: low <= norm(v) <= high  # noqa: E731
	else:
		return lambda v: False
	return lambda v: v is not None and check(v)


@dataclass(frozen=True)
class Event:
	activity_type: str
	occurred_on: datetime
	source: str = ""


class cached_property:
	"""functools.cached_property without its lock: on Python 3.11 every first access takes an
	RLock, a fifth of the engine's time in a bulk re-score (a LedgerRow's slot and content,
	a Score's keys). The value is kept in the instance's __dict__, as functools does, so later
	reads do not come here."""

	def __init__(self, func):
		self.func = func
		self.name = func.__name__
		self.__doc__ = func.__doc__

	def __set_name__(self, owner, name):
		self.name = name

	def __get__(self, instance, owner=None):
		if instance is None:
			return self
		value = instance.__dict__[self.name] = self.func(instance)
		return value


@dataclass(frozen=True)
class LedgerRow:
	rule: str
	dimension: str
	category: str
	points: Decimal  # after decay and cap: what counts
	base_points: Decimal  # the rule's points
	source: str
	occurred_on: datetime | None
	capped: bool = False

	@cached_property
	def slot(self) -> str:
		"""A short digest of what the row counts (its rule, and its event's source and time):
		the row's name in the stored ledger, which a re-score keeps when only its points
		move (the decay, a rule's points edited). See `ledger_slots`."""
		occurred = self.occurred_on.isoformat(sep=" ") if self.occurred_on else ""
		return _digest(self.rule, self.source, occurred)

	@cached_property
	def content(self) -> str:
		"""A short digest of what the row says: a stored row whose content differs is rewritten."""
		return _digest(
			self.dimension,
			self.category,
			str(self.points),
			str(self.base_points),
			"1" if self.capped else "0",
		)


def _digest(*parts: str) -> str:
	"""CRC-32 of the parts, 8 hex digits: stable across processes (unlike hash()), and cheap
	enough for every row of a bulk re-score. Two slots of one lead that collide only share a
	name with a suffix (see ledger_slots); a content that changes keeps its digest with odds
	of one in four billion."""
	return format(zlib.crc32("\x1f".join(parts).encode()), "08x")


@dataclass(frozen=True)
class Rule:
	name: str
	dimension: str
	category: str
	points: Decimal
	condition_type: str = FIELD_CONDITION
	fieldname: str | None = None
	kind: str | None = None  # number / date / text, for field rules
	operator: str | None = None
	values: tuple[Any, ...] = ()
	activity_type: str | None = None
	min_count: int = 1
	window_days: int | None = None
	cap: Decimal | None = None
	half_life_days: float | None = None
	# the ledger row a field rule gives every lead it hits, and its condition as a function of
	# the lead's coerced value (both computed once)
	hit_row: LedgerRow | None = field(default=None, compare=False, repr=False)
	test: Callable[[Any], bool] | None = field(default=None, compare=False, repr=False)

	def __post_init__(self):
		if self.condition_type == FIELD_CONDITION:
			object.__setattr__(self, "test", compile_condition(self.kind, self.operator, self.values))
			row = LedgerRow(
				self.name,
				self.dimension,
				self.category,
				_round(self.points),
				self.points,
				f"{self.fieldname} {self.operator}",
				None,
			)
			object.__setattr__(self, "hit_row", row)

	@property
	def is_activity(self) -> bool:
		return self.condition_type == ACTIVITY_CONDITION

	# Rules are cached pickled (scoring.load_rules): the compiled test is a closure, which
	# pickle cannot carry, so it is left out and compiled again on loading.
	def __getstate__(self):
		return {**self.__dict__, "test": None}

	def __setstate__(self, state):
		self.__dict__.update(state)
		if self.condition_type == FIELD_CONDITION:
			object.__setattr__(self, "test", compile_condition(self.kind, self.operator, self.values))


@dataclass(frozen=True)
class Bands:
	hot: Decimal = Decimal(60)
	warm: Decimal = Decimal(25)

	def band(self, score: Decimal) -> str:
		if score >= self.hot:
			return HOT
		if score >= self.warm:
			return WARM
		return COLD


@dataclass(frozen=True)
class Score:
	total: Decimal
	fit: Decimal
	engagement: Decimal
	band: str
	rows: tuple[LedgerRow, ...] = field(default_factory=tuple)

	@cached_property
	def slots(self) -> tuple[str, ...]:
		return ledger_slots(self.rows)

	@cached_property
	def keys_text(self) -> str:
		"""The keys as the Lead stores them (lq_ledger_keys): "v2 <key> <key> ..."."""
		return " ".join((KEYS_FORMAT, *self.keys))

	@cached_property
	def keys(self) -> tuple[str, ...]:
		""" "<slot>:<content>" of each row: what the Lead stores to compare the next score with."""
		return tuple(f"{slot}:{row.content}" for slot, row in zip(self.slots, self.rows))


def ledger_slots(rows: Iterable[LedgerRow]) -> tuple[str, ...]:
	"""The rows' slots, in order, made unique within the lead: a second row counting the same
	thing (two identical events) gets "-2", a third "-3". A row keeps its slot as long as what
	it counts, and the rows like it before it, stay."""
	slots: list[str] = []
	seen: dict[str, int] = {}
	for row in rows:
		slot = row.slot
		n = seen.get(slot, 0) + 1
		seen[slot] = n
		slots.append(slot if n == 1 else f"{slot}-{n}")
	return tuple(slots)


def decay_factor(age_days: float, half_life_days: float | None) -> float:
	"""0.5 ** (age / half-life): 1 for a fresh event, never above 1, tending to 0."""
	if not half_life_days or age_days <= 0:
		return 1.0
	return math.pow(0.5, age_days / half_life_days)


def _round(value: Decimal) -> Decimal:
	return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _apply_cap(rows: list[LedgerRow], cap: Decimal | None) -> list[LedgerRow]:
	if cap is None:
		return rows
	out: list[LedgerRow] = []
	used = Decimal(0)
	for row in rows:
		room = cap - used
		magnitude = abs(row.points)
		if magnitude <= room:
			out.append(row)
			used += magnitude
			continue
		trimmed = room if room > 0 else Decimal(0)
		sign = Decimal(1) if row.points >= 0 else Decimal(-1)
		out.append(
			LedgerRow(
				row.rule,
				row.dimension,
				row.category,
				_round(trimmed * sign),
				row.base_points,
				row.source,
				row.occurred_on,
				capped=True,
			)
		)
		used = cap
	return out


def rule_rows(
	rule: Rule, values: Mapping[str, Any], events: Sequence[Event], now: datetime
) -> list[LedgerRow]:
	"""The ledger rows one rule gives one lead (empty when it does not hit)."""
	if not rule.is_activity:
		return [rule.hit_row] if condition_holds(rule, values) else []

	since = now - timedelta(days=rule.window_days) if rule.window_days else None
	latest = now + FUTURE_SKEW
	matching = sorted(
		(
			e
			for e in events
			if e.activity_type == rule.activity_type
			and e.occurred_on <= latest
			and (since is None or e.occurred_on >= since)
		),
		key=lambda e: e.occurred_on,
		reverse=True,
	)
	if len(matching) < rule.min_count:
		return []
	rows = []
	for e in matching:
		age_days = max(0.0, (now - e.occurred_on).total_seconds() / 86400)
		points = _round(rule.points * Decimal(repr(decay_factor(age_days, rule.half_life_days))))
		rows.append(
			LedgerRow(rule.name, rule.dimension, rule.category, points, rule.points, e.source, e.occurred_on)
		)
	return _apply_cap(rows, rule.cap)


def score_lead(
	values: Mapping[str, Any],
	events: Iterable[Event],
	rules: Sequence[Rule],
	now: datetime,
	bands: Bands | None = None,
) -> Score:
	"""One lead's Score: its field rules tested on its values, then every rule applied in
	order (`_assemble`, which the bulk path shares)."""
	rules = tuple(rules)
	coerced: dict = {}
	hits = tuple(
		i for i, rule in enumerate(rules) if not rule.is_activity and condition_holds(rule, values, coerced)
	)
	return _assemble(rules, [hits], tuple(events), now, bands or Bands())


def score_many(
	leads: Iterable[Mapping[str, Any]],
	events_by_lead: Mapping[str, Sequence[Event]],
	rules: Sequence[Rule],
	now: datetime,
	bands: Bands | None = None,
) -> dict[str, Score]:
	"""The bulk path: for each lead (keyed by its "name"), the Score that `score_lead` gives.

	Leads share field values (a territory, a source, a budget bracket): each field rule is
	tested once per distinct value of its field, and leads without events whose field rules
	hit alike share one Score. The rules are then applied by the same `_assemble` as
	score_lead's, so the result is `score_lead`'s (tests/test_scoring_engine.py checks it)."""
	bands = bands or Bands()
	rules = tuple(rules)
	has_activity_rules = any(r.is_activity for r in rules)
	# field rules grouped by the field value they read: (fieldname, kind) -> rule positions
	groups: dict[tuple, list[int]] = {}
	for i, r in enumerate(rules):
		if not r.is_activity:
			groups.setdefault((r.fieldname, r.kind or "text"), []).append(i)
	readers = [
		(fieldname, kind, [(i, rules[i].test) for i in positions], {})
		for (fieldname, kind), positions in groups.items()
	]
	shared: dict[tuple, Score] = {}
	out: dict[str, Score] = {}
	for values in leads:
		hits: list[tuple[int, ...]] = []
		for fieldname, kind, tests, memo in readers:
			raw = values.get(fieldname)
			# 1, 1.0 and True are equal keys of a dict but not always the same value to a rule
			key = raw if raw.__class__ is str else (raw.__class__, raw)
			try:
				hit = memo[key]
			except KeyError:
				value = _coerce(raw, kind)
				hit = memo[key] = tuple(i for i, test in tests if test(value))
			except TypeError:  # an unhashable value: not kept
				value = _coerce(raw, kind)
				hit = tuple(i for i, test in tests if test(value))
			hits.append(hit)
		name = values["name"]
		events = events_by_lead.get(name) if has_activity_rules else None
		if events:
			out[name] = _assemble(rules, hits, tuple(events), now, bands)
			continue
		key = tuple(hits)
		score = shared.get(key)
		if score is None:
			score = shared[key] = _assemble(rules, hits, (), now, bands)
		out[name] = score
	return out


def _assemble(
	rules: tuple[Rule, ...],
	hits: list[tuple[int, ...]],
	events: tuple[Event, ...],
	now: datetime,
	bands: Bands,
) -> Score:
	"""Every rule applied in order, the field rules' results already known (`hits`: the
	positions of the field rules that hold): a field rule that holds adds its row, an activity
	rule the rows of its events (decayed, capped, rows of 0 left out). score_lead and
	score_many both end here."""
	hit = {i for group in hits for i in group}
	by_type: dict[str, list[Event]] = {}
	for e in events:
		by_type.setdefault(e.activity_type, []).append(e)
	rows: list[LedgerRow] = []
	fit = engagement = Decimal(0)
	for i, rule in enumerate(rules):
		if rule.condition_type == ACTIVITY_CONDITION:
			# rule_rows reads only events of the rule's type, and none is fewer than min_count
			of_type = by_type.get(rule.activity_type)
			if not of_type:
				continue
			found = [r for r in rule_rows(rule, {}, of_type, now) if r.points != 0 or r.capped]
		elif i in hit:
			found = (rule.hit_row,)
		else:
			continue
		for r in found:
			if r.dimension == FIT:
				fit += r.points
			else:
				engagement += r.points
		rows.extend(found)
	total = fit + engagement
	return Score(total, fit, engagement, bands.band(total), tuple(rows))


def fields_used(rules: Iterable[Rule]) -> set[str]:
	return {r.fieldname for r in rules if r.fieldname}


def activity_types_used(rules: Iterable[Rule]) -> set[str]:
	return {r.activity_type for r in rules if r.activity_type}
