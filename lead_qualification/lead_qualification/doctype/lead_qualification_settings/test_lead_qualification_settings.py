# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

import frappe

from lead_qualification.tests.utils import LeadQualificationTestCase, reset_settings, set_settings


class TestLeadQualificationSettings(LeadQualificationTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		reset_settings()

	def test_installed_defaults(self):
		settings = frappe.get_single("Lead Qualification Settings")
		self.assertEqual(
			(settings.enabled, settings.auto_promote, settings.link_prospect),
			(1, 1, 1),
		)

	def test_at_least_one_criterion_is_required(self):
		with self.assertRaises(frappe.ValidationError) as cm:
			set_settings(require_budget=0, require_authority=0, require_need=0, require_timing=0)
		self.assertIn("at least one BANT criterion", str(cm.exception))

	def test_one_criterion_is_enough(self):
		set_settings(require_budget=0, require_authority=0, require_need=0, require_timing=1)
		self.assertEqual(frappe.db.get_single_value("Lead Qualification Settings", "require_timing"), 1)
