# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

import frappe

from lead_qualification.lead_scoring.scoring import ScoringRuleError, clear_rules_cache
from lead_qualification.tests.utils import LeadQualificationTestCase, make_user


def rule(**values):
	return frappe.get_doc(
		{
			"doctype": "Lead Scoring Rule",
			"rule_name": f"Rule {frappe.generate_hash(length=6)}",
			"dimension": "Fit",
			"category": "Demographic",
			"condition_type": "Lead Field",
			"points": 5,
			**values,
		}
	)


class TestLeadScoringRule(LeadQualificationTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		frappe.flags.lq_skip_rescore = True

	def tearDown(self):
		frappe.flags.lq_skip_rescore = False
		frappe.set_user("Administrator")
		clear_rules_cache()

	def assertRefused(self, doc, *fragments):
		with self.assertRaises(ScoringRuleError) as cm:
			doc.insert()
		for fragment in fragments:
			self.assertIn(fragment, str(cm.exception))
		self.assertFalse(frappe.db.exists("Lead Scoring Rule", doc.rule_name))

	def test_unknown_field_is_refused(self):
		self.assertRefused(rule(field_name="shoe_size", operator="is set"), "shoe_size")

	def test_operator_must_fit_the_field_type(self):
		self.assertRefused(rule(field_name="bant_budget_amount", operator="contains", value="1"), "contains")
		self.assertRefused(rule(field_name="email_id", operator="greater than", value="a"), "greater than")

	def test_unparsable_value_is_refused(self):
		self.assertRefused(
			rule(field_name="bant_budget_amount", operator="greater than", value="a lot"), "a lot"
		)
		self.assertRefused(rule(field_name="bant_expected_start", operator="less than", value="soon"), "soon")

	def test_decay_only_on_engagement(self):
		self.assertRefused(rule(field_name="email_id", operator="is set", half_life_days=7), "Engagement")

	def test_valid_rules_save(self):
		rule(field_name="bant_budget_amount", operator="between", value="1000", value_to="5000").insert()
		rule(
			dimension="Engagement",
			category="Engagement",
			condition_type="Activity",
			activity_type="Page Viewed",
			min_count=3,
			window_days=30,
			points=-2,
			cap=10,
			half_life_days=14,
		).insert()

	def test_sales_user_can_read_but_not_edit_rules(self):
		make_user("lq-rules-sales@example.com", ["Sales User"])
		frappe.set_user("lq-rules-sales@example.com")
		self.assertTrue(frappe.has_permission("Lead Scoring Rule", "read"))
		with self.assertRaises(frappe.PermissionError):
			rule(field_name="email_id", operator="is set").insert()
		existing = frappe.get_all("Lead Scoring Rule", limit=1, pluck="name")
		if existing:
			doc = frappe.get_doc("Lead Scoring Rule", existing[0])
			doc.points = 99
			with self.assertRaises(frappe.PermissionError):
				doc.save()

	def test_sales_manager_can_edit_rules(self):
		make_user("lq-rules-manager@example.com", ["Sales Manager"])
		frappe.set_user("lq-rules-manager@example.com")
		rule(field_name="email_id", operator="is set").insert()
