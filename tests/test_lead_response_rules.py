"""Who hears about a lead's change and what routing does: the pure rules."""

from lead_qualification.lead_events import BAND, QUALIFICATION, REPLY, LeadChange
from lead_qualification.lead_response import rules
from lead_qualification.lead_response.rules import (
	ASSIGN,
	BECAME_PROSPECT,
	HOT_LEAD_REPLIED,
	KEEP,
	TURNED_HOT,
	UNASSIGN,
	Assignment,
)

ALL = rules.ALERTS


def test_entering_hot_is_a_transition_and_leaving_it_releases_the_key():
	found, released = rules.transitions(
		[LeadChange("L1", BAND, "Hot", "Warm"), LeadChange("L2", BAND, "Warm", "Hot")], ALL
	)
	assert [(t.lead, t.alert) for t in found] == [("L1", TURNED_HOT)]
	assert released == [rules.open_key(TURNED_HOT, "L2")]


def test_a_change_within_hot_or_between_cold_and_warm_is_no_alert():
	found, released = rules.transitions(
		[LeadChange("L1", BAND, "Hot", "Hot"), LeadChange("L2", BAND, "Warm", "Cold")], ALL
	)
	assert found == [] and released == []


def test_the_same_transition_twice_in_one_announcement_is_one_alert():
	found, _ = rules.transitions([LeadChange("L1", BAND, "Hot", "Warm")] * 2, ALL)
	assert len(found) == 1


def test_becoming_a_prospect_and_withdrawal():
	found, released = rules.transitions(
		[
			LeadChange("L1", QUALIFICATION, "Qualified", "In Process"),
			LeadChange("L2", QUALIFICATION, "In Process", "Qualified"),
		],
		ALL,
	)
	assert [(t.lead, t.alert) for t in found] == [("L1", BECAME_PROSPECT)]
	assert released == [rules.open_key(BECAME_PROSPECT, "L2")]


def test_a_reply_alerts_only_for_a_hot_lead_and_once_per_message():
	changes = [LeadChange("L1", REPLY, "COMM-1"), LeadChange("L2", REPLY, "COMM-2")]
	found, _ = rules.transitions(changes, ALL, hot_leads={"L1"})
	assert [(t.lead, t.alert, t.reference) for t in found] == [("L1", HOT_LEAD_REPLIED, "COMM-1")]
	other, _ = rules.transitions([LeadChange("L1", REPLY, "COMM-3")], ALL, hot_leads={"L1"})
	assert other[0].key != found[0].key


def test_an_alert_switched_off_is_not_sent_but_still_releases():
	found, released = rules.transitions(
		[LeadChange("L1", BAND, "Hot", "Warm"), LeadChange("L2", BAND, "Cold", "Hot")], [BECAME_PROSPECT]
	)
	assert found == [] and released == [rules.open_key(TURNED_HOT, "L2")]


def test_recipients_owner_else_fallback_role():
	out = rules.recipients(["L1", "L2", "L3"], {"L1": "ann", "L2": None, "L3": "ann"}, ["mgr1", "mgr2"])
	assert out == {"ann": ["L1", "L3"], "mgr1": ["L2"], "mgr2": ["L2"]}
	assert rules.recipients_of("L1", {"L1": "ann"}, ["mgr1"]) == ["ann"]
	assert rules.recipients_of("L2", {"L2": None}, ["mgr1", "mgr2"]) == ["mgr1", "mgr2"]


def test_stage_prospect_wins_over_band():
	assert rules.stage("Cold", "Qualified") == "Prospect"
	assert rules.stage("Hot", "In Process") == "Hot"
	assert rules.stage(None, None) is None


OURS = ["Lead Routing - Hot", "Lead Routing - Warm"]


def test_routing_assigns_an_unassigned_lead():
	assert rules.routing_decision("Lead Routing - Hot", [], OURS, False) == ASSIGN


def test_routing_moves_its_own_assignment_to_the_new_band():
	current = [Assignment("T1", "junior", "Lead Routing - Warm")]
	assert rules.routing_decision("Lead Routing - Hot", current, OURS, False) == ASSIGN
	assert rules.routing_decision("Lead Routing - Warm", current, OURS, False) == KEEP


def test_routing_keeps_a_manual_assignment_unless_opted_in():
	manual = [Assignment("T1", "boss-pick", None)]
	assert rules.routing_decision("Lead Routing - Hot", manual, OURS, False) == KEEP
	assert rules.routing_decision("Lead Routing - Hot", manual, OURS, True) == ASSIGN
	mixed = [*manual, Assignment("T2", "junior", "Lead Routing - Warm")]
	assert rules.routing_decision("Lead Routing - Hot", mixed, OURS, False) == KEEP


def test_routing_leaves_another_rules_assignment_alone():
	theirs = [Assignment("T1", "territory-rep", "Territory Lyon")]
	assert rules.routing_decision("Lead Routing - Hot", theirs, OURS, False) == KEEP


def test_no_routing_for_the_new_stage_withdraws_only_routings_own():
	assert (
		rules.routing_decision(None, [Assignment("T1", "junior", "Lead Routing - Warm")], OURS, False)
		== UNASSIGN
	)
	assert rules.routing_decision(None, [Assignment("T1", "pick", None)], OURS, True) == KEEP
	assert rules.routing_decision(None, [], OURS, False) == KEEP
