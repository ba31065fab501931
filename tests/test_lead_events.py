"""Lead changes, site-free: what a save or a re-score announces, grouped by kind."""

import pytest

from lead_qualification import lead_events
from lead_qualification.lead_events import (
	BAND,
	QUALIFICATION,
	SCORE,
	LeadChange,
	by_kind,
	rescored_changes,
	saved_lead_changes,
)


def test_a_new_lead_announces_its_first_band_and_status():
	changes = saved_lead_changes("L1", None, {"lq_score_band": "Cold", "qualification_status": "In Process"})
	assert set(changes) == {
		LeadChange("L1", BAND, "Cold", "", new=True),
		LeadChange("L1", QUALIFICATION, "In Process", "", new=True),
	}


def test_only_a_save_that_creates_the_lead_marks_its_changes_new():
	changed = saved_lead_changes("L1", {"lq_score_band": ""}, {"lq_score_band": "Cold"})
	assert [c.new for c in changed] == [False]
	assert not any(c.new for c in rescored_changes({"L1": (10.0, "Cold")}, {}))


def test_a_save_that_changes_nothing_announces_nothing():
	row = {"lq_score_band": "Warm", "qualification_status": "Unqualified"}
	assert saved_lead_changes("L1", dict(row), dict(row)) == []


def test_an_empty_value_is_not_a_change():
	assert saved_lead_changes("L1", {"lq_score_band": "Warm"}, {"lq_score_band": None}) == []


def test_promotion_is_a_status_change():
	changes = saved_lead_changes(
		"L1",
		{"lq_score_band": "Hot", "qualification_status": "In Process"},
		{"lq_score_band": "Hot", "qualification_status": "Qualified"},
	)
	assert changes == [LeadChange("L1", QUALIFICATION, "Qualified", "In Process")]


def test_rescore_announces_band_and_score_separately():
	changes = rescored_changes(
		{"L1": (70.0, "Hot"), "L2": (12.0, "Cold"), "L3": (30.0, "Warm")},
		{"L1": (40.0, "Warm"), "L2": (12.0, "Cold"), "L3": (28.5, "Warm")},
	)
	assert LeadChange("L1", BAND, "Hot", "Warm") in changes
	assert LeadChange("L1", SCORE, 70.0, 40.0) in changes
	assert LeadChange("L3", SCORE, 30.0, 28.5) in changes
	assert not [c for c in changes if c.lead == "L2"]
	assert not [c for c in changes if c.lead == "L3" and c.kind == BAND]


def test_rescore_of_a_lead_never_scored():
	assert rescored_changes({"L1": (5.0, "Cold")}, {}) == [
		LeadChange("L1", BAND, "Cold", ""),
		LeadChange("L1", SCORE, 5.0, 0.0),
	]


def test_score_changes_below_a_cent_are_not_changes():
	assert rescored_changes({"L1": (10.001, "Cold")}, {"L1": (10.0, "Cold")}) == []


def test_by_kind_groups_and_refuses_unknown_kinds():
	changes = [LeadChange("L1", BAND, "Hot"), LeadChange("L2", BAND, "Cold"), LeadChange("L1", SCORE, 3)]
	assert {k: len(v) for k, v in by_kind(changes).items()} == {BAND: 2, SCORE: 1}
	with pytest.raises(ValueError):
		by_kind([LeadChange("L1", "mood", "happy")])


def test_announcing_nothing_needs_no_site():
	lead_events.announce([])  # returns before reaching Frappe


def test_each_listener_is_called_once_with_every_kind_it_listens_to():
	changes = [
		LeadChange("L1", BAND, "Hot", "Warm"),
		LeadChange("L1", SCORE, 70.0, 50.0),
		LeadChange("L1", QUALIFICATION, "Qualified", "In Process"),
	]
	listeners = {
		BAND: ["log", "clock"],
		QUALIFICATION: ["log", "nurture"],
		SCORE: ["promotion"],
	}
	assert lead_events.calls(changes, listeners) == [
		("log", [changes[0], changes[2]]),
		("clock", [changes[0]]),
		("promotion", [changes[1]]),
		("nurture", [changes[2]]),
	]


def test_a_listener_of_kinds_absent_is_not_called():
	changes = [LeadChange("L1", SCORE, 70.0, 50.0)]
	assert lead_events.calls(changes, {BAND: ["log"], SCORE: ["promotion"]}) == [("promotion", changes)]
