"""The BANT fields and actions through the REST API, as a real HTTP client sees them.

Requests run through Frappe's WSGI application in another thread with its own database
connection, so the records they read are committed here and removed afterwards.
"""

import frappe
from frappe.utils import get_test_client

from lead_qualification.tests.utils import (
	COMPLETE_BANT,
	LeadQualificationTestCase,
	api_token,
	http,
	make_user,
	reset_settings,
)

SALES = "lq-rest-sales@example.com"
OUTSIDER = "lq-rest-outsider@example.com"


class TestRestPermissions(LeadQualificationTestCase):
	client = get_test_client()

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		reset_settings()
		make_user(SALES, ["Sales User"])
		make_user(OUTSIDER, [], user_type="Website User")
		cls.tokens = {SALES: api_token(SALES), OUTSIDER: api_token(OUTSIDER)}
		cls.lead = frappe.get_doc(
			{
				"doctype": "Lead",
				"first_name": "REST",
				"email_id": f"lq-rest-{frappe.generate_hash(length=6)}@example.com",
				"bant_need": "Insulation",
				"bant_urgency": "Winter",
			}
		).insert()
		from lead_qualification.tests.test_gates import item_code

		item_code()
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		frappe.db.delete("Lead Activity", {"lead": cls.lead.name})
		frappe.db.delete("Lead Score Entry", {"lead": cls.lead.name})
		for comment in frappe.get_all(
			"Comment", {"reference_doctype": "Lead", "reference_name": cls.lead.name}
		):
			frappe.delete_doc("Comment", comment.name, force=True)
		frappe.delete_doc("Lead", cls.lead.name, force=True)
		for user in (SALES, OUTSIDER):
			frappe.delete_doc("User", user, force=True)
		frappe.db.commit()
		super().tearDownClass()

	def request(self, verb: str, path: str, user: str | None = None, data: dict | None = None):
		headers = {"Authorization": self.tokens[user]} if user else {}
		extra = {} if data is None else {"json": data}
		return http(self.client, verb, path, headers, **extra)

	def stored(self, fieldname):
		frappe.db.rollback()  # see what the other connection committed
		return frappe.db.get_value("Lead", self.lead.name, fieldname)

	def test_outsider_cannot_read_the_fields(self):
		response = self.request("get", f"/api/resource/Lead/{self.lead.name}", OUTSIDER)
		self.assertEqual(response.status_code, 403)
		self.assertNotIn("Insulation", response.get_data(as_text=True))

	def test_outsider_cannot_write_the_fields(self):
		response = self.request(
			"put", f"/api/resource/Lead/{self.lead.name}", OUTSIDER, {"bant_budget_status": "Financed"}
		)
		self.assertEqual(response.status_code, 403)
		self.assertEqual(self.stored("bant_budget_status"), "Unknown")

	def test_outsider_cannot_promote(self):
		response = self.request(
			"post",
			"/api/method/lead_qualification.lead_qualification.api.promote",
			OUTSIDER,
			{"lead": self.lead.name},
		)
		self.assertEqual(response.status_code, 403)
		self.assertEqual(self.stored("qualification_status"), "In Process")

	def test_guest_cannot_read(self):
		response = self.request("get", f"/api/resource/Lead/{self.lead.name}")
		self.assertEqual(response.status_code, 403)

	def test_sales_user_reads_and_writes_bant_through_rest(self):
		response = self.request("get", f"/api/resource/Lead/{self.lead.name}", SALES)
		self.assertEqual(response.status_code, 200)
		self.assertEqual(response.json["data"]["bant_need"], "Insulation")
		self.assertEqual(response.json["data"]["bant_completeness"], 1)

		response = self.request(
			"put",
			f"/api/resource/Lead/{self.lead.name}",
			SALES,
			{"bant_budget_amount": 4000, "bant_budget_status": "Estimated"},
		)
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
		self.assertEqual(response.json["data"]["bant_completeness"], 2)
		self.assertEqual(self.stored("bant_budget_met"), 1)

	def test_rest_refuses_a_negative_budget_with_a_clear_message(self):
		response = self.request(
			"put", f"/api/resource/Lead/{self.lead.name}", SALES, {"bant_budget_amount": -1}
		)
		self.assertEqual(response.status_code, 417)
		self.assertIn("cannot be negative", response.get_data(as_text=True))
		self.assertGreaterEqual(self.stored("bant_budget_amount"), 0)

	def test_rest_refuses_promotion_of_an_incomplete_lead(self):
		response = self.request(
			"post",
			"/api/method/lead_qualification.lead_qualification.api.promote",
			SALES,
			{"lead": self.lead.name},
		)
		self.assertEqual(response.status_code, 417)
		self.assertIn("cannot be promoted to prospect yet", response.get_data(as_text=True))
		self.assertNotEqual(self.stored("qualification_status"), "Qualified")

	def test_guest_cannot_push_events(self):
		response = self.request(
			"post",
			"/api/method/lead_qualification.lead_scoring.api.push_event",
			None,
			{"event_type": "Page Viewed", "lead": self.lead.name},
		)
		self.assertEqual(response.status_code, 403)
		self.assertEqual(self.activities(), 0)

	def test_outsider_cannot_push_events(self):
		response = self.request(
			"post",
			"/api/method/lead_qualification.lead_scoring.api.push_event",
			OUTSIDER,
			{"event_type": "Page Viewed", "lead": self.lead.name},
		)
		self.assertEqual(response.status_code, 403)
		self.assertEqual(self.activities(), 0)

	def test_malformed_event_is_refused_over_rest_and_nothing_is_written(self):
		response = self.request(
			"post",
			"/api/method/lead_qualification.lead_scoring.api.push_event",
			SALES,
			{"event_type": "Page Viewed", "lead": self.lead.name, "occurred_at": "not a date"},
		)
		self.assertEqual(response.status_code, 417)
		self.assertIn("occurred_at", response.get_data(as_text=True))
		self.assertEqual(self.activities(), 0)

	def test_quotation_for_an_unqualified_lead_is_refused_over_rest(self):
		from lead_qualification.tests.test_gates import quotation_dict

		body = quotation_dict(self.lead.name)
		body.pop("doctype")
		response = self.request("post", "/api/resource/Quotation", SALES, body)
		self.assertEqual(response.status_code, 417, response.get_data(as_text=True))
		self.assertIn("not a prospect yet", response.get_data(as_text=True))
		frappe.db.rollback()
		self.assertFalse(frappe.db.exists("Quotation", {"party_name": self.lead.name}))

	def activities(self) -> int:
		frappe.db.rollback()
		return frappe.db.count("Lead Activity", {"lead": self.lead.name})

	def test_complete_bant_constant_is_complete(self):
		# guards the fixture used across the suite
		from lead_qualification.lead_qualification.bant import assess_values

		self.assertEqual(assess_values(COMPLETE_BANT).completeness, 4)
