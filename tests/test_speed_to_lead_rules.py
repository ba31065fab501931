"""Speed-to-Lead figures worked out by hand, site-free."""

from datetime import datetime

import pytest

from lead_qualification.lead_response import speed
from lead_qualification.lead_response.speed import LeadTiming

NOW = datetime(2026, 12, 10, 12, 0)
ARRIVED = datetime(2026, 12, 1, 9, 0)


def lead(group, hours_taken, respond_within, qualified=False):
	"""A lead answered `hours_taken` hours after arrival (None: never) with a deadline
	`respond_within` hours after arrival; wall-clock hours stand in for working hours here."""
	from datetime import timedelta

	responded = None if hours_taken is None else ARRIVED + timedelta(hours=hours_taken)
	return LeadTiming(group, ARRIVED, ARRIVED + timedelta(hours=respond_within), responded, qualified)


def wall_hours(timing):
	return (timing.responded - timing.arrived).total_seconds() / 3600


def test_figures_by_group_by_hand():
	leads = [
		lead("Hot", 0.5, 1, qualified=True),  # in time, prospect
		lead("Hot", 2, 1),  # late
		lead("Hot", None, 1, qualified=True),  # never answered, past due: late, prospect
		lead("Warm", 3, 9, qualified=True),  # in time, prospect
		lead("Warm", 5, 9),  # in time
		lead("Warm", 7, 9),  # in time
		lead("Warm", 10, 9),  # late
	]
	hot, warm = speed.by_group(leads, NOW, wall_hours)
	assert (hot.group, hot.leads, hot.answered, hot.waiting) == ("Hot", 3, 2, 1)
	assert hot.median_hours == 1.25  # (0.5 + 2) / 2
	assert hot.p90_hours == 1.85  # 0.5 + 0.9 * 1.5
	assert (hot.in_time, hot.late) == (1, 2)
	assert hot.share_in_time == pytest.approx(33.33)
	assert hot.conversion_in_time == 100.0
	assert hot.conversion_late == 50.0

	assert (warm.leads, warm.answered, warm.waiting) == (4, 4, 0)
	assert warm.median_hours == 6.0  # (5 + 7) / 2
	assert warm.p90_hours == 9.1  # rank 2.7: 7 + 0.7 * 3
	assert (warm.in_time, warm.late) == (3, 1)
	assert warm.share_in_time == 75.0
	assert warm.conversion_in_time == pytest.approx(33.33)
	assert warm.conversion_late == 0.0


def test_not_due_leads_count_neither_in_time_nor_late():
	waiting = LeadTiming("Cold", NOW, datetime(2026, 12, 11), None, False)
	(cold,) = speed.by_group([waiting], NOW, wall_hours)
	assert (cold.in_time, cold.late, cold.waiting) == (0, 0, 1)
	assert cold.share_in_time is None and cold.median_hours is None
	assert cold.conversion_in_time is None and cold.conversion_late is None
