from datetime import datetime, timedelta

from lead_qualification.lead_qualification.analytics import (
	band_counts,
	best_threshold,
	rate,
	status_counts,
	stays,
)

T0 = datetime(2026, 11, 1, 9, 0)


def test_rate():
	assert rate(1, 4) == 25.0
	assert rate(0, 0) == 0.0
	assert rate(2, 3) == 66.67


def test_best_threshold_separates_buyers():
	leads = [(10, False), (20, False), (35, False), (40, True), (55, True), (70, True), (45, False)]
	t = best_threshold(leads)
	assert t.score == 40
	assert t.true_positive_rate == 1.0
	assert t.false_positive_rate == 0.25
	assert t.separation == 0.75


def test_best_threshold_needs_both_kinds():
	assert best_threshold([(10, True), (20, True)]) is None
	assert best_threshold([]) is None


def test_stays_cover_the_timeline_in_order():
	log = [
		("In Process", T0 + timedelta(days=2), "b"),
		("Unqualified", T0, "a"),
		("Qualified", T0 + timedelta(days=5), "c"),
	]
	result = stays(log)
	assert [s.value for s in result] == ["Unqualified", "In Process", "Qualified"]
	assert [s.days(T0 + timedelta(days=7)) for s in result] == [2.0, 3.0, 2.0]
	assert result[-1].end is None
	assert result[1].changed_by == "b"


def test_time_in_a_status_is_never_negative():
	"""A `now` behind the start (the clock moved back since the change was logged): no time yet."""
	(stay,) = stays([("Qualified", T0, "a")])
	assert stay.days(T0 - timedelta(hours=4, minutes=30)) == 0.0
	assert stay.days(T0 + timedelta(days=1, hours=12)) == 1.5


def test_band_counts_in_band_order_unscored_as_cold():
	# From a GROUP BY, ordered by count: the chart still gets Hot, Warm, Cold, zeros included.
	assert band_counts({"Cold": 7, None: 2, "Hot": 1}) == [1, 0, 9]
	assert band_counts({"": 3, "Tepid": 5}) == [0, 0, 3]
	assert band_counts({}) == [0, 0, 0]


def test_status_counts_in_funnel_order():
	assert status_counts({"Qualified": 2, "Unqualified": 5, "In Process": 3, None: 1}) == [6, 3, 2]
