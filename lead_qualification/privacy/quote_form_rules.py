"""The quote-request web form's answers as BANT: plain, typed rules; no frappe import."""

from __future__ import annotations

from decimal import Decimal

from lead_qualification.lead_qualification import bant

# Budget ranges the visitor picks (stored on the lead in English, shown translated), with
# the amount recorded as the BANT budget (the range's middle; the lower bound of the open one).
BUDGET_RANGES: dict[str, Decimal | None] = {
	"Under 5,000": Decimal(2500),
	"5,000 to 15,000": Decimal(10000),
	"15,000 to 50,000": Decimal(32500),
	"Over 50,000": Decimal(50000),
	"I don't know yet": None,
}

# Whether the visitor decides, and how the BANT authority reads it
DECIDES: dict[str, str] = {
	"Yes, I decide": bant.AUTHORITY_DECISION_MAKER,
	"We decide together": bant.AUTHORITY_DECISION_MAKER,
	"No, someone else decides": bant.AUTHORITY_INFLUENCER,
}

MAX_TEXT = 2000  # the longest answer a visitor may give in one field
MAX_LINE = 140


def bant_values(budget_range: str | None, decides: str | None) -> dict:
	"""The BANT fields the form's answers fill in (only those the answers say something about)."""
	values: dict = {}
	if budget_range in BUDGET_RANGES:
		amount = BUDGET_RANGES[budget_range]
		if amount is None:
			values["bant_budget_status"] = bant.UNKNOWN
		else:
			values["bant_budget_status"] = bant.BUDGET_ESTIMATED
			values["bant_budget_amount"] = amount
	if decides in DECIDES:
		values["bant_authority"] = DECIDES[decides]
	return values


def is_spam_trap_filled(value) -> bool:
	"""The honeypot: a field people do not see, so do not fill; robots do."""
	return bool(str(value or "").strip())


def too_long(values: dict, long_fields: tuple[str, ...], line_fields: tuple[str, ...]) -> list[str]:
	"""The fields whose answer is longer than allowed."""
	bad = [f for f in long_fields if len(str(values.get(f) or "")) > MAX_TEXT]
	bad += [f for f in line_fields if len(str(values.get(f) or "")) > MAX_LINE]
	return bad
