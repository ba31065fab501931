from decimal import Decimal
from itertools import product

import pytest

from lead_qualification.lead_qualification import bant
from lead_qualification.lead_qualification.bant import Bant, BantInputError, assess, assess_values


def test_empty_lead_meets_nothing_and_fills_nothing():
	a = assess_values({})
	assert a.completeness == 0
	assert not a.any_filled
	assert a.unmet() == bant.CRITERIA


def test_complete_lead_meets_all_four():
	a = assess_values(
		{
			"bant_need": "New roof",
			"bant_urgency": "Leaking",
			"bant_budget_status": "Confirmed",
			"bant_authority": "Talking to the Decision Maker",
			"bant_horizon": "Immediate",
		}
	)
	assert a.completeness == 4
	assert a.unmet() == ()


@pytest.mark.parametrize(
	"status, amount, met",
	[
		("Unknown", 0, False),
		("Unknown", 5000, False),
		("Estimated", 0, False),
		("Estimated", 5000, True),
		("Confirmed", 0, True),
		("Financed", 0, True),
	],
)
def test_budget_rule(status, amount, met):
	a = assess_values({"bant_budget_status": status, "bant_budget_amount": amount})
	assert a.met[bant.BUDGET] is met
	assert a.filled[bant.BUDGET] is (status != "Unknown" or amount > 0)


@pytest.mark.parametrize(
	"authority, met",
	[("Unknown", False), ("Talking to an Influencer", False), ("Talking to the Decision Maker", True)],
)
def test_authority_rule(authority, met):
	assert assess_values({"bant_authority": authority}).met[bant.AUTHORITY] is met


def test_decision_maker_name_alone_fills_but_does_not_meet_authority():
	a = assess_values({"bant_decision_maker": "M. Durand"})
	assert a.filled[bant.AUTHORITY]
	assert not a.met[bant.AUTHORITY]


def test_need_needs_both_project_and_urgency():
	assert not assess_values({"bant_need": "Kitchen"}).met[bant.NEED]
	assert not assess_values({"bant_urgency": "Moving in"}).met[bant.NEED]
	assert assess_values({"bant_need": "Kitchen", "bant_urgency": "Moving in"}).met[bant.NEED]
	# whitespace is not an answer
	assert not assess_values({"bant_need": "  ", "bant_urgency": "Moving in"}).met[bant.NEED]


def test_selection_criteria_fill_need_only():
	a = assess_values({"bant_criterion_price": 1, "bant_criterion_proximity": "1"})
	assert a.filled[bant.NEED]
	assert not a.met[bant.NEED]
	assert Bant.from_mapping({"bant_criterion_price": 1, "bant_criterion_quality": 0}).selection_criteria == {
		"price"
	}


@pytest.mark.parametrize("horizon", [h for h in bant.HORIZONS if h != "Unknown"])
def test_any_known_horizon_meets_timing(horizon):
	assert assess_values({"bant_horizon": horizon}).met[bant.TIMING]


def test_expected_start_alone_meets_timing():
	assert assess_values({"bant_expected_start": "2027-03-01"}).met[bant.TIMING]
	assert not assess_values({"bant_horizon": "Unknown"}).met[bant.TIMING]


@pytest.mark.parametrize(
	"fieldname", ["bant_budget_status", "bant_authority", "bant_horizon"], ids=lambda f: f
)
def test_unknown_option_is_refused(fieldname):
	with pytest.raises(BantInputError) as e:
		assess_values({fieldname: "Maybe"})
	assert e.value.code == "unknown_option"
	assert e.value.fieldname == fieldname
	assert e.value.value == "Maybe"


@pytest.mark.parametrize("amount", [-1, "-0.01", Decimal("-5")])
def test_negative_budget_is_refused(amount):
	with pytest.raises(BantInputError) as e:
		assess_values({"bant_budget_amount": amount})
	assert e.value.code == "negative_budget"


@pytest.mark.parametrize("amount", ["abc", "nan", float("inf")])
def test_non_numeric_budget_is_refused(amount):
	with pytest.raises(BantInputError) as e:
		assess_values({"bant_budget_amount": amount})
	assert e.value.code == "not_a_number"


def test_empty_option_reads_as_unknown():
	assert Bant.from_mapping({"bant_horizon": "", "bant_authority": None}).horizon == "Unknown"


def test_completeness_counts_met_criteria_exhaustively():
	"""Every combination of the four criteria: completeness is the number met,
	and unmet() lists exactly the others, in BANT order."""
	need = ({}, {"bant_need": "x", "bant_urgency": "y"})
	budget = ({}, {"bant_budget_status": "Financed"})
	authority = ({}, {"bant_authority": "Talking to the Decision Maker"})
	timing = ({}, {"bant_horizon": "3-6 Months"})
	for parts in product(budget, authority, need, timing):
		values = {}
		for part in parts:
			values.update(part)
		a = assess(Bant.from_mapping(values))
		expected_met = {c for c, part in zip(bant.CRITERIA, parts) if part}
		assert a.completeness == len(expected_met)
		assert set(a.unmet()) == set(bant.CRITERIA) - expected_met
		assert list(a.unmet()) == [c for c in bant.CRITERIA if c not in expected_met]
