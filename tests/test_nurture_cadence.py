"""Nurture cadence, limits and stop rules, site-free."""

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lead_qualification.lead_nurture import cadence
from lead_qualification.lead_nurture.cadence import Cadence, LeadFacts, Limits, allowed_moment, stop_reason

PACE = Cadence(hot_days=2, warm_days=7, cold_days=30)
NO_LIMITS = Limits(quiet_start=None, quiet_end=None, max_per_week=0)
MONDAY_10 = datetime(2026, 11, 23, 10, 0)


@pytest.mark.parametrize("band, days", [("Hot", 2), ("Warm", 7), ("Cold", 30), (None, 30), ("", 30)])
def test_cadence_follows_the_band(band, days):
	assert cadence.planned_due(MONDAY_10, 0, band, PACE) == MONDAY_10 + timedelta(days=days)


def test_a_step_may_set_its_own_wait():
	assert cadence.planned_due(MONDAY_10, 3, "Cold", PACE) == MONDAY_10 + timedelta(days=3)


def test_band_change_retimes_from_the_last_touch():
	last = MONDAY_10
	assert cadence.planned_due(last, 0, "Cold", PACE) - cadence.planned_due(
		last, 0, "Hot", PACE
	) == timedelta(days=28)


def test_quiet_hours_spanning_midnight():
	limits = Limits(quiet_start=time(19), quiet_end=time(8), max_per_week=0)
	assert allowed_moment(datetime(2026, 11, 23, 22, 30), limits) == datetime(2026, 11, 24, 8, 0)
	assert allowed_moment(datetime(2026, 11, 24, 6, 0), limits) == datetime(2026, 11, 24, 8, 0)
	assert allowed_moment(datetime(2026, 11, 24, 12, 0), limits) == datetime(2026, 11, 24, 12, 0)


def test_holidays_are_skipped():
	limits = Limits(
		quiet_start=time(19), quiet_end=time(8), holidays=frozenset({date(2026, 12, 25), date(2026, 12, 26)})
	)
	assert allowed_moment(datetime(2026, 12, 25, 10), limits) == datetime(2026, 12, 27, 8, 0)


def test_weekly_cap():
	limits = Limits(quiet_start=None, quiet_end=None, max_per_week=2)
	touches = [MONDAY_10 - timedelta(days=5), MONDAY_10 - timedelta(days=1)]
	moment = allowed_moment(MONDAY_10, limits, touches)
	assert moment == touches[0] + timedelta(days=7, seconds=1)
	assert (
		allowed_moment(MONDAY_10, Limits(quiet_start=None, quiet_end=None, max_per_week=3), touches)
		== MONDAY_10
	)


def test_weekly_cap_counts_a_touch_stamped_ahead_of_now():
	"""Touches made an hour ago in Asia/Kolkata, then the site moves to Europe/Paris: their
	stamps look 3h30 ahead of now. They still count against the cap."""
	limits = Limits(quiet_start=None, quiet_end=None, max_per_week=2)
	touches = [MONDAY_10 - timedelta(days=3), MONDAY_10 + timedelta(hours=3, minutes=30)]
	moment = allowed_moment(MONDAY_10, limits, touches)
	assert moment == touches[0] + timedelta(days=7, seconds=1)


@given(
	st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
	st.lists(st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 1, 31)), max_size=40),
	st.lists(st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2027, 12, 31)), max_size=6),
	st.integers(0, 4),
)
def test_allowed_moment_respects_every_limit(candidate, holidays, touches, cap):
	limits = Limits(quiet_start=time(19), quiet_end=time(8), holidays=frozenset(holidays), max_per_week=cap)
	moment = allowed_moment(candidate, limits, touches)
	assert moment >= candidate
	assert not cadence.in_quiet_hours(moment, limits)
	assert moment.date() not in limits.holidays
	if cap:
		assert len([t for t in touches if moment - timedelta(days=7) < t <= moment]) < cap
		# a touch stamped a little ahead (the clock moved back since) counts too
		ahead = moment + cadence.FUTURE_SKEW
		assert len([t for t in touches if moment - timedelta(days=7) < t <= ahead]) < cap


@pytest.mark.parametrize(
	"facts, reason",
	[
		(LeadFacts(), None),
		(LeadFacts(replied_since_enrollment=True), "Replied"),
		(LeadFacts(qualified=True), "Promoted"),
		(LeadFacts(has_opportunity=True), "Opportunity"),
		(LeadFacts(has_quotation=True), "Quotation"),
		(LeadFacts(has_customer=True), "Customer"),
		(LeadFacts(status="Converted"), "Customer"),
		(LeadFacts(status="Do Not Contact"), "Do Not Contact"),
		(LeadFacts(status="Lost Quotation"), "Lost"),
		(LeadFacts(unsubscribed=True), "Unsubscribed"),
		(LeadFacts(bounced=True), "Bounced"),
		(LeadFacts(unsubscribed=True, qualified=True, replied_since_enrollment=True), "Unsubscribed"),
	],
)
def test_stop_rules(facts, reason):
	assert stop_reason(facts) == reason


@pytest.mark.parametrize(
	"step_band, band, applies",
	[
		(None, "Hot", True),
		("", "Cold", True),
		("Hot", "Hot", True),
		("Hot", "Warm", False),
		("Cold", None, True),
	],
)
def test_band_condition(step_band, band, applies):
	assert cadence.step_applies(step_band, band) is applies
