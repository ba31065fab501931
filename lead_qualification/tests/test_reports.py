"""The managers' reports on a known data set, with the expected figures worked out by hand.

Five leads of a source made for the test:
	L1  Hot  (70)  prospect, customer with a submitted Sales Invoice of 1,000
	L2  Hot  (70)  prospect, customer without revenue, a submitted Quotation
	L3  Warm (30)  In Process, an Opportunity
	L4  Warm (30)  In Process
	L5  Cold (0)   Unqualified
"""

import frappe
from frappe.utils import add_days, nowdate

from lead_qualification.lead_qualification.report.qualification_funnel import qualification_funnel
from lead_qualification.lead_qualification.report.score_calibration import score_calibration
from lead_qualification.lead_qualification.report.time_in_status import time_in_status
from lead_qualification.lead_scoring import scoring
from lead_qualification.tests.test_gates import company, item_code, quotation
from lead_qualification.tests.utils import (
	COMPLETE_BANT,
	LeadQualificationTestCase,
	make_lead,
	reset_settings,
	use_rules,
)


def make_customer_for(lead):
	from erpnext.crm.doctype.lead.lead import make_customer

	customer = make_customer(lead.name)
	customer.customer_group = frappe.db.get_value("Customer Group", {"is_group": 0})
	customer.territory = frappe.db.get_value("Territory", {"is_group": 0})
	customer.insert()
	return customer.name


def invoice(customer: str, amount: float):
	comp = company()
	si = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"customer": customer,
			"company": comp,
			"currency": frappe.db.get_value("Company", comp, "default_currency"),
			"conversion_rate": 1,
			"posting_date": nowdate(),
			"due_date": add_days(nowdate(), 30),
			"items": [{"item_code": item_code(), "qty": 1, "rate": amount}],
		}
	)
	si.insert()
	si.submit()
	return si


class TestReports(LeadQualificationTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		reset_settings()
		use_rules(
			{"field_name": "bant_need", "operator": "is set", "points": 30},
			{"field_name": "bant_budget_status", "operator": "equals", "value": "Confirmed", "points": 40},
		)
		cls.source = (
			frappe.get_doc(
				{"doctype": "Lead Source", "source_name": f"LQ Report {frappe.generate_hash(length=6)}"}
			)
			.insert()
			.name
		)
		src = {"source": cls.source}
		cls.l1 = make_lead(**src, bant_need="Roof")
		cls.l1.update(COMPLETE_BANT)
		cls.l1.save()
		cls.l2 = make_lead(**src, **COMPLETE_BANT)
		cls.l3 = make_lead(**src, bant_need="Windows")
		cls.l4 = make_lead(**src, bant_need="Doors")
		cls.l5 = make_lead(**src)
		invoice(make_customer_for(cls.l1), 1000)
		make_customer_for(cls.l2)
		q = quotation(cls.l2.name).insert()
		q.submit()
		frappe.get_doc(
			{
				"doctype": "Opportunity",
				"opportunity_from": "Lead",
				"party_name": cls.l3.name,
				"company": company(),
			}
		).insert()

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		scoring.clear_rules_cache()
		super().tearDownClass()

	def test_the_data_set_is_as_described(self):
		bands = [
			frappe.db.get_value("Lead", lead.name, ["lq_score", "lq_score_band", "qualification_status"])
			for lead in (self.l1, self.l2, self.l3, self.l4, self.l5)
		]
		self.assertEqual(
			bands,
			[
				(70, "Hot", "Qualified"),
				(70, "Hot", "Qualified"),
				(30, "Warm", "In Process"),
				(30, "Warm", "In Process"),
				(0, "Cold", "Unqualified"),
			],
		)

	def test_funnel(self):
		columns, data, _, chart = qualification_funnel.execute({"group_by": "Source", "source": self.source})
		self.assertEqual(len(data), 1)
		row = data[0]
		self.assertEqual(row["group"], self.source)
		self.assertEqual(
			[row[k] for k in ("leads", "prospects", "opportunities", "quotations", "customers")],
			[5, 2, 1, 1, 2],
		)
		self.assertEqual(
			[row[k] for k in ("prospect_rate", "opportunity_rate", "quotation_rate", "customer_rate")],
			[40.0, 20.0, 20.0, 40.0],
		)
		self.assertEqual(chart["data"]["datasets"][0]["values"], [5, 2, 1, 1, 2])

	def test_funnel_by_period(self):
		columns, data, *_ = qualification_funnel.execute({"period": "Monthly", "source": self.source})
		self.assertEqual([(r["group"], r["leads"]) for r in data], [(nowdate()[:7], 5)])

	def test_score_calibration(self):
		columns, data, message, chart = score_calibration.execute({"source": self.source})
		by_band = {r["band"]: r for r in data}
		self.assertEqual(
			[
				(
					b,
					by_band[b]["leads"],
					by_band[b]["prospects"],
					by_band[b]["customers"],
					by_band[b]["buyers"],
				)
				for b in ("Hot", "Warm", "Cold")
			],
			[("Hot", 2, 2, 2, 1), ("Warm", 2, 0, 0, 0), ("Cold", 1, 0, 0, 0)],
		)
		self.assertEqual(by_band["Hot"]["revenue"], 1000)
		self.assertEqual(by_band["Hot"]["revenue_per_lead"], 500)
		self.assertEqual(by_band["Hot"]["customer_rate"], 100.0)
		# buyers: L1 only (70); non-buyers 70, 30, 30, 0 -> threshold 70 keeps 100% of buyers, 25% of others
		self.assertIn("<strong>70", message)
		self.assertIn("100.0%", message)
		self.assertIn("25.0%", message)

	def test_time_in_status(self):
		columns, data = time_in_status.execute({"lead": self.l1.name})
		statuses = [(r["kind"], r["value"]) for r in data]
		self.assertEqual(
			statuses,
			[
				("Band", "Warm"),
				("Band", "Hot"),
				("Qualification Status", "In Process"),
				("Qualification Status", "Qualified"),
			],
		)
		in_process = data[2]
		self.assertIsNotNone(in_process["to"])
		self.assertGreaterEqual(in_process["days"], 0)
		self.assertEqual(in_process["changed_by"], "Administrator")
		self.assertIsNone(data[3]["to"])

	def test_workspace_and_cards(self):
		workspace = frappe.get_doc("Workspace", "Lead Qualification")
		self.assertEqual(
			len(workspace.number_cards), 6
		)  # 4 + the clock's Hot Leads Waiting + Overdue Follow-ups
		self.assertEqual(len(workspace.charts), 2)
		from frappe.desk.doctype.number_card.number_card import get_result

		card = frappe.get_doc("Number Card", "Hot Leads")
		hot = get_result(card.as_dict(), card.filters_json)  # the desk sends the card's filters
		self.assertEqual(
			hot,
			frappe.db.count("Lead", {"lq_score_band": "Hot", "qualification_status": ("!=", "Qualified")}),
		)
		from lead_qualification.lead_qualification.dashboard import lead_to_prospect_rate

		self.assertEqual(lead_to_prospect_rate()["fieldtype"], "Percent")
