"""BANT assessment: which of Budget, Authority, Need and Timing a lead meets.

Plain, typed functions over plain data. This module must not import frappe: it is
used by the Lead hooks, by bulk jobs and by the site-free tests alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

NEED = "need"
BUDGET = "budget"
AUTHORITY = "authority"
TIMING = "timing"
CRITERIA: tuple[str, ...] = (BUDGET, AUTHORITY, NEED, TIMING)

# Select options, stored in English as ERPNext stores its own; the desk translates them.
UNKNOWN = "Unknown"
BUDGET_ESTIMATED = "Estimated"
BUDGET_CONFIRMED = "Confirmed"
BUDGET_FINANCED = "Financed"
BUDGET_STATUSES: tuple[str, ...] = (UNKNOWN, BUDGET_ESTIMATED, BUDGET_CONFIRMED, BUDGET_FINANCED)

AUTHORITY_INFLUENCER = "Talking to an Influencer"
AUTHORITY_DECISION_MAKER = "Talking to the Decision Maker"
AUTHORITY_STATUSES: tuple[str, ...] = (UNKNOWN, AUTHORITY_INFLUENCER, AUTHORITY_DECISION_MAKER)

HORIZONS: tuple[str, ...] = (
	UNKNOWN,
	"Immediate",
	"Under a Month",
	"1-3 Months",
	"3-6 Months",
	"Over 6 Months",
)

SELECTION_CRITERIA: tuple[str, ...] = ("price", "quality", "lead_time", "references", "proximity")

# Lead fields (custom fields of this app) that feed each criterion.
NEED_FIELDS: tuple[str, ...] = (
	"bant_need",
	"bant_urgency",
	"bant_alternatives",
	"bant_competitors",
	*(f"bant_criterion_{c}" for c in SELECTION_CRITERIA),
)
BUDGET_FIELDS: tuple[str, ...] = ("bant_budget_amount", "bant_budget_status")
AUTHORITY_FIELDS: tuple[str, ...] = ("bant_authority", "bant_decision_maker", "bant_decision_maker_role")
TIMING_FIELDS: tuple[str, ...] = ("bant_horizon", "bant_expected_start")
INPUT_FIELDS: tuple[str, ...] = NEED_FIELDS + BUDGET_FIELDS + AUTHORITY_FIELDS + TIMING_FIELDS


class BantInputError(ValueError):
	"""Raised for a value no lead can hold (an unknown option, a negative budget).

	`code` names the problem and `fieldname` the field, so that the Frappe layer can
	turn it into a translated message.
	"""

	def __init__(self, code: str, fieldname: str, value: Any = None):
		super().__init__(f"{code}: {fieldname}={value!r}")
		self.code = code
		self.fieldname = fieldname
		self.value = value


@dataclass(frozen=True)
class Bant:
	need: str = ""
	urgency: str = ""
	alternatives: str = ""
	competitors: str = ""
	selection_criteria: frozenset[str] = field(default_factory=frozenset)
	budget_amount: Decimal = Decimal(0)
	budget_status: str = UNKNOWN
	authority: str = UNKNOWN
	decision_maker: str = ""
	decision_maker_role: str = ""
	horizon: str = UNKNOWN
	expected_start: str | None = None

	@classmethod
	def from_mapping(cls, values: Mapping[str, Any]) -> Bant:
		"""Build from a Lead's field values: anything with .get(fieldname), a dict or a Frappe Document."""

		def text(fieldname: str) -> str:
			value = values.get(fieldname)
			return str(value).strip() if value is not None else ""

		def option(fieldname: str, allowed: tuple[str, ...]) -> str:
			value = text(fieldname) or UNKNOWN
			if value not in allowed:
				raise BantInputError("unknown_option", fieldname, value)
			return value

		raw_amount = values.get("bant_budget_amount") or 0
		try:
			amount = Decimal(str(raw_amount))
		except (InvalidOperation, ValueError) as e:
			raise BantInputError("not_a_number", "bant_budget_amount", raw_amount) from e
		if not amount.is_finite():
			raise BantInputError("not_a_number", "bant_budget_amount", raw_amount)
		if amount < 0:
			raise BantInputError("negative_budget", "bant_budget_amount", raw_amount)

		expected_start = values.get("bant_expected_start")
		return cls(
			need=text("bant_need"),
			urgency=text("bant_urgency"),
			alternatives=text("bant_alternatives"),
			competitors=text("bant_competitors"),
			selection_criteria=frozenset(
				c for c in SELECTION_CRITERIA if _truthy(values.get(f"bant_criterion_{c}"))
			),
			budget_amount=amount,
			budget_status=option("bant_budget_status", BUDGET_STATUSES),
			authority=option("bant_authority", AUTHORITY_STATUSES),
			decision_maker=text("bant_decision_maker"),
			decision_maker_role=text("bant_decision_maker_role"),
			horizon=option("bant_horizon", HORIZONS),
			expected_start=str(expected_start) if expected_start else None,
		)


def _truthy(value: Any) -> bool:
	if isinstance(value, str):
		return value.strip() not in ("", "0")
	return bool(value)


@dataclass(frozen=True)
class Assessment:
	met: Mapping[str, bool]
	filled: Mapping[str, bool]

	@property
	def completeness(self) -> int:
		return sum(1 for c in CRITERIA if self.met[c])

	@property
	def any_filled(self) -> bool:
		return any(self.filled.values())

	def unmet(self, among: frozenset[str] | set[str] | tuple[str, ...] = CRITERIA) -> tuple[str, ...]:
		return tuple(c for c in CRITERIA if c in among and not self.met[c])


def need_met(b: Bant) -> bool:
	"""The project is described and the lead said why it matters now."""
	return bool(b.need and b.urgency)


def budget_met(b: Bant) -> bool:
	"""A confirmed or financed budget, or an estimate with an amount."""
	if b.budget_status in (BUDGET_CONFIRMED, BUDGET_FINANCED):
		return True
	return b.budget_status == BUDGET_ESTIMATED and b.budget_amount > 0


def authority_met(b: Bant) -> bool:
	"""We are talking to the person who decides."""
	return b.authority == AUTHORITY_DECISION_MAKER


def timing_met(b: Bant) -> bool:
	"""A known horizon or an expected start date."""
	return b.horizon != UNKNOWN or bool(b.expected_start)


def assess(b: Bant) -> Assessment:
	met = {
		NEED: need_met(b),
		BUDGET: budget_met(b),
		AUTHORITY: authority_met(b),
		TIMING: timing_met(b),
	}
	filled = {
		NEED: bool(b.need or b.urgency or b.alternatives or b.competitors or b.selection_criteria),
		BUDGET: b.budget_amount > 0 or b.budget_status != UNKNOWN,
		AUTHORITY: b.authority != UNKNOWN or bool(b.decision_maker or b.decision_maker_role),
		TIMING: timing_met(b),
	}
	return Assessment(met=met, filled=filled)


def assess_values(values: Mapping[str, Any]) -> Assessment:
	return assess(Bant.from_mapping(values))
