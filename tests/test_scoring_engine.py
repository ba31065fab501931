"""The scoring engine, site-free: rules, conditions, decay, caps, bands, ledger."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lead_qualification.lead_scoring import engine
from lead_qualification.lead_scoring.engine import Event, RuleError, parse_rule, score_lead, score_many

NOW = datetime(2026, 11, 26, 12, 0, 0)
FIELDTYPES = {
	"bant_need": "Small Text",
	"bant_budget_amount": "Currency",
	"bant_budget_status": "Select",
	"email_id": "Data",
	"territory": "Link",
	"no_of_employees": "Select",
	"bant_expected_start": "Date",
	"image": "Attach Image",
	"lq_score": "Float",
}


def rule(**values):
	base = {"rule_name": "r", "dimension": "Fit", "category": "Demographic", "points": 10}
	base.update(values)
	return parse_rule(base, FIELDTYPES)


def activity_rule(**values):
	base = {
		"rule_name": "visits",
		"dimension": "Engagement",
		"category": "Engagement",
		"condition_type": "Activity",
		"activity_type": "Page Viewed",
		"points": 4,
	}
	base.update(values)
	return parse_rule(base, FIELDTYPES)


def events(*ages_days, kind="Page Viewed"):
	return [Event(kind, NOW - timedelta(days=a), f"event {i}") for i, a in enumerate(ages_days)]


# --- rule validation -------------------------------------------------------------------


@pytest.mark.parametrize(
	"values, code, fieldname",
	[
		({"field_name": "nope", "operator": "is set"}, "unknown_field", "field_name"),
		({"field_name": "image", "operator": "is set"}, "field_type_not_scorable", "field_name"),
		(
			{"field_name": "bant_budget_amount", "operator": "contains", "value": "1"},
			"operator_not_for_field",
			"operator",
		),
		(
			{"field_name": "email_id", "operator": "greater than", "value": "a"},
			"operator_not_for_field",
			"operator",
		),
		({"field_name": "email_id", "operator": "resembles", "value": "a"}, "unknown_option", "operator"),
		(
			{"field_name": "bant_budget_amount", "operator": "greater than", "value": "lots"},
			"not_a_number",
			"value",
		),
		(
			{"field_name": "bant_expected_start", "operator": "less than", "value": "soon"},
			"not_a_date",
			"value",
		),
		(
			{"field_name": "bant_budget_amount", "operator": "between", "value": "10"},
			"value_required",
			"value_to",
		),
		(
			{"field_name": "bant_budget_amount", "operator": "between", "value": "10", "value_to": "5"},
			"range_reversed",
			"value_to",
		),
		({"field_name": "email_id", "operator": "equals"}, "value_required", "value"),
		({"field_name": "email_id", "operator": "is set", "points": 0}, "zero_points", "points"),
		({"field_name": "email_id", "operator": "is set", "cap": -3}, "cap_not_positive", "cap"),
		(
			{"field_name": "email_id", "operator": "is set", "half_life_days": 10},
			"decay_only_for_engagement",
			"half_life_days",
		),
		(
			{"field_name": "email_id", "operator": "is set", "dimension": "Size"},
			"unknown_option",
			"dimension",
		),
		({"field_name": "email_id", "operator": "is set", "category": "Vibes"}, "unknown_option", "category"),
		(
			{"condition_type": "Activity", "activity_type": "Page Viewed"},
			"activity_only_for_engagement",
			"dimension",
		),
	],
)
def test_malformed_rules_are_refused(values, code, fieldname):
	with pytest.raises(RuleError) as e:
		rule(**values)
	assert (e.value.code, e.value.fieldname) == (code, fieldname)


def test_activity_rule_validation():
	with pytest.raises(RuleError) as e:
		activity_rule(activity_type="Telepathy")
	assert e.value.code == "unknown_option"
	with pytest.raises(RuleError) as e:
		activity_rule(min_count=0)
	assert e.value.code == "min_count_below_one"
	with pytest.raises(RuleError) as e:
		activity_rule(half_life_days=-1)
	assert e.value.code == "half_life_not_positive"


# --- conditions --------------------------------------------------------------------------


@pytest.mark.parametrize(
	"values, lead, hits",
	[
		({"field_name": "bant_need", "operator": "is set"}, {"bant_need": "Roof"}, True),
		({"field_name": "bant_need", "operator": "is set"}, {"bant_need": ""}, False),
		({"field_name": "bant_need", "operator": "is not set"}, {}, True),
		(
			{"field_name": "email_id", "operator": "contains", "value": "@gmail.,@free.fr"},
			{"email_id": "a@FREE.fr"},
			True,
		),
		(
			{"field_name": "email_id", "operator": "contains", "value": "@gmail."},
			{"email_id": "a@corp.fr"},
			False,
		),
		({"field_name": "territory", "operator": "equals", "value": "Lyon"}, {"territory": " lyon "}, True),
		(
			{"field_name": "territory", "operator": "not equals", "value": "Lyon"},
			{"territory": "Paris"},
			True,
		),
		({"field_name": "territory", "operator": "not equals", "value": "Lyon"}, {}, True),
		(
			{"field_name": "territory", "operator": "in list", "value": "Lyon\nVilleurbanne"},
			{"territory": "Villeurbanne"},
			True,
		),
		(
			{"field_name": "bant_budget_amount", "operator": "greater than", "value": "5000"},
			{"bant_budget_amount": 5000.01},
			True,
		),
		(
			{"field_name": "bant_budget_amount", "operator": "greater than", "value": "5000"},
			{"bant_budget_amount": 5000},
			False,
		),
		(
			{"field_name": "bant_budget_amount", "operator": "less than", "value": "1000"},
			{"bant_budget_amount": None},
			False,
		),
		(
			{"field_name": "bant_budget_amount", "operator": "between", "value": "10", "value_to": "20"},
			{"bant_budget_amount": "20"},
			True,
		),
		({"field_name": "bant_budget_amount", "operator": "is set"}, {"bant_budget_amount": 0}, False),
		(
			{"field_name": "bant_expected_start", "operator": "less than", "value": "2027-01-01"},
			{"bant_expected_start": "2026-12-24"},
			True,
		),
		(
			{
				"field_name": "bant_expected_start",
				"operator": "between",
				"value": "2027-01-01",
				"value_to": "2027-03-31",
			},
			{"bant_expected_start": "2026-12-24"},
			False,
		),
	],
)
def test_field_conditions(values, lead, hits):
	result = score_lead(lead, [], [rule(**values)], NOW)
	assert (result.total == 10) is hits
	assert len(result.rows) == (1 if hits else 0)


def test_negative_points_lower_the_score():
	rules = [
		rule(rule_name="need", field_name="bant_need", operator="is set", points=10),
		rule(rule_name="freemail", field_name="email_id", operator="contains", value="@gmail.", points=-5),
	]
	result = score_lead({"bant_need": "x", "email_id": "x@gmail.com"}, [], rules, NOW)
	assert result.total == 5
	assert sorted(r.points for r in result.rows) == [-5, 10]
	assert score_lead({"email_id": "x@gmail.com"}, [], rules, NOW).total == -5


# --- activities, decay, caps -----------------------------------------------------------


def test_each_event_counts_decayed_by_its_age():
	r = activity_rule(points=8, half_life_days=10)
	result = score_lead({}, events(0, 10, 20), [r], NOW)
	assert [row.points for row in result.rows] == [Decimal("8.00"), Decimal("4.00"), Decimal("2.00")]
	assert result.engagement == result.total == Decimal("14.00")


def test_min_count_and_window():
	r = activity_rule(points=2, min_count=3, window_days=30)
	assert score_lead({}, events(1, 2), [r], NOW).total == 0
	assert score_lead({}, events(1, 2, 40), [r], NOW).total == 0  # the third is out of the window
	assert score_lead({}, events(1, 2, 3), [r], NOW).total == 6


def test_other_activity_types_and_future_events_do_not_count():
	r = activity_rule()
	evs = events(1, kind="Email Received") + [Event("Page Viewed", NOW + timedelta(days=2))]
	assert score_lead({}, evs, [r], NOW).total == 0


@pytest.mark.parametrize("ahead", [timedelta(minutes=1), timedelta(hours=6), timedelta(hours=25)])
def test_an_event_stamped_before_the_clock_moved_back_counts_as_fresh(ahead):
	"""The site's zone moved west (Asia/Kolkata to Europe/Paris: 4h30) or the clocks went
	back: an event of the last hours looks ahead of now. It counts, with no decay above 1."""
	r = activity_rule(points=4, half_life_days=7, window_days=3, min_count=2)
	evs = [Event("Page Viewed", NOW + ahead), Event("Page Viewed", NOW - timedelta(days=1))]
	result = score_lead({}, evs, [r], NOW)
	assert [row.points for row in result.rows] == [Decimal("4.00"), Decimal("3.62")]
	assert all(abs(row.points) <= abs(row.base_points) for row in result.rows)


def test_cap_trims_the_row_that_crosses_it():
	r = activity_rule(points=4, cap=10)
	result = score_lead({}, events(0, 0, 0, 0), [r], NOW)
	assert [row.points for row in result.rows] == [4, 4, 2, 0]
	assert [row.capped for row in result.rows] == [False, False, True, True]
	assert result.total == 10


def test_bands():
	bands = engine.Bands(hot=Decimal(50), warm=Decimal(20))
	assert [bands.band(Decimal(x)) for x in (-5, 19.99, 20, 49, 50, 500)] == [
		"Cold",
		"Cold",
		"Warm",
		"Warm",
		"Hot",
		"Hot",
	]


# --- properties --------------------------------------------------------------------------

points_st = st.integers(min_value=-50, max_value=50).filter(bool)
rule_st = st.builds(
	lambda i, pts, cap, hl, kind, min_count: activity_rule(
		rule_name=f"r{i}", points=pts, cap=cap, half_life_days=hl, activity_type=kind, min_count=min_count
	),
	st.integers(0, 1000),
	points_st,
	st.one_of(st.none(), st.integers(1, 60)),
	st.one_of(st.none(), st.floats(0.5, 120)),
	st.sampled_from(engine.ACTIVITY_TYPES),
	st.integers(1, 3),
)
field_rule_st = st.builds(
	lambda i, pts, threshold: rule(
		rule_name=f"f{i}",
		field_name="bant_budget_amount",
		operator="greater than",
		value=str(threshold),
		points=pts,
	),
	st.integers(0, 1000),
	points_st,
	st.integers(0, 20000),
)
event_st = st.builds(
	lambda kind, age: Event(kind, NOW - timedelta(days=age), "e"),
	st.sampled_from(engine.ACTIVITY_TYPES),
	st.floats(0, 400),
)
lead_st = st.fixed_dictionaries({"bant_budget_amount": st.integers(0, 20000)})


@settings(max_examples=200, deadline=None)
@given(
	st.lists(st.one_of(rule_st, field_rule_st), max_size=8, unique_by=lambda r: r.name),
	st.lists(event_st, max_size=25),
	lead_st,
)
def test_ledger_always_adds_up_to_the_score(rules, evs, lead):
	result = score_lead(lead, evs, rules, NOW)
	assert sum((r.points for r in result.rows), Decimal(0)) == result.total
	assert result.fit + result.engagement == result.total
	assert sum((r.points for r in result.rows if r.dimension == "Fit"), Decimal(0)) == result.fit


@settings(max_examples=200, deadline=None)
@given(st.lists(rule_st, min_size=1, max_size=6, unique_by=lambda r: r.name), st.lists(event_st, max_size=25))
def test_caps_hold(rules, evs):
	result = score_lead({}, evs, rules, NOW)
	for r in rules:
		if r.cap is not None:
			used = sum((abs(row.points) for row in result.rows if row.rule == r.name), Decimal(0))
			assert used <= r.cap


@given(st.floats(0, 10_000), st.floats(0, 10_000), st.floats(0.01, 1000))
def test_decay_never_increases_and_stays_within_one(age_a, age_b, half_life):
	young, old = sorted((age_a, age_b))
	assert 0 <= engine.decay_factor(old, half_life) <= engine.decay_factor(young, half_life) <= 1


@given(st.floats(0.01, 1000))
def test_decay_tends_to_zero(half_life):
	assert engine.decay_factor(half_life * 60, half_life) < 1e-15
	assert engine.decay_factor(0, half_life) == 1


@settings(max_examples=100, deadline=None)
@given(
	st.lists(st.one_of(rule_st, field_rule_st), max_size=6),
	st.lists(st.tuples(lead_st, st.lists(event_st, max_size=8)), min_size=1, max_size=10),
)
def test_bulk_and_single_lead_scoring_agree(rules, leads):
	values = [{"name": f"L{i}", **lead} for i, (lead, _) in enumerate(leads)]
	evs = {f"L{i}": e for i, (_, e) in enumerate(leads)}
	bulk = score_many(values, evs, rules, NOW)
	for v in values:
		assert bulk[v["name"]] == score_lead(v, evs[v["name"]], rules, NOW)


# Field rules of every kind, on fields that leads share values of (the bulk path tests each
# distinct value once and shares Scores between leads that hit alike).
TEXTS = ("Lyon", " lyon ", "LYON", "Bron", "", None, "Lyon 3e", "Villeurbanne")
NUMBERS = (None, 0, 0.0, 1, 1.0, True, False, Decimal("5000"), Decimal("5000.00"), 4999.99, 80000, "12")
DATES = (None, "", "2026-01-01", datetime(2026, 1, 1, 9, 30), datetime(2026, 6, 30).date(), "garbage")
mixed_field_rule_st = st.one_of(
	st.builds(
		lambda i, pts, op, value: rule(
			rule_name=f"t{i}", field_name="territory", operator=op, value=value, points=pts
		),
		st.integers(0, 1000),
		points_st,
		st.sampled_from(("equals", "not equals", "in list", "contains", "is set", "is not set")),
		st.sampled_from(("Lyon", "lyon, Bron", "Lyon\nVilleurbanne", " 3e")),
	),
	st.builds(
		lambda i, pts, op, low, high: rule(
			rule_name=f"n{i}",
			field_name="bant_budget_amount",
			operator=op,
			value=str(min(low, high)),
			value_to=str(max(low, high)),
			points=pts,
		),
		st.integers(0, 1000),
		points_st,
		st.sampled_from(
			("equals", "not equals", "greater than", "less than", "between", "is set", "is not set")
		),
		st.sampled_from((0, 1, 4999.99, 5000, 80000)),
		st.sampled_from((0, 1, 5000, 100000)),
	),
	st.builds(
		lambda i, pts, op: rule(
			rule_name=f"d{i}",
			dimension="Engagement",
			field_name="bant_expected_start",
			operator=op,
			value="2026-01-01",
			value_to="2026-03-31",
			points=pts,
		),
		st.integers(0, 1000),
		points_st,
		st.sampled_from(("equals", "greater than", "less than", "between", "is set", "is not set")),
	),
)
mixed_lead_st = st.fixed_dictionaries(
	{
		"territory": st.sampled_from(TEXTS),
		"bant_budget_amount": st.sampled_from(NUMBERS),
		"bant_expected_start": st.sampled_from(DATES),
	}
)


@settings(max_examples=300, deadline=None)
@given(
	st.lists(st.one_of(rule_st, mixed_field_rule_st), max_size=10, unique_by=lambda r: r.name),
	st.lists(st.tuples(mixed_lead_st, st.lists(event_st, max_size=6)), min_size=1, max_size=30),
)
def test_bulk_scoring_agrees_on_shared_values_of_every_kind(rules, leads):
	values = [{"name": f"L{i}", **lead} for i, (lead, _) in enumerate(leads)]
	evs = {f"L{i}": e for i, (_, e) in enumerate(leads) if e}
	bulk = score_many(values, evs, rules, NOW)
	assert set(bulk) == {v["name"] for v in values}
	for v in values:
		single = score_lead(v, evs.get(v["name"], ()), rules, NOW)
		assert bulk[v["name"]] == single
		assert bulk[v["name"]].keys == single.keys


def test_bulk_scoring_tells_1_from_true():
	"""1, 1.0 and True are one key of a dict; to a number rule True is not a number."""
	rules = [rule(rule_name="one", field_name="bant_budget_amount", operator="equals", value="1")]
	leads = [{"name": "a", "bant_budget_amount": 1}, {"name": "b", "bant_budget_amount": True}]
	bulk = score_many(leads, {}, rules, NOW)
	assert bulk["a"] == score_lead(leads[0], (), rules, NOW)
	assert bulk["b"] == score_lead(leads[1], (), rules, NOW)
	assert bulk["a"].total == 10


# --- ledger keys -------------------------------------------------------------------------


def test_a_row_s_slot_is_what_it_counts_and_its_content_what_it_says():
	def row(**changes):
		values = dict(
			rule="r",
			dimension="Engagement",
			category="Engagement",
			points=Decimal("4.00"),
			base_points=Decimal(4),
			source="src",
			occurred_on=NOW,
			capped=False,
		)
		values.update(changes)
		return engine.LedgerRow(**values)

	base = row()
	what_it_counts = [
		row(rule="r2"),
		row(source="other"),
		row(occurred_on=None),
		row(occurred_on=NOW - timedelta(seconds=1)),
	]
	what_it_says = [
		row(dimension="Fit"),
		row(category="Demographic"),
		row(points=Decimal("3.99")),
		row(base_points=Decimal(5)),
		row(capped=True),
	]
	assert len({base.slot, *(r.slot for r in what_it_counts)}) == len(what_it_counts) + 1
	assert all(r.content == base.content for r in what_it_counts)
	assert len({base.content, *(r.content for r in what_it_says)}) == len(what_it_says) + 1
	assert all(r.slot == base.slot for r in what_it_says)
	assert row().slot == base.slot and len(base.slot) == engine.DIGEST_LENGTH
	assert len(base.content) == engine.DIGEST_LENGTH


def test_ledger_slots_are_unique_within_a_lead():
	"""Two events of one kind at the same time, from the same source, give equal rows."""
	rules = [activity_rule(points=4)]
	score = score_lead({}, events(1, 1, 1, 5), rules, NOW)
	twins = score_lead({}, [Event("Page Viewed", NOW - timedelta(days=1), "same")] * 3, rules, NOW)
	assert len(set(twins.slots)) == 3 and twins.slots[1] == f"{twins.slots[0]}-2"
	assert len(set(score.slots)) == len(score.rows)
	assert [k.split(":")[0] for k in score.keys] == list(score.slots)


def test_decay_moves_the_content_of_the_decaying_rows_only():
	"""Tomorrow's decay changes the points of the decaying rule's rows: same slots, other
	content; the field rule's row is untouched."""
	rules = [
		rule(rule_name="budget", field_name="bant_budget_amount", operator="greater than", value="100"),
		activity_rule(rule_name="visits", points=4, half_life_days=7),
	]
	lead = {"bant_budget_amount": 500}
	evs = events(3)
	today = score_lead(lead, evs, rules, NOW)
	tomorrow = score_lead(lead, evs, rules, NOW + timedelta(days=1))
	assert today.slots == tomorrow.slots
	assert today.keys[0] == tomorrow.keys[0]
	assert today.keys[1] != tomorrow.keys[1]
	assert score_lead(lead, evs, rules, NOW).keys == today.keys


def test_fields_and_activity_types_used():
	rules = [rule(field_name="bant_need", operator="is set"), activity_rule(activity_type="Demo Requested")]
	assert engine.fields_used(rules) == {"bant_need"}
	assert engine.activity_types_used(rules) == {"Demo Requested"}


def test_a_rule_survives_the_rules_cache():
	"""load_rules caches parsed rules pickled; the compiled condition comes back with them."""
	import pickle

	rule = engine.parse_rule(
		{
			"rule_name": "Roofs",
			"dimension": "Fit",
			"category": "Demographic",
			"points": 5,
			"condition_type": "Lead Field",
			"field_name": "bant_need",
			"operator": "contains",
			"value": "ROOF",
		},
		{"bant_need": "Small Text"},
	)
	again = pickle.loads(pickle.dumps(rule))
	assert again == rule
	assert again.test(" new roof ") and not again.test("kitchen")
	assert engine.condition_holds(again, {"bant_need": "Roof repair"})
