"""Document gates: may a document (a Quotation, by default) be made for this lead?

Plain, typed functions; no frappe import. The Frappe side (gates.py) loads the gate from
the settings and the lead's state, and acts on the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lead_qualification.lead_qualification.promotion import Shortfall

REFUSE = "Refuse"
WARN = "Warn"
MODES = (REFUSE, WARN)


@dataclass(frozen=True)
class Gate:
	document_type: str
	require_qualified: bool = True
	min_score: float = 0
	mode: str = REFUSE


@dataclass(frozen=True)
class LeadState:
	qualified: bool
	score: float
	# what keeps the lead from promotion (BANT criteria, score), when it is not qualified
	shortfalls: tuple[Shortfall, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class GateCheck:
	passed: bool
	mode: str
	not_qualified: bool = False
	missing_points: float = 0
	shortfalls: tuple[Shortfall, ...] = field(default_factory=tuple)


def check_gate(gate: Gate, lead: LeadState) -> GateCheck:
	not_qualified = gate.require_qualified and not lead.qualified
	missing_points = round(max(0.0, float(gate.min_score or 0) - float(lead.score or 0)), 2)
	return GateCheck(
		passed=not not_qualified and missing_points <= 0,
		mode=gate.mode,
		not_qualified=not_qualified,
		missing_points=missing_points,
		shortfalls=lead.shortfalls if not_qualified else (),
	)


def gate_applies(*, is_new: bool, party_changed: bool, submitting: bool, made_before_gates: bool) -> bool:
	"""Is the gate checked on this save?

	A new document and a party switched to a lead are new commitments to that lead: always
	checked, however old the document. A submission is checked too, except for a document
	that already existed when the gates were installed (it is left as it was made).
	"""
	if is_new or party_changed:
		return True
	return submitting and not made_before_gates


OVERRIDE_OK = "ok"
OVERRIDE_NO_ROLE = "no_role"
OVERRIDE_NO_REASON = "reason_required"


def override_outcome(*, has_role: bool, reason: str | None) -> str:
	if not has_role:
		return OVERRIDE_NO_ROLE
	if not (reason or "").strip():
		return OVERRIDE_NO_REASON
	return OVERRIDE_OK
