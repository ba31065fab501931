"""The first-response clock's rules, site-free: working hours across evenings, weekends and
holidays; targets by band; the first response; the report's percentiles."""

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lead_qualification.lead_response import clock
from lead_qualification.lead_response.clock import (
	CALL,
	EMAIL,
	MEETING,
	NOTE,
	Response,
	Target,
	Targets,
	WorkingTime,
	add_working_hours,
	working_hours_between,
)

# 2026-11-27 is a Friday; 2026-11-30 a Monday
FRIDAY = date(2026, 11, 27)
MONDAY = date(2026, 11, 30)
TUESDAY = date(2026, 12, 1)
NINE_TO_SIX = WorkingTime(start=time(9), end=time(18))


def at(day: date, hour: int, minute: int = 0) -> datetime:
	return datetime.combine(day, time(hour, minute))


def test_hours_within_one_day():
	assert add_working_hours(at(MONDAY, 10), 1, NINE_TO_SIX) == at(MONDAY, 11)
	assert working_hours_between(at(MONDAY, 10), at(MONDAY, 11, 30), NINE_TO_SIX) == 1.5


def test_a_full_day_ends_at_the_end_of_the_day_not_the_next_morning():
	assert add_working_hours(at(FRIDAY, 17), 1, NINE_TO_SIX) == at(FRIDAY, 18)


def test_evening_hours_do_not_count():
	assert add_working_hours(at(MONDAY, 17, 30), 1, NINE_TO_SIX) == at(TUESDAY, 9, 30)
	assert working_hours_between(at(MONDAY, 17, 30), at(TUESDAY, 9, 30), NINE_TO_SIX) == 1


def test_across_the_weekend():
	# Friday 17:00 + 2 h = Monday 10:00; the weekend counts for nothing
	assert add_working_hours(at(FRIDAY, 17), 2, NINE_TO_SIX) == at(MONDAY, 10)
	assert working_hours_between(at(FRIDAY, 17), at(MONDAY, 10), NINE_TO_SIX) == 2


def test_a_lead_arriving_on_saturday_starts_counting_on_monday_morning():
	saturday = FRIDAY + timedelta(days=1)
	assert add_working_hours(at(saturday, 15), 1, NINE_TO_SIX) == at(MONDAY, 10)
	assert working_hours_between(at(saturday, 15), at(MONDAY, 9), NINE_TO_SIX) == 0


def test_across_a_weekend_and_a_holiday():
	working = WorkingTime(start=time(9), end=time(18), holidays=frozenset({MONDAY}))
	assert add_working_hours(at(FRIDAY, 17), 2, working) == at(TUESDAY, 10)
	assert working_hours_between(at(FRIDAY, 17), at(TUESDAY, 10), working) == 2
	# one working day (9 h) from Friday 12:00: 6 h on Friday, 3 h on Tuesday
	warm = Targets().for_band("Warm").hours(working)
	assert warm == 9
	assert clock.respond_by(at(FRIDAY, 12), "Warm", Targets(), working) == at(TUESDAY, 12)


def test_other_working_days():
	monday_to_saturday = WorkingTime(weekdays=frozenset(range(6)))
	assert add_working_hours(at(FRIDAY, 17), 2, monday_to_saturday) == at(FRIDAY + timedelta(days=1), 10)


def test_default_targets_by_band():
	targets = Targets()
	assert targets.for_band("Hot").hours(NINE_TO_SIX) == 1
	assert targets.for_band("Warm").hours(NINE_TO_SIX) == 9
	assert targets.for_band("Cold").hours(NINE_TO_SIX) == 27
	assert targets.for_band(None) == targets.cold  # no band yet: cold
	assert clock.respond_by(at(MONDAY, 10), "Cold", targets, NINE_TO_SIX) == at(MONDAY + timedelta(3), 10)


def test_hotter_band_tightens_and_cooler_never_loosens():
	targets = Targets()
	current = clock.respond_by(at(MONDAY, 10), "Cold", targets, NINE_TO_SIX)  # Thursday 10:00
	hot = clock.tightened(current, at(TUESDAY, 15), "Hot", targets, NINE_TO_SIX)
	assert hot == at(TUESDAY, 16)
	assert clock.tightened(hot, at(TUESDAY, 15, 30), "Cold", targets, NINE_TO_SIX) == hot
	assert clock.tightened(None, at(TUESDAY, 15), "Hot", targets, NINE_TO_SIX) == at(TUESDAY, 16)


def test_invalid_working_time_is_refused():
	with pytest.raises(clock.NoWorkingTime):
		WorkingTime(start=time(18), end=time(9))
	with pytest.raises(clock.NoWorkingTime):
		WorkingTime(weekdays=frozenset())
	every_day_off = WorkingTime(
		weekdays=frozenset({0}), holidays=frozenset(MONDAY + timedelta(weeks=w) for w in range(600))
	)
	with pytest.raises(clock.NoWorkingTime):
		add_working_hours(at(MONDAY, 9), 1, every_day_off)


def test_first_response_is_the_earliest():
	assert clock.first_response([]) is None
	assert clock.first_response([None]) is None
	call = Response(at(MONDAY, 11), CALL)
	email = Response(at(MONDAY, 10), EMAIL)
	note = Response(at(MONDAY, 12), NOTE)
	assert clock.first_response([call, None, email, note]) == email
	assert clock.first_response([Response(at(MONDAY, 10), MEETING), email]) == email  # tie
	assert clock.is_earlier(at(MONDAY, 9), None)
	assert clock.is_earlier(at(MONDAY, 9), at(MONDAY, 10))
	assert not clock.is_earlier(at(MONDAY, 10), at(MONDAY, 10))


def test_overdue_and_outcome():
	deadline = at(MONDAY, 11)
	assert not clock.is_overdue(deadline, None, at(MONDAY, 11))
	assert clock.is_overdue(deadline, None, at(MONDAY, 11, 1))
	assert not clock.is_overdue(deadline, at(MONDAY, 12), at(MONDAY, 13))
	assert not clock.is_overdue(None, None, at(MONDAY, 13))
	assert clock.outcome(deadline, at(MONDAY, 11), at(TUESDAY, 9)) == clock.IN_TIME
	assert clock.outcome(deadline, at(MONDAY, 12), at(TUESDAY, 9)) == clock.LATE
	assert clock.outcome(deadline, None, at(TUESDAY, 9)) == clock.LATE
	assert clock.outcome(deadline, None, at(MONDAY, 10)) == clock.NOT_DUE
	assert clock.outcome(None, at(MONDAY, 10), at(MONDAY, 10)) is None


def test_percentiles_worked_by_hand():
	assert clock.median([]) is None
	assert clock.median([5]) == 5
	assert clock.median([3, 1, 2]) == 2
	assert clock.median([1, 2, 3, 4]) == 2.5
	# ten values 1..10: rank (10-1)*0.9 = 8.1 -> 9 + 0.1*(10-9) = 9.1
	assert clock.percentile(list(range(1, 11)), 90) == pytest.approx(9.1)
	assert clock.percentile([0.5, 2.0], 90) == pytest.approx(1.85)
	with pytest.raises(ValueError):
		clock.percentile([1], 101)


def test_working_days_unit():
	assert Target(2, clock.WORKING_DAYS).hours(WorkingTime(start=time(8), end=time(12))) == 8
	assert Target(2, clock.WORKING_HOURS).hours(NINE_TO_SIX) == 2


# --- properties -------------------------------------------------------------------------------

moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)).map(
	lambda d: d.replace(microsecond=0)
)
working_times = st.builds(
	lambda start, length, days, holidays: WorkingTime(
		start=time(start), end=time(start + length), weekdays=frozenset(days), holidays=frozenset(holidays)
	),
	st.integers(0, 12),
	st.integers(1, 11),
	st.sets(st.integers(0, 6), min_size=1),
	st.sets(st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 6, 30)), max_size=30),
)
hours = st.floats(min_value=0, max_value=200, allow_nan=False).map(lambda h: round(h, 4))


@settings(max_examples=300, deadline=None)
@given(moments, hours, working_times)
def test_add_then_measure_back_gives_the_same_hours(moment, n, working):
	deadline = add_working_hours(moment, n, working)
	assert deadline >= moment
	assert working_hours_between(moment, deadline, working) == pytest.approx(n, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(moments, hours, hours, working_times)
def test_adding_in_two_steps_is_adding_once(moment, a, b, working):
	once = add_working_hours(moment, a + b, working)
	twice = add_working_hours(add_working_hours(moment, a, working), b, working)
	assert working_hours_between(moment, once, working) == pytest.approx(
		working_hours_between(moment, twice, working), abs=1e-6
	)


@settings(max_examples=200, deadline=None)
@given(moments, moments, moments, working_times)
def test_elapsed_time_adds_up(a, b, c, working):
	a, b, c = sorted((a, b, c))
	assert working_hours_between(a, c, working) == pytest.approx(
		working_hours_between(a, b, working) + working_hours_between(b, c, working), abs=1e-6
	)
	assert working_hours_between(c, a, working) == 0
