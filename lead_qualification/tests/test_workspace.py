"""The Lead Qualification workspace as Frappe builds it for a Sales Manager, and its charts
in the user's language."""

import json

import frappe
from frappe.desk.desktop import get_desktop_page
from frappe.translate import get_all_translations

from lead_qualification.lead_qualification.dashboard import (
	lead_temperature,
	lead_to_prospect_rate,
	qualification_funnel,
)
from lead_qualification.tests.utils import (
	COMPLETE_BANT,
	LeadQualificationTestCase,
	make_lead,
	make_user,
	reset_settings,
)

MANAGER = "lq-workspace-manager@example.com"
PAGE = json.dumps({"name": "Lead Qualification", "title": "Lead Qualification", "public": 1})


class TestWorkspace(LeadQualificationTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		reset_settings()
		make_user(MANAGER, ["Sales Manager"])
		make_lead(**COMPLETE_BANT)
		make_lead(bant_need="A new shop front")
		make_lead()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.lang = "en"

	def test_sales_manager_sees_every_card_and_chart(self):
		frappe.set_user(MANAGER)
		page = get_desktop_page(PAGE)
		cards = [c.number_card_name for c in page["number_cards"]["items"]]
		charts = [c.chart_name for c in page["charts"]["items"]]
		# Frappe drops a Custom card whose document type the user cannot read (it had none).
		self.assertEqual(
			sorted(cards),
			[
				"Hot Leads",
				"Hot Leads Waiting for a First Response",
				"Lead to Prospect Rate",
				"Leads to Qualify",
				"Overdue Follow-ups",
				"Prospects This Month",
			],
		)
		self.assertEqual(sorted(charts), ["Lead Score Distribution", "Qualification Funnel by Status"])
		for chart in charts:
			self.assertTrue(frappe.get_doc("Dashboard Chart", chart).has_permission("read"))
		rate = lead_to_prospect_rate()
		self.assertEqual((rate["fieldtype"], rate["precision"]), ("Percent", 1))

	def test_charts_speak_the_users_language(self):
		frappe.set_user(MANAGER)
		frappe.local.lang = "fr"
		bands = lead_temperature()
		funnel = qualification_funnel()
		self.assertEqual(bands["labels"], ["Chaud", "Tiède", "Froid"])
		self.assertEqual(funnel["labels"], ["Non qualifiée", "En cours", "Qualifiée"])
		frappe.local.lang = "en"
		self.assertEqual(lead_temperature()["labels"], ["Hot", "Warm", "Cold"])
		self.assertEqual(qualification_funnel()["labels"], ["Unqualified", "In Process", "Qualified"])

		# The figures are the leads of each band and status; a lead not scored yet counts as Cold.
		def count(field, value):
			return frappe.db.count("Lead", {field: value})

		unscored = frappe.db.count("Lead", {"lq_score_band": ("in", ("", None))})
		self.assertEqual(
			bands["datasets"][0]["values"],
			[
				count("lq_score_band", "Hot"),
				count("lq_score_band", "Warm"),
				count("lq_score_band", "Cold") + unscored,
			],
		)
		self.assertEqual(sum(funnel["datasets"][0]["values"]), frappe.db.count("Lead"))
		self.assertEqual(funnel["datasets"][0]["values"][2], count("qualification_status", "Qualified"))
		self.assertGreater(funnel["datasets"][0]["values"][2], 0)

	def test_shortcut_badges_and_band_label_in_french(self):
		fr = get_all_translations("fr")
		# The desk renders a shortcut's count with __(format).replace("{}", count).
		self.assertEqual(fr["{} to qualify"], "{} à qualifier")
		self.assertEqual(fr["{} hot"], "{} chaudes")
		self.assertEqual(fr["Band"], "Température")
