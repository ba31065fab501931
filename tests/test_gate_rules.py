"""The document gate's rules, site-free: when a gate is checked, and what it decides."""

import pytest

from lead_qualification.lead_qualification import gate_rules
from lead_qualification.lead_qualification.gate_rules import Gate, LeadState, check_gate, gate_applies


@pytest.mark.parametrize("made_before_gates", [False, True])
def test_new_documents_are_always_checked(made_before_gates):
	assert gate_applies(
		is_new=True, party_changed=False, submitting=False, made_before_gates=made_before_gates
	)


@pytest.mark.parametrize("made_before_gates", [False, True])
@pytest.mark.parametrize("submitting", [False, True])
def test_a_party_switch_is_checked_whatever_the_age(made_before_gates, submitting):
	assert gate_applies(
		is_new=False, party_changed=True, submitting=submitting, made_before_gates=made_before_gates
	)


def test_a_submission_is_checked_unless_the_document_predates_the_gates():
	assert gate_applies(is_new=False, party_changed=False, submitting=True, made_before_gates=False)
	assert not gate_applies(is_new=False, party_changed=False, submitting=True, made_before_gates=True)


@pytest.mark.parametrize("made_before_gates", [False, True])
def test_an_edit_that_keeps_the_party_is_not_checked(made_before_gates):
	assert not gate_applies(
		is_new=False, party_changed=False, submitting=False, made_before_gates=made_before_gates
	)


def test_unqualified_lead_is_refused_with_its_shortfalls():
	result = check_gate(Gate("Quotation"), LeadState(qualified=False, score=10, shortfalls=("budget",)))
	assert not result.passed
	assert result.not_qualified
	assert result.shortfalls == ("budget",)
	assert result.mode == gate_rules.REFUSE


def test_minimum_score_counts_the_missing_points():
	gate = Gate("Quotation", require_qualified=False, min_score=25)
	assert check_gate(gate, LeadState(qualified=False, score=10)).missing_points == 15
	assert check_gate(gate, LeadState(qualified=False, score=25)).passed


def test_qualified_lead_passes():
	assert check_gate(Gate("Quotation", min_score=5), LeadState(qualified=True, score=5)).passed


@pytest.mark.parametrize(
	"has_role,reason,outcome",
	[
		(False, "because", gate_rules.OVERRIDE_NO_ROLE),
		(True, "  ", gate_rules.OVERRIDE_NO_REASON),
		(True, None, gate_rules.OVERRIDE_NO_REASON),
		(True, "Existing client", gate_rules.OVERRIDE_OK),
	],
)
def test_override_outcome(has_role, reason, outcome):
	assert gate_rules.override_outcome(has_role=has_role, reason=reason) == outcome
