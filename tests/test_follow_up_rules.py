"""Prospect and quotation follow-ups: working days, when a step is due, which stop rule
applies; and the quote -> order measures. Site-free."""

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lead_qualification.lead_nurture import cadence, followup
from lead_qualification.lead_nurture.cadence import Cadence, LeadFacts
from lead_qualification.lead_nurture.followup import (
	AFTER_PREVIOUS,
	AFTER_START,
	BEFORE_VALID_TILL,
	ProspectCadence,
	QuotationFacts,
	StepTiming,
	add_working_days,
	step_due,
	step_index,
)
from lead_qualification.lead_qualification.analytics import QuoteOutcome, quote_to_order, quote_to_order_split

NONE: frozenset[date] = frozenset()
THURSDAY_10 = datetime(2026, 11, 26, 10, 0)  # a Thursday
FRIDAY_10 = datetime(2026, 11, 27, 10, 0)
CHRISTMAS = frozenset({date(2026, 12, 25)})  # a Friday


def due(
	step,
	*,
	stage=followup.QUOTATION,
	band=None,
	since=THURSDAY_10,
	start=THURSDAY_10,
	valid_till=None,
	holidays=NONE,
):
	return step_due(
		step,
		stage=stage,
		band=band,
		since=since,
		start=start,
		valid_till=valid_till,
		holidays=holidays,
		lead_cadence=Cadence(),
		prospect_cadence=ProspectCadence(hot_days=2, warm_days=5, cold_days=10),
		day_starts_at=time(8, 0),
	)


# --- working days --------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"start, days, expected",
	[
		(THURSDAY_10, 0, THURSDAY_10),
		(THURSDAY_10, 1, FRIDAY_10),
		(THURSDAY_10, 2, datetime(2026, 11, 30, 10, 0)),  # over the weekend: Monday
		(THURSDAY_10, 7, datetime(2026, 12, 7, 10, 0)),
		(THURSDAY_10, 14, datetime(2026, 12, 16, 10, 0)),
		(datetime(2026, 11, 28, 9, 0), 0, datetime(2026, 11, 30, 9, 0)),  # Saturday: D+0 is Monday
	],
)
def test_working_days_skip_weekends(start, days, expected):
	assert add_working_days(start, days, NONE) == expected


def test_working_days_skip_a_holiday():
	thursday = datetime(2026, 12, 24, 10, 0)
	# D+1 would be Christmas (Friday): Monday 28th; D+2: Tuesday
	assert add_working_days(thursday, 1, CHRISTMAS) == datetime(2026, 12, 28, 10, 0)
	assert add_working_days(thursday, 2, CHRISTMAS) == datetime(2026, 12, 29, 10, 0)
	assert add_working_days(thursday, 1, NONE) == datetime(2026, 12, 25, 10, 0)


@given(
	start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1)),
	days=st.integers(min_value=0, max_value=40),
	holidays=st.frozensets(st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 6, 1)), max_size=30),
)
def test_working_days_property(start, days, holidays):
	result = add_working_days(start, days, holidays)
	assert result.time() == start.time()
	assert followup.is_working_day(result.date(), holidays)
	between = [
		start.date() + timedelta(days=i) for i in range((result.date() - start.date()).days)
	]  # the days before the result
	assert sum(followup.is_working_day(d, holidays) for d in between) == days


def test_every_day_off_is_refused():
	with pytest.raises(ValueError):
		add_working_days(THURSDAY_10, 1, NONE, weekend=frozenset(range(7)))


# --- when a step is due ----------------------------------------------------------------------------


def test_quotation_offsets_d2_d7_d14_in_working_days():
	dues = [due(StepTiming(AFTER_START, n)) for n in (2, 7, 14)]
	assert dues == [datetime(2026, 11, 30, 10), datetime(2026, 12, 7, 10), datetime(2026, 12, 16, 10)]


def test_quotation_offset_across_a_holiday():
	submitted = datetime(2026, 12, 23, 15, 0)  # Wednesday; Christmas Friday is off
	assert due(StepTiming(AFTER_START, 2), start=submitted, holidays=CHRISTMAS) == datetime(2026, 12, 28, 15)
	assert due(StepTiming(AFTER_START, 2), start=submitted) == datetime(2026, 12, 25, 15)


def test_days_before_valid_till():
	# Valid Till Wednesday 23 December: 3 days before is Sunday 20th -> Friday 18th, at 8:00
	assert due(StepTiming(BEFORE_VALID_TILL, 3), valid_till=date(2026, 12, 23)) == datetime(2026, 12, 18, 8)
	assert due(StepTiming(BEFORE_VALID_TILL, 3), valid_till=date(2026, 12, 17)) == datetime(2026, 12, 14, 8)
	# Christmas off: 3 days before the 28th is the 25th -> Thursday 24th
	assert due(
		StepTiming(BEFORE_VALID_TILL, 3), valid_till=date(2026, 12, 28), holidays=CHRISTMAS
	) == datetime(2026, 12, 24, 8)


def test_days_before_valid_till_without_one_follows_the_previous_touch():
	assert due(StepTiming(BEFORE_VALID_TILL, 3), band="Hot", valid_till=None) == datetime(2026, 11, 30, 10)


@pytest.mark.parametrize(
	"band, expected",
	[
		("Hot", datetime(2026, 11, 30, 10)),  # 2 working days from Thursday
		("Warm", datetime(2026, 12, 3, 10)),  # 5 working days: a week
		("Cold", datetime(2026, 12, 10, 10)),
		(None, datetime(2026, 12, 10, 10)),
	],
)
def test_prospect_cadence_by_band_in_working_days(band, expected):
	assert due(StepTiming(AFTER_PREVIOUS), stage=followup.PROSPECT, band=band) == expected


def test_a_prospect_step_may_set_its_own_wait_in_working_days():
	assert due(StepTiming(AFTER_PREVIOUS, wait_days=1), stage=followup.PROSPECT, band="Cold") == FRIDAY_10


def test_lead_stage_keeps_the_calendar_day_cadence():
	assert due(StepTiming(AFTER_PREVIOUS), stage=followup.LEAD, band="Hot") == THURSDAY_10 + timedelta(days=2)
	assert due(StepTiming(AFTER_PREVIOUS), stage=followup.LEAD, band=None) == THURSDAY_10 + timedelta(days=30)


def test_step_index_repeats_only_when_asked():
	assert [step_index(n, 2, repeat=True) for n in range(1, 7)] == [1, 2, 1, 2, 1, 2]
	assert [step_index(n, 2, repeat=False) for n in range(1, 4)] == [1, 2, None]
	assert step_index(1, 0, repeat=True) is None


# --- stop rules ------------------------------------------------------------------------------------

TODAY = date(2026, 11, 26)
PROSPECT = LeadFacts(qualified=True, status="Open")


@pytest.mark.parametrize(
	"facts, reason",
	[
		(PROSPECT, None),
		(LeadFacts(qualified=True, has_quotation=True), cadence.QUOTATION),
		(LeadFacts(qualified=True, has_opportunity=True), cadence.OPPORTUNITY),
		(LeadFacts(qualified=True, status="Lost Quotation"), cadence.LOST),
		(LeadFacts(qualified=True, status="Do Not Contact"), cadence.DO_NOT_CONTACT),
		(LeadFacts(qualified=True, has_customer=True), cadence.CUSTOMER),
		(LeadFacts(qualified=False), followup.NOT_A_PROSPECT),
		(LeadFacts(qualified=True, next_step_since_enrollment=True), followup.NEXT_STEP),
		# a prospect in conversation, or unsubscribed from e-mails, still gets the owner's tasks
		(LeadFacts(qualified=True, replied_since_enrollment=True), None),
		(LeadFacts(qualified=True, unsubscribed=True), None),
	],
)
def test_prospect_stop_rules(facts, reason):
	assert followup.stop_reason(followup.PROSPECT, facts) == reason


def test_lead_stage_still_stops_at_promotion():
	assert followup.stop_reason(followup.LEAD, PROSPECT) == cadence.PROMOTED
	assert followup.stop_reason(None, LeadFacts()) is None


OPEN = QuotationFacts(valid_till=TODAY + timedelta(days=20))


@pytest.mark.parametrize(
	"quotation, lead, reason",
	[
		(OPEN, PROSPECT, None),
		(None, PROSPECT, followup.CANCELLED),
		(QuotationFacts(docstatus=2), PROSPECT, followup.CANCELLED),
		(QuotationFacts(ordered=True), PROSPECT, followup.ORDERED),
		(QuotationFacts(status="Partially Ordered"), PROSPECT, followup.ORDERED),
		(QuotationFacts(status="Lost"), PROSPECT, followup.QUOTATION_LOST),
		(QuotationFacts(status="Expired"), PROSPECT, followup.EXPIRED),
		(QuotationFacts(valid_till=TODAY - timedelta(days=1)), PROSPECT, followup.EXPIRED),
		(QuotationFacts(valid_till=TODAY), PROSPECT, None),  # valid through its last day
		(QuotationFacts(replied_since_start=True), PROSPECT, cadence.REPLIED),
		(QuotationFacts(next_step_since_start=True), PROSPECT, followup.NEXT_STEP),
		(OPEN, LeadFacts(qualified=True, status="Do Not Contact"), cadence.DO_NOT_CONTACT),
		# a customer made from the lead, a quotation existing: that is what is followed up
		(OPEN, LeadFacts(qualified=True, status="Converted", has_customer=True, has_quotation=True), None),
		# ordered and lost: the order wins
		(QuotationFacts(ordered=True, status="Lost"), PROSPECT, followup.ORDERED),
	],
)
def test_quotation_stop_rules(quotation, lead, reason):
	assert followup.stop_reason(followup.QUOTATION, lead, quotation, TODAY) == reason


def test_emails_allowed():
	assert followup.emails_allowed(followup.QUOTATION, PROSPECT)
	for facts in (LeadFacts(unsubscribed=True), LeadFacts(bounced=True), LeadFacts(status="Do Not Contact")):
		assert not followup.emails_allowed(followup.QUOTATION, facts)
	assert not followup.emails_allowed(followup.QUOTATION, None)


def test_follow_up_done():
	assert followup.follow_up_done(["Passed Over", "Task Created"])
	assert not followup.follow_up_done(["Passed Over"])
	assert not followup.follow_up_done([])


# --- quote -> order -------------------------------------------------------------------------------


def test_quote_to_order_split_by_follow_up():
	d = date(2026, 10, 1)
	outcomes = [
		QuoteOutcome(d, d + timedelta(days=10), True),
		QuoteOutcome(d, d + timedelta(days=20), True),
		QuoteOutcome(d, None, True),
		QuoteOutcome(d, d + timedelta(days=40), False),
		QuoteOutcome(d, None, False),
		QuoteOutcome(d, None, False),
		QuoteOutcome(d, None, False),
	]
	split = quote_to_order_split(outcomes)
	assert (split["all"].quotations, split["all"].ordered, split["all"].average_days) == (7, 3, 23.3)
	assert (split["followed_up"].rate, split["followed_up"].average_days) == (66.67, 15.0)
	assert (split["not_followed_up"].rate, split["not_followed_up"].average_days) == (25.0, 40.0)


def test_quote_to_order_with_nothing():
	empty = quote_to_order([])
	assert (empty.quotations, empty.ordered, empty.rate, empty.average_days) == (0, 0, 0.0, None)
