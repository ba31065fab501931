"""Routing by maturity (Lead Response) on Frappe's Assignment Rule: the settings keep one
rule per stage; a lead is assigned by its band, re-routed when the band changes, manual
assignments stay unless the manager opts in; every automatic (re)assignment shows on the
lead's timeline (Frappe's own entries)."""

import frappe
from frappe.desk.form import assign_to

from lead_qualification.lead_scoring import scoring
from lead_qualification.tests.response_utils import (
	announce,
	forget_cached_rules,
	make_sales_user,
	notifications,
	reset_routing_settings,
	set_routing_settings,
)
from lead_qualification.tests.utils import LeadQualificationTestCase, make_lead, reset_settings, use_rules

JUNIOR_1 = "lq-route-junior1@example.com"
JUNIOR_2 = "lq-route-junior2@example.com"
SENIOR_1 = "lq-route-senior1@example.com"
SENIOR_2 = "lq-route-senior2@example.com"
BOSS_PICK = "lq-route-pick@example.com"


def users(*emails):
	return [{"user": e} for e in emails]


def open_todos(lead: str) -> list:
	return frappe.get_all(
		"ToDo",
		filters={"reference_type": "Lead", "reference_name": lead, "status": "Open"},
		fields=["allocated_to", "assignment_rule"],
		order_by="creation asc",
	)


def timeline(lead: str, comment_type: str) -> list[str]:
	return frappe.get_all(
		"Comment",
		filters={"reference_doctype": "Lead", "reference_name": lead, "comment_type": comment_type},
		pluck="content",
		order_by="creation asc",
	)


class RoutingTestCase(LeadQualificationTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		frappe.flags.mute_emails = True
		reset_settings()
		for user in (JUNIOR_1, JUNIOR_2, SENIOR_1, SENIOR_2, BOSS_PICK):
			make_sales_user(user, language="en")
		reset_routing_settings()
		set_routing_settings(
			enable_routing=1,
			enable_alerts=0,
			hot_users=users(SENIOR_1, SENIOR_2),
			hot_rule_type="Load Balancing",
			prospect_users=users(SENIOR_1),
			warm_users=users(JUNIOR_1, JUNIOR_2),
			warm_rule_type="Round Robin",
		)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		frappe.flags.mute_emails = False
		forget_cached_rules()

	def lead(self, band="Warm", **values):
		"""A lead in this band (written directly: the test is about routing, not scoring);
		assigned by Frappe's own Assignment Rule hook when its save ran."""
		doc = make_lead(first_name=values.pop("first_name", "Routing Test"), email_id="", **values)
		frappe.db.set_value("Lead", doc.name, "lq_score_band", band)
		return doc.name

	def change_band(self, lead, band, previous, bulk=False):
		frappe.db.set_value("Lead", lead, "lq_score_band", band)
		announce((lead, "band", band, previous), bulk=bulk)


class TestRulesFromSettings(RoutingTestCase):
	def test_settings_keep_one_assignment_rule_per_stage_with_users(self):
		settings = frappe.get_single("Lead Routing Settings")
		self.assertEqual(settings.hot_assignment_rule, "Lead Routing - Hot")
		hot = frappe.get_doc("Assignment Rule", "Lead Routing - Hot")
		self.assertEqual(hot.document_type, "Lead")
		self.assertEqual(hot.rule, "Load Balancing")
		self.assertEqual([u.user for u in hot.users], [SENIOR_1, SENIOR_2])
		self.assertIn('lq_score_band == "Hot"', hot.assign_condition)
		self.assertFalse(hot.disabled)
		self.assertEqual(frappe.get_doc("Assignment Rule", "Lead Routing - Warm").rule, "Round Robin")
		# no users: no routing for cold leads (no rule, or a disabled one left from before)
		cold = settings.cold_assignment_rule
		self.assertTrue(not cold or frappe.db.get_value("Assignment Rule", cold, "disabled"))

		# a manager's edit of the condition in the Assignment Rule form survives a settings save
		frappe.db.set_value(
			"Assignment Rule", "Lead Routing - Hot", "assign_condition", 'lq_score_band == "Hot"'
		)
		set_routing_settings(hot_users=users(SENIOR_2))
		hot.reload()
		self.assertEqual(hot.assign_condition, 'lq_score_band == "Hot"')
		self.assertEqual([u.user for u in hot.users], [SENIOR_2])

		set_routing_settings(enable_routing=0)
		self.assertTrue(frappe.db.get_value("Assignment Rule", "Lead Routing - Hot", "disabled"))


class TestRouting(RoutingTestCase):
	def test_a_band_change_routes_through_the_rule_and_shows_on_the_timeline(self):
		lead = self.lead("Warm")
		self.change_band(lead, "Warm", "")
		todos = open_todos(lead)
		self.assertEqual([t.assignment_rule for t in todos], ["Lead Routing - Warm"])
		self.assertIn(todos[0].allocated_to, (JUNIOR_1, JUNIOR_2))

		self.change_band(lead, "Hot", "Warm")
		todos = open_todos(lead)
		self.assertEqual([t.assignment_rule for t in todos], ["Lead Routing - Hot"])
		self.assertIn(todos[0].allocated_to, (SENIOR_1, SENIOR_2))
		# Frappe's own timeline entries: assigned (twice, with the rule's description), removed once
		assigned = timeline(lead, "Assigned")
		self.assertEqual(len(assigned), 2)
		self.assertIn("Routing by maturity", assigned[-1])
		self.assertEqual(len(timeline(lead, "Assignment Completed")), 1)
		# the senior heard about it through Frappe's assignment notification
		self.assertTrue(notifications(todos[0].allocated_to, type="Assignment", document_name=lead))

		# the same change announced again: nothing moves
		self.change_band(lead, "Hot", "Warm")
		self.assertEqual(len(timeline(lead, "Assigned")), 2)

	def test_round_robin_alternates_and_load_balancing_picks_the_least_loaded(self):
		warm = [self.lead("Warm") for _ in range(4)]
		for lead in warm:
			self.change_band(lead, "Warm", "Cold")
		picked = [open_todos(lead)[0].allocated_to for lead in warm]
		self.assertEqual(picked[0::2], [picked[0]] * 2)
		self.assertEqual(set(picked), {JUNIOR_1, JUNIOR_2})

		# SENIOR_1 already has two open leads to work: the next hot lead goes to SENIOR_2
		for _ in range(2):
			assign_to.add({"assign_to": [SENIOR_1], "doctype": "Lead", "name": self.lead("Cold")})
		hot = self.lead("Warm")
		self.change_band(hot, "Hot", "Warm")
		self.assertEqual(open_todos(hot)[0].allocated_to, SENIOR_2)

	def test_a_prospect_goes_to_the_prospect_users_whatever_its_band(self):
		lead = self.lead("Cold")
		frappe.db.set_value("Lead", lead, "qualification_status", "Qualified")
		announce((lead, "qualification_status", "Qualified", "In Process"))
		self.assertEqual(
			[(t.allocated_to, t.assignment_rule) for t in open_todos(lead)],
			[(SENIOR_1, "Lead Routing - Prospect")],
		)

	def test_a_stage_without_users_withdraws_routings_assignment(self):
		lead = self.lead("Warm")
		self.change_band(lead, "Warm", "")
		self.change_band(lead, "Cold", "Warm")
		self.assertEqual(open_todos(lead), [])

	def test_a_manual_assignment_stays_unless_the_manager_opts_in(self):
		lead = self.lead("Warm")
		for todo in frappe.get_all("ToDo", filters={"reference_name": lead}, pluck="name"):
			frappe.delete_doc("ToDo", todo, ignore_permissions=True)
		assign_to.add({"assign_to": [BOSS_PICK], "doctype": "Lead", "name": lead})
		self.change_band(lead, "Hot", "Warm")
		self.assertEqual([(t.allocated_to, t.assignment_rule) for t in open_todos(lead)], [(BOSS_PICK, None)])

		set_routing_settings(reroute_manual=1)
		self.change_band(lead, "Warm", "Hot")
		todos = open_todos(lead)
		self.assertEqual([t.assignment_rule for t in todos], ["Lead Routing - Warm"])
		self.assertNotIn(BOSS_PICK, [t.allocated_to for t in todos])

	def test_routing_off_leaves_leads_alone(self):
		set_routing_settings(enable_routing=0)
		lead = self.lead("Warm")
		self.change_band(lead, "Hot", "Warm")
		self.assertEqual(open_todos(lead), [])

	def test_a_bulk_run_routes_quietly_and_sends_one_digest_per_assignee(self):
		leads = [self.lead("Warm") for _ in range(6)]
		frappe.db.sql(
			"update `tabToDo` set status = 'Cancelled' where reference_name in %(l)s", {"l": tuple(leads)}
		)
		frappe.db.set_value("Lead", {"name": ("in", leads)}, "lq_score_band", "Hot")
		announce(*[(lead, "band", "Hot", "Warm") for lead in leads], bulk=True)
		todos = [open_todos(lead) for lead in leads]
		self.assertTrue(all(len(t) == 1 and t[0].assignment_rule == "Lead Routing - Hot" for t in todos))
		per_senior = {s: sum(1 for t in todos if t[0].allocated_to == s) for s in (SENIOR_1, SENIOR_2)}
		# load balancing counts the run's own assignments: three each
		self.assertEqual(sorted(per_senior.values()), [3, 3])
		for lead, todo in zip(leads, todos, strict=True):
			self.assertEqual(frappe.db.get_value("Lead", lead, "_assign"), f'["{todo[0].allocated_to}"]')
		for senior, count in per_senior.items():
			# no notification per lead; one digest
			self.assertFalse(notifications(senior, document_name=("in", leads)))
			digests = notifications(senior, subject=("like", "%routed to you%"))
			self.assertEqual(
				[d.subject for d in digests], [f"{count} leads were routed to you"] if count else []
			)
		# the timeline still records each assignment
		self.assertTrue(all(timeline(lead, "Assigned") for lead in leads))


class TestThroughTheApp(RoutingTestCase):
	"""The band changes come from scoring: a Lead save, a re-score outside a save."""

	def setUp(self):
		super().setUp()
		use_rules(
			{
				"rule_name": "T routing budget",
				"field_name": "bant_budget_status",
				"operator": "in list",
				"value": "Confirmed\nFinanced",
				"points": 70,
			}
		)

	def tearDown(self):
		super().tearDown()
		scoring.clear_rules_cache()

	def test_a_lead_saved_hot_goes_to_a_senior_and_follows_its_band(self):
		lead = make_lead(first_name="Routed", email_id="", bant_budget_status="Confirmed")
		self.assertEqual(lead.lq_score_band, "Hot")
		todos = open_todos(lead.name)
		self.assertEqual([t.assignment_rule for t in todos], ["Lead Routing - Hot"])
		self.assertIn(todos[0].allocated_to, (SENIOR_1, SENIOR_2))
		self.assertEqual(len(timeline(lead.name, "Assigned")), 1)

		# a re-score outside a save (a rule edited): Warm, so a junior
		frappe.db.set_value("Lead Scoring Rule", "T routing budget", "points", 30)
		scoring.clear_rules_cache()
		scoring.rescore_leads([lead.name])
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "lq_score_band"), "Warm")
		todos = open_todos(lead.name)
		self.assertEqual([t.assignment_rule for t in todos], ["Lead Routing - Warm"])
		self.assertIn(todos[0].allocated_to, (JUNIOR_1, JUNIOR_2))

		# saved Cold: no routing for cold leads, routing's assignment is withdrawn
		lead.reload()
		lead.bant_budget_status = "Unknown"
		lead.save()
		self.assertEqual(lead.lq_score_band, "Cold")
		self.assertEqual(open_todos(lead.name), [])
		self.assertEqual(len(timeline(lead.name, "Assignment Completed")), 2)
