"""Every way a Sales User could get a Quotation to an unqualified lead onto the site, tried over
HTTP against Frappe's WSGI application: each is refused with the gate's message and writes
nothing; once the lead is promoted, the same call goes through.

Requests run in another thread with their own database connection (frappe.tests.test_api's
make_request), so the records they work on are committed here and removed afterwards.
"""

import json

import frappe
from frappe.utils import get_test_client

from lead_qualification.tests.test_gates import PARTIAL_BANT, item_code, make_test_customer, quotation_dict
from lead_qualification.tests.utils import (
	LeadQualificationTestCase,
	api_token,
	http,
	make_user,
	reset_settings,
)

SALES = "lq-attack-sales@example.com"
GATE_MESSAGE = "not a prospect yet"


class TestGateAttacksOverHttp(LeadQualificationTestCase):
	client = get_test_client()

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		reset_settings()
		make_user(SALES, ["Sales User"])
		cls.token = api_token(SALES)
		cls.customer = make_test_customer()
		item_code()
		cls.leads = []
		cls.quotations = []
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		names = set(cls.quotations) | set(
			frappe.get_all("Quotation", {"party_name": ("in", cls.leads or [""])}, pluck="name")
		)
		if names:
			frappe.db.delete("Quotation Item", {"parent": ("in", list(names))})
			frappe.db.delete("Quotation", {"name": ("in", list(names))})
		for lead in cls.leads:
			for doctype in ("Lead Activity", "Lead Score Entry", "Lead Status Log"):
				frappe.db.delete(doctype, {"lead": lead})
			frappe.db.delete("Comment", {"reference_doctype": "Lead", "reference_name": lead})
			frappe.delete_doc("Lead", lead, force=True, ignore_permissions=True)
		frappe.delete_doc("User", SALES, force=True)
		frappe.db.commit()
		super().tearDownClass()

	# ------------------------------------------------------------------ fixtures (committed)
	def new_lead(self, **values) -> str:
		frappe.set_user("Administrator")
		lead = frappe.get_doc(
			{
				"doctype": "Lead",
				"first_name": "Attack",
				"email_id": f"lq-attack-{frappe.generate_hash(length=8)}@example.com",
				**PARTIAL_BANT,
				**values,
			}
		).insert()
		self.leads.append(lead.name)
		frappe.db.commit()
		self.assertNotEqual(lead.qualification_status, "Qualified")
		return lead.name

	def promote(self, lead: str) -> None:
		frappe.set_user("Administrator")
		doc = frappe.get_doc("Lead", lead)
		doc.update({"bant_budget_status": "Confirmed", "bant_authority": "Talking to the Decision Maker"})
		doc.save()
		frappe.db.commit()
		self.assertEqual(doc.qualification_status, "Qualified")

	def demote(self, lead: str) -> None:
		from lead_qualification.lead_qualification import api

		frappe.set_user("Administrator")
		api.demote(lead, "Budget withdrawn")
		frappe.db.commit()

	def customer_quotation(self) -> str:
		frappe.set_user("Administrator")
		doc = frappe.get_doc(quotation_dict(None, quotation_to="Customer", party_name=self.customer))
		doc.insert()
		self.quotations.append(doc.name)
		frappe.db.commit()
		return doc.name

	def draft_of_withdrawn_lead(self, lead: str) -> str:
		"""A draft made while the lead was a prospect; the lead is withdrawn since."""
		self.promote(lead)
		frappe.set_user("Administrator")
		doc = frappe.get_doc(quotation_dict(lead)).insert()
		self.quotations.append(doc.name)
		frappe.db.commit()
		self.demote(lead)
		return doc.name

	# ------------------------------------------------------------------ HTTP
	def call(self, verb: str, path: str, data: dict | None = None):
		extra = {} if data is None else {"json": data}
		return http(self.client, verb, path, {"Authorization": self.token}, **extra)

	def method(self, dotted: str, **data):
		return self.call("post", f"/api/method/{dotted}", data)

	def desk_doc(self, name: str) -> dict:
		"""The document as the desk form loads it."""
		response = self.call("get", f"/api/method/frappe.desk.form.load.getdoc?doctype=Quotation&name={name}")
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
		return response.json["docs"][0]

	def stored(self, name: str) -> dict:
		frappe.db.rollback()  # read what the other connection committed
		return frappe.db.get_value(
			"Quotation", name, ["quotation_to", "party_name", "docstatus"], as_dict=True
		)

	def quotations_for(self, lead: str) -> list[str]:
		frappe.db.rollback()
		return frappe.get_all("Quotation", {"party_name": lead, "quotation_to": "Lead"}, pluck="name")

	# ------------------------------------------------------------------ the ways in
	# Each takes the lead and returns (response, how to tell it was written: a callable -> bool).
	def way_rest_post(self, lead):
		body = quotation_dict(lead)
		body.pop("doctype")
		response = self.call("post", "/api/resource/Quotation", body)
		return response, lambda: bool(self.quotations_for(lead))

	def way_client_insert(self, lead):
		response = self.method("frappe.client.insert", doc=quotation_dict(lead))
		return response, lambda: bool(self.quotations_for(lead))

	def way_client_insert_many(self, lead):
		response = self.method("frappe.client.insert_many", docs=json.dumps([quotation_dict(lead)]))
		return response, lambda: bool(self.quotations_for(lead))

	def way_desk_new_form(self, lead):
		doc = {**quotation_dict(lead), "__islocal": 1, "name": "new-quotation-lq-attack"}
		response = self.method("frappe.desk.form.save.savedocs", doc=json.dumps(doc), action="Save")
		return response, lambda: bool(self.quotations_for(lead))

	def way_rest_put_party_switch(self, lead):
		name = self.customer_quotation()
		response = self.call(
			"put", f"/api/resource/Quotation/{name}", {"quotation_to": "Lead", "party_name": lead}
		)
		return response, lambda: self.stored(name).party_name == lead

	def way_client_set_value(self, lead):
		name = self.customer_quotation()
		response = self.method(
			"frappe.client.set_value",
			doctype="Quotation",
			name=name,
			fieldname={"quotation_to": "Lead", "party_name": lead},
		)
		return response, lambda: self.stored(name).party_name == lead

	def way_client_save(self, lead):
		name = self.customer_quotation()
		doc = self.desk_doc(name)
		doc.update({"quotation_to": "Lead", "party_name": lead})
		response = self.method("frappe.client.save", doc=json.dumps(doc))
		return response, lambda: self.stored(name).party_name == lead

	def way_desk_form_party_switch(self, lead):
		name = self.customer_quotation()
		doc = self.desk_doc(name)
		doc.update({"quotation_to": "Lead", "party_name": lead})
		response = self.method("frappe.desk.form.save.savedocs", doc=json.dumps(doc), action="Save")
		return response, lambda: self.stored(name).party_name == lead

	def way_client_bulk_update(self, lead):
		name = self.customer_quotation()
		docs = [{"doctype": "Quotation", "docname": name, "quotation_to": "Lead", "party_name": lead}]
		response = self.method("frappe.client.bulk_update", docs=json.dumps(docs))
		return response, lambda: self.stored(name).party_name == lead

	def way_desk_form_submit(self, lead):
		name = self.draft_of_withdrawn_lead(lead)
		doc = self.desk_doc(name)
		response = self.method("frappe.desk.form.save.savedocs", doc=json.dumps(doc), action="Submit")
		return response, lambda: self.stored(name).docstatus == 1

	def way_client_submit(self, lead):
		name = self.draft_of_withdrawn_lead(lead)
		response = self.method("frappe.client.submit", doc=json.dumps(self.desk_doc(name)))
		return response, lambda: self.stored(name).docstatus == 1

	def way_override_without_the_role(self, lead):
		body = {**quotation_dict(lead), "lq_gate_override": 1, "lq_gate_override_reason": "Trust me"}
		body.pop("doctype")
		response = self.call("post", "/api/resource/Quotation", body)
		return response, lambda: bool(self.quotations_for(lead))

	REFUSED_WITH_417 = (
		"way_rest_post",
		"way_client_insert",
		"way_client_insert_many",
		"way_desk_new_form",
		"way_rest_put_party_switch",
		"way_client_set_value",
		"way_client_save",
		"way_desk_form_party_switch",
		"way_desk_form_submit",
		"way_client_submit",
		"way_override_without_the_role",
	)

	def assert_refused(self, response, written):
		text = response.get_data(as_text=True)
		self.assertEqual(response.status_code, 417, text)
		self.assertIn(GATE_MESSAGE, text)
		self.assertFalse(written(), "a refused call wrote something")

	def test_every_way_in_is_refused_then_allowed_after_promotion(self):
		for way in self.REFUSED_WITH_417:
			with self.subTest(way=way):
				lead = self.new_lead()
				response, written = getattr(self, way)(lead)
				self.assert_refused(response, written)

				if way in ("way_desk_form_submit", "way_client_submit"):
					# the same draft, submitted again once the lead is a prospect
					name = self.quotations[-1]
					self.promote(lead)
					again = (
						self.method("frappe.client.submit", doc=json.dumps(self.desk_doc(name)))
						if way == "way_client_submit"
						else self.method(
							"frappe.desk.form.save.savedocs",
							doc=json.dumps(self.desk_doc(name)),
							action="Submit",
						)
					)
					self.assertEqual(again.status_code, 200, again.get_data(as_text=True))
					self.assertTrue(written())
					continue

				self.promote(lead)
				response, written = getattr(self, way)(lead)
				self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
				self.assertTrue(written(), "allowed after promotion, but nothing was written")

	def test_bulk_update_reports_the_refusal_and_writes_nothing(self):
		lead = self.new_lead()
		response, written = self.way_client_bulk_update(lead)
		self.assertEqual(response.status_code, 200)
		failed = response.json["message"]["failed_docs"]
		self.assertEqual(len(failed), 1)
		self.assertIn("GateRefusedError", failed[0]["exc"])
		self.assertFalse(written())

		self.promote(lead)
		response, written = self.way_client_bulk_update(lead)
		self.assertEqual(response.json["message"]["failed_docs"], [])
		self.assertTrue(written())

	def test_a_quotation_made_before_the_gates_cannot_be_switched_to_a_lead(self):
		lead = self.new_lead()
		name = self.customer_quotation()
		frappe.db.set_value("Quotation", name, "lq_before_gates", 1)
		frappe.db.commit()
		response = self.call(
			"put", f"/api/resource/Quotation/{name}", {"quotation_to": "Lead", "party_name": lead}
		)
		self.assert_refused(response, lambda: self.stored(name).party_name == lead)

	def test_the_before_gates_mark_cannot_be_set_over_rest(self):
		lead = self.new_lead()
		name = self.draft_of_withdrawn_lead(lead)
		response = self.call("put", f"/api/resource/Quotation/{name}", {"lq_before_gates": 1})
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Quotation", name, "lq_before_gates"), 0)
		response = self.method("frappe.client.submit", doc=json.dumps(self.desk_doc(name)))
		self.assert_refused(response, lambda: self.stored(name).docstatus == 1)

	def test_sales_user_does_not_see_an_override(self):
		"""A manager's override and its reason are not shown to a Sales User (Frappe's REST read
		drops fields of a level the user cannot read; a Check field still serialises as 0)."""
		lead = self.new_lead()
		frappe.set_user("Administrator")
		doc = frappe.get_doc(
			quotation_dict(lead, lq_gate_override=1, lq_gate_override_reason="Confidential partner deal")
		).insert()
		self.quotations.append(doc.name)
		frappe.db.commit()
		self.assertEqual(doc.lq_gate_override, 1)

		response = self.call("get", f"/api/resource/Quotation/{doc.name}")
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
		data = response.json["data"]
		self.assertEqual(data["party_name"], lead)
		self.assertNotIn("Confidential partner deal", response.get_data(as_text=True))
		self.assertNotIn("lq_gate_override_reason", data)
		self.assertFalse(data.get("lq_gate_override"))
