import pytest

from lead_qualification.lead_qualification import bant, promotion
from lead_qualification.lead_qualification.bant import assess_values
from lead_qualification.lead_qualification.promotion import (
	IN_PROCESS,
	QUALIFIED,
	UNQUALIFIED,
	LeadFacts,
	PolicySettings,
	Shortfall,
	evaluate,
	resolve_status,
)

COMPLETE = {
	"bant_need": "Extension",
	"bant_urgency": "Baby due",
	"bant_budget_status": "Confirmed",
	"bant_authority": "Talking to the Decision Maker",
	"bant_horizon": "1-3 Months",
}
PARTIAL = {"bant_need": "Extension", "bant_urgency": "Baby due", "bant_horizon": "1-3 Months"}


def facts(values):
	return LeadFacts(assessment=assess_values(values))


AUTO = PolicySettings()
MANUAL = PolicySettings(auto_promote=False)


def test_evaluate_names_each_unmet_required_criterion():
	decision = evaluate(facts(PARTIAL), AUTO)
	assert not decision.eligible
	assert [s.subject for s in decision.shortfalls] == [bant.BUDGET, bant.AUTHORITY]


def test_only_required_criteria_count():
	settings = PolicySettings(required=frozenset({bant.NEED, bant.TIMING}))
	assert evaluate(facts(PARTIAL), settings).eligible


def test_extra_requirement_extends_the_policy():
	def min_score(f, s):
		score, threshold = f.extra.get("score", 0), s.extra.get("min_score", 0)
		return (
			[]
			if score >= threshold
			else [Shortfall("score_below_threshold", "score", {"missing": threshold - score})]
		)

	settings = PolicySettings(extra={"min_score": 50})
	requirements = (*promotion.DEFAULT_REQUIREMENTS, min_score)
	low = LeadFacts(assess_values(COMPLETE), extra={"score": 20})
	high = LeadFacts(assess_values(COMPLETE), extra={"score": 60})
	assert evaluate(low, settings, requirements).shortfalls == (
		Shortfall("score_below_threshold", "score", {"missing": 30}),
	)
	assert evaluate(high, settings, requirements).eligible


def test_new_empty_lead_stays_unqualified_without_event():
	r = resolve_status(None, None, facts({}), AUTO)
	assert (r.status, r.event, r.refusal) == (UNQUALIFIED, None, None)


def test_any_filled_criterion_moves_to_in_process():
	r = resolve_status(UNQUALIFIED, UNQUALIFIED, facts({"bant_budget_amount": 100}), AUTO)
	assert (r.status, r.event) == (IN_PROCESS, promotion.EVENT_STARTED)


def test_in_process_is_not_undone_when_fields_are_cleared():
	r = resolve_status(IN_PROCESS, IN_PROCESS, facts({}), AUTO)
	assert (r.status, r.event) == (IN_PROCESS, None)


def test_auto_promotion_when_all_required_met():
	r = resolve_status(IN_PROCESS, IN_PROCESS, facts(COMPLETE), AUTO)
	assert (r.status, r.event) == (QUALIFIED, promotion.EVENT_PROMOTED_AUTO)


def test_new_complete_lead_is_promoted_on_insert():
	r = resolve_status(None, None, facts(COMPLETE), AUTO)
	assert (r.status, r.event) == (QUALIFIED, promotion.EVENT_PROMOTED_AUTO)


def test_no_auto_promotion_when_disabled():
	r = resolve_status(IN_PROCESS, IN_PROCESS, facts(COMPLETE), MANUAL)
	assert (r.status, r.event) == (IN_PROCESS, None)


def test_manual_promotion_of_eligible_lead():
	r = resolve_status(IN_PROCESS, QUALIFIED, facts(COMPLETE), MANUAL)
	assert (r.status, r.event, r.refused) == (QUALIFIED, promotion.EVENT_PROMOTED_MANUAL, False)


@pytest.mark.parametrize("previous", [None, UNQUALIFIED, IN_PROCESS])
def test_requesting_qualified_for_ineligible_lead_is_refused(previous):
	r = resolve_status(previous, QUALIFIED, facts(PARTIAL), AUTO)
	assert r.refusal == promotion.REFUSED_NOT_ELIGIBLE
	assert r.status == (previous or UNQUALIFIED)


def test_qualified_lead_stays_qualified_when_criteria_later_fail():
	r = resolve_status(QUALIFIED, QUALIFIED, facts({}), AUTO)
	assert (r.status, r.event, r.refused) == (QUALIFIED, None, False)


def test_demotion_needs_a_reason():
	r = resolve_status(QUALIFIED, IN_PROCESS, facts(COMPLETE), AUTO)
	assert r.refusal == promotion.REFUSED_REASON_REQUIRED
	r = resolve_status(QUALIFIED, IN_PROCESS, facts(COMPLETE), AUTO, demotion_reason="   ")
	assert r.refusal == promotion.REFUSED_REASON_REQUIRED


def test_demotion_with_reason_goes_back_to_in_process_even_if_eligible():
	r = resolve_status(QUALIFIED, IN_PROCESS, facts(COMPLETE), AUTO, demotion_reason="Budget withdrawn")
	assert (r.status, r.event) == (IN_PROCESS, promotion.EVENT_DEMOTED)


def test_demotion_only_to_in_process():
	r = resolve_status(QUALIFIED, UNQUALIFIED, facts(COMPLETE), AUTO, demotion_reason="x")
	assert r.refusal == promotion.REFUSED_DEMOTION_TARGET


def test_demotion_refused_after_conversion():
	r = resolve_status(QUALIFIED, IN_PROCESS, facts(COMPLETE), AUTO, demotion_reason="x", converted=True)
	assert r.refusal == promotion.REFUSED_CONVERTED
	assert r.status == QUALIFIED


def test_unknown_status_is_refused():
	r = resolve_status(IN_PROCESS, "Maybe", facts({}), AUTO)
	assert r.refusal == promotion.REFUSED_UNKNOWN_STATUS


def test_manual_unqualified_is_honoured_until_eligible():
	r = resolve_status(IN_PROCESS, UNQUALIFIED, facts(PARTIAL), AUTO)
	assert (r.status, r.event) == (UNQUALIFIED, None)
	r = resolve_status(IN_PROCESS, UNQUALIFIED, facts(COMPLETE), AUTO)
	assert r.status == QUALIFIED


def test_resolution_never_reaches_qualified_without_eligibility():
	"""Whatever the previous and requested status, a lead that is not eligible and not
	already qualified never comes out qualified."""
	for previous in (None, *promotion.STATUSES):
		if previous == QUALIFIED:
			continue
		for requested in (None, *promotion.STATUSES):
			for settings in (AUTO, MANUAL):
				r = resolve_status(previous, requested, facts(PARTIAL), settings)
				assert r.status != QUALIFIED
