"""Integration tests on a real ERPNext site: the Quotation gate and its ways around."""

import os

import frappe
from frappe.utils import add_days, nowdate

from lead_qualification.lead_qualification import api as qualification_api
from lead_qualification.lead_qualification.gates import GateOverrideError, GateRefusedError
from lead_qualification.lead_scoring import scoring
from lead_qualification.setup.install import mark_documents_made_before_gates
from lead_qualification.tests.utils import (
	COMPLETE_BANT,
	LeadQualificationTestCase,
	make_lead,
	make_user,
	reset_settings,
	set_settings,
	use_rules,
)

PARTIAL_BANT = {"bant_need": "Bathroom", "bant_urgency": "Leak", "bant_horizon": "Immediate"}


def company():
	"""The site's default company (the setup wizard's), so that every document of a test is in
	its one currency: no exchange rate is needed, and none can be fetched here."""
	return frappe.defaults.get_global_default("company") or frappe.db.get_value("Company", {}, "name")


def item_code(code: str = "LQ-GATE-ITEM", item_name: str = "Renovation work") -> str:
	"""A non-stock service item for test quotations (made once)."""
	if not frappe.db.exists("Item", code):
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": code,
				"item_name": item_name,
				"item_group": frappe.db.get_value("Item Group", {"is_group": 0}, "name"),
				"stock_uom": "Nos",
				"is_stock_item": 0,
			}
		).insert(ignore_permissions=True)
	return code


def make_test_customer() -> str:
	name = "LQ Gate Test Customer"
	if not frappe.db.exists("Customer", name):
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": name,
				"customer_type": "Company",
				"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}, "name"),
				"territory": frappe.db.get_value("Territory", {"is_group": 0}, "name"),
			}
		).insert(ignore_permissions=True)
	return name


def quotation_dict(lead: str, **extra) -> dict:
	comp = company()
	return {
		"doctype": "Quotation",
		"quotation_to": "Lead",
		"party_name": lead,
		"company": comp,
		"currency": frappe.db.get_value("Company", comp, "default_currency"),
		"conversion_rate": 1,
		"plc_conversion_rate": 1,
		"transaction_date": nowdate(),
		"valid_till": add_days(nowdate(), 30),
		"order_type": "Sales",
		"items": [{"item_code": item_code(), "qty": 1, "rate": 1000}],
		**extra,
	}


def quotation(lead: str, **extra):
	return frappe.get_doc(quotation_dict(lead, **extra))


def comments(doctype, name) -> str:
	return " ".join(
		frappe.get_all(
			"Comment",
			filters={"reference_doctype": doctype, "reference_name": name, "comment_type": "Info"},
			pluck="content",
		)
	)


class GateTestCase(LeadQualificationTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		reset_settings()
		use_rules()  # no scoring rules: scores stay 0 unless a test says otherwise
		self.unqualified = make_lead(**PARTIAL_BANT)
		self.assertEqual(self.unqualified.qualification_status, "In Process")

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		scoring.clear_rules_cache()

	def promote(self, lead):
		lead.reload()
		lead.update({"bant_budget_status": "Confirmed", "bant_authority": "Talking to the Decision Maker"})
		lead.save()
		self.assertEqual(lead.qualification_status, "Qualified")


class TestQuotationGate(GateTestCase):
	def test_document_api_refused_then_auto_unlocked(self):
		with self.assertRaises(GateRefusedError) as cm:
			quotation(self.unqualified.name).insert()
		message = str(cm.exception)
		self.assertIn("Budget", message)
		self.assertIn("Authority", message)
		self.assertFalse(frappe.db.exists("Quotation", {"party_name": self.unqualified.name}))

		self.promote(self.unqualified)
		q = quotation(self.unqualified.name).insert()
		q.submit()
		self.assertEqual(q.docstatus, 1)

	def test_frappe_client_insert(self):
		from frappe.client import insert

		with self.assertRaises(GateRefusedError):
			insert(quotation_dict(self.unqualified.name))
		self.promote(self.unqualified)
		self.assertTrue(insert(quotation_dict(self.unqualified.name))["name"])

	def test_data_import_path(self):
		"""Data Import inserts documents with frappe.flags.in_import set."""
		doc = quotation(self.unqualified.name)
		frappe.flags.in_import = True
		try:
			with self.assertRaises(GateRefusedError):
				doc.insert()
		finally:
			frappe.flags.in_import = False

	def test_duplicate_and_amend(self):
		qualified = make_lead(**COMPLETE_BANT)
		original = quotation(qualified.name).insert()
		original.submit()

		# a duplicate pointed at an unqualified lead
		copy = frappe.copy_doc(original)
		copy.party_name = self.unqualified.name
		with self.assertRaises(GateRefusedError):
			copy.insert()

		# amending a quotation whose lead has since been withdrawn
		original.cancel()
		qualification_api.demote(qualified.name, "Budget withdrawn")
		amended = frappe.copy_doc(original)
		amended.docstatus = 0
		amended.amended_from = original.name
		with self.assertRaises(GateRefusedError):
			amended.insert()

	def test_quotation_made_from_an_opportunity(self):
		from erpnext.crm.doctype.opportunity.opportunity import make_quotation

		opportunity = frappe.get_doc(
			{
				"doctype": "Opportunity",
				"opportunity_from": "Lead",
				"party_name": self.unqualified.name,
				"company": company(),
			}
		).insert()
		made = make_quotation(opportunity.name)
		made.append("items", {"item_code": item_code(), "qty": 1, "rate": 500})
		with self.assertRaises(GateRefusedError):
			made.insert()

		self.promote(self.unqualified)
		made = make_quotation(opportunity.name)
		made.append("items", {"item_code": item_code(), "qty": 1, "rate": 500})
		made.insert()

	def test_changing_the_party_of_a_saved_quotation(self):
		qualified = make_lead(**COMPLETE_BANT)
		q = quotation(qualified.name).insert()
		q.party_name = self.unqualified.name
		with self.assertRaises(GateRefusedError):
			q.save()
		self.assertEqual(frappe.db.get_value("Quotation", q.name, "party_name"), qualified.name)

	def test_customer_quotations_are_not_gated(self):
		q = quotation(None, quotation_to="Customer", party_name=make_test_customer()).insert()
		q.submit()
		self.assertEqual(q.docstatus, 1)

	def test_warn_mode_allows_with_a_message(self):
		settings = frappe.get_single("Lead Qualification Settings")
		settings.gates[0].mode = "Warn"
		settings.save()
		frappe.clear_messages()
		q = quotation(self.unqualified.name).insert()
		self.assertTrue(q.name)
		messages = " ".join(str(m) for m in frappe.get_message_log())
		self.assertIn("not a prospect yet", messages)

	def test_minimum_score_gate(self):
		use_rules({"field_name": "bant_need", "operator": "is set", "points": 10})
		settings = frappe.get_single("Lead Qualification Settings")
		settings.gates[0].require_qualified = 0
		settings.gates[0].min_score = 25
		settings.save()
		lead = make_lead(**PARTIAL_BANT)
		self.assertEqual(lead.lq_score, 10)
		with self.assertRaises(GateRefusedError) as cm:
			quotation(lead.name).insert()
		self.assertIn("15", str(cm.exception))

	def test_disabled_gate_lets_everything_through(self):
		settings = frappe.get_single("Lead Qualification Settings")
		settings.gates[0].enabled = 0
		settings.save()
		quotation(self.unqualified.name).insert()

	def test_opportunity_gate_is_opt_in(self):
		frappe.get_doc(
			{
				"doctype": "Opportunity",
				"opportunity_from": "Lead",
				"party_name": self.unqualified.name,
				"company": company(),
			}
		).insert()
		settings = frappe.get_single("Lead Qualification Settings")
		settings.append(
			"gates", {"document_type": "Opportunity", "enabled": 1, "require_qualified": 1, "mode": "Refuse"}
		)
		settings.save()
		with self.assertRaises(GateRefusedError):
			frappe.get_doc(
				{
					"doctype": "Opportunity",
					"opportunity_from": "Lead",
					"party_name": self.unqualified.name,
					"company": company(),
				}
			).insert()

	def test_one_gate_per_document_type(self):
		settings = frappe.get_single("Lead Qualification Settings")
		settings.append("gates", {"document_type": "Quotation", "enabled": 1})
		with self.assertRaises(frappe.ValidationError):
			settings.save()


class TestOverride(GateTestCase):
	def test_manager_overrides_with_a_reason(self):
		make_user("lq-gate-manager@example.com", ["Sales Manager", "Sales User"])
		frappe.set_user("lq-gate-manager@example.com")
		q = quotation(
			self.unqualified.name,
			lq_gate_override=1,
			lq_gate_override_reason="Existing client of our partner",
		).insert()
		self.assertEqual(q.lq_gate_overridden_by, "lq-gate-manager@example.com")
		frappe.set_user("Administrator")
		self.assertIn("Existing client of our partner", comments("Lead", self.unqualified.name))
		self.assertIn("Existing client of our partner", comments("Quotation", q.name))

		from lead_qualification.lead_qualification.report.qualification_gate_overrides.qualification_gate_overrides import (
			execute,
		)

		columns, rows = execute({})[:2]
		self.assertIn(q.name, [r["document"] for r in rows])

	def test_override_needs_a_reason(self):
		make_user("lq-gate-manager@example.com", ["Sales Manager", "Sales User"])
		frappe.set_user("lq-gate-manager@example.com")
		with self.assertRaises(GateOverrideError):
			quotation(self.unqualified.name, lq_gate_override=1, lq_gate_override_reason=" ").insert()

	def test_override_needs_the_role(self):
		"""A Sales User has no access to the override's permission level: Frappe drops what
		they send, and the gate refuses as for any quotation."""
		make_user("lq-gate-sales@example.com", ["Sales User"])
		frappe.set_user("lq-gate-sales@example.com")
		doc = quotation(self.unqualified.name, lq_gate_override=1, lq_gate_override_reason="Please")
		self.assertFalse(doc.has_permlevel_access_to("lq_gate_override", permission_type="read"))
		with self.assertRaises(GateRefusedError):
			doc.insert()
		self.assertFalse(doc.lq_gate_override)

	def test_the_server_still_checks_the_role(self):
		"""Code that saves with ignore_permissions keeps the fields; the gate's role check
		still refuses a user without the role."""
		make_user("lq-gate-sales@example.com", ["Sales User"])
		frappe.set_user("lq-gate-sales@example.com")
		doc = quotation(self.unqualified.name, lq_gate_override=1, lq_gate_override_reason="Please")
		with self.assertRaises(GateOverrideError):
			doc.insert(ignore_permissions=True)

	def test_the_override_role_reads_and_writes_the_fields(self):
		make_user("lq-gate-manager@example.com", ["Sales Manager", "Sales User"])
		frappe.set_user("lq-gate-manager@example.com")
		doc = quotation(self.unqualified.name)
		for ptype in ("read", "write"):
			self.assertTrue(doc.has_permlevel_access_to("lq_gate_override", permission_type=ptype))
			self.assertTrue(doc.has_permlevel_access_to("lq_gate_override_reason", permission_type=ptype))

	def test_changing_the_override_role_moves_the_permission(self):
		from lead_qualification.integrations.erpnext.permissions import OVERRIDE_PERMLEVEL

		def has_rule(role):
			return bool(
				frappe.db.exists(
					"Custom DocPerm",
					{"parent": "Quotation", "role": role, "permlevel": OVERRIDE_PERMLEVEL, "write": 1},
				)
			)

		self.assertTrue(has_rule("Sales Manager"))
		set_settings(override_role="Accounts Manager")
		self.assertTrue(has_rule("Accounts Manager"))
		self.assertFalse(has_rule("Sales Manager"))
		set_settings(override_role="Sales Manager")
		self.assertTrue(has_rule("Sales Manager"))
		self.assertFalse(has_rule("Accounts Manager"))

	def test_override_is_not_copied(self):
		q = quotation(
			self.unqualified.name, lq_gate_override=1, lq_gate_override_reason="Urgent site visit"
		).insert()
		# the desk's Duplicate leaves no-copy fields out
		copy = frappe.copy_doc(q, ignore_no_copy=False)
		self.assertFalse(copy.lq_gate_override)
		with self.assertRaises(GateRefusedError):
			copy.insert()

	def test_a_copied_override_still_needs_the_role(self):
		q = quotation(
			self.unqualified.name, lq_gate_override=1, lq_gate_override_reason="Urgent site visit"
		).insert()
		make_user("lq-gate-sales@example.com", ["Sales User"])
		frappe.set_user("lq-gate-sales@example.com")
		copy = frappe.copy_doc(q)  # a server-side copy keeps every field
		self.assertTrue(copy.lq_gate_override)
		with self.assertRaises(GateRefusedError):
			copy.insert()  # the field is dropped: no access to its level
		copy = frappe.copy_doc(q)
		with self.assertRaises(GateOverrideError):
			copy.insert(ignore_permissions=True)  # kept, but the role check refuses


class TestDemotionAfterQuotation(GateTestCase):
	def test_existing_quotation_survives_demotion(self):
		"""Documented behaviour: a draft made while the lead was a prospect stays intact and
		can still be edited; it cannot be submitted until the lead is promoted again.
		A submitted quotation is not touched."""
		lead = make_lead(**COMPLETE_BANT)
		submitted = quotation(lead.name).insert()
		submitted.submit()
		draft = quotation(lead.name).insert()

		qualification_api.demote(lead.name, "Decision maker left the company")

		self.assertEqual(frappe.db.get_value("Quotation", submitted.name, "docstatus"), 1)
		draft.reload()
		draft.items[0].qty = 2
		draft.save()  # editing is allowed
		self.assertEqual(frappe.db.get_value("Quotation", draft.name, "total_qty"), 2)
		with self.assertRaises(GateRefusedError):
			draft.submit()
		self.assertEqual(frappe.db.get_value("Quotation", draft.name, "docstatus"), 0)

		self.promote(lead)
		draft.reload()
		draft.submit()
		self.assertEqual(draft.docstatus, 1)

	def test_quotations_from_before_the_gates_are_left_alone(self):
		lead = make_lead(**PARTIAL_BANT)
		set_settings(enabled=0)
		old = quotation(lead.name).insert()  # made while the app was off
		set_settings(enabled=1)
		mark_documents_made_before_gates()  # what the install does to the documents it finds
		old.reload()
		self.assertEqual(old.lq_before_gates, 1)
		old.items[0].qty = 3
		old.save()  # its party does not change: left alone
		old.submit()
		self.assertEqual(old.docstatus, 1)

	def test_a_new_document_is_never_marked(self):
		lead = make_lead(**COMPLETE_BANT)
		mark_documents_made_before_gates()
		q = quotation(lead.name, lq_before_gates=1).insert()
		self.assertEqual(frappe.db.get_value("Quotation", q.name, "lq_before_gates"), 0)
		copy = frappe.copy_doc(q)
		copy.lq_before_gates = 1
		copy.insert()
		self.assertEqual(frappe.db.get_value("Quotation", copy.name, "lq_before_gates"), 0)

	def test_a_saved_document_cannot_mark_itself(self):
		lead = make_lead(**COMPLETE_BANT)
		draft = quotation(lead.name).insert()
		qualification_api.demote(lead.name, "Budget withdrawn")
		draft.reload()
		draft.lq_before_gates = 1
		draft.save()
		self.assertEqual(frappe.db.get_value("Quotation", draft.name, "lq_before_gates"), 0)
		with self.assertRaises(GateRefusedError):
			draft.submit()

	def test_the_creation_stamp_no_longer_decides(self):
		"""A time zone set after install moves every stamp by hours; the gate compares none."""
		lead = make_lead(**COMPLETE_BANT)
		draft = quotation(lead.name).insert()
		frappe.db.set_value("Quotation", draft.name, "creation", add_days(nowdate(), -400))
		qualification_api.demote(lead.name, "Budget withdrawn")
		draft.reload()
		with self.assertRaises(GateRefusedError):
			draft.submit()

	def test_an_old_quotation_switched_to_an_unqualified_lead_is_refused(self):
		customer = make_test_customer()
		old = quotation(None, quotation_to="Customer", party_name=customer).insert()
		mark_documents_made_before_gates()
		old.reload()
		self.assertEqual(old.lq_before_gates, 1)
		old.quotation_to = "Lead"
		old.party_name = self.unqualified.name
		with self.assertRaises(GateRefusedError):
			old.save()
		self.assertEqual(frappe.db.get_value("Quotation", old.name, "party_name"), customer)

	def test_data_import_update_of_the_party_is_refused(self):
		"""Data Import's "Update Existing Records" saves each document (Importer.update_record)."""
		from frappe.core.doctype.data_import.importer import Importer

		customer = make_test_customer()
		q = quotation(None, quotation_to="Customer", party_name=customer).insert()
		path = frappe.get_site_path(
			"private", "files", f"lq-gate-import-{frappe.generate_hash(length=6)}.csv"
		)
		with open(path, "w", encoding="utf-8") as f:
			f.write("ID,Quotation To,Party\n")
			f.write(f"{q.name},Lead,{self.unqualified.name}\n")
		try:
			importer = Importer(
				"Quotation", file_path=path, import_type="Update Existing Records", console=True
			)
			payloads = importer.import_file.get_payloads_for_import()
		finally:
			os.remove(path)
		self.assertEqual(len(payloads), 1)
		self.assertEqual(payloads[0].doc.get("party_name"), self.unqualified.name)
		# each row goes through the importer's own update step (import_data commits or rolls
		# back per row, which a test transaction cannot host)
		with self.assertRaises(GateRefusedError):
			importer.process_doc(payloads[0].doc)
		self.assertEqual(frappe.db.get_value("Quotation", q.name, "party_name"), customer)

		self.promote(self.unqualified)
		importer.process_doc(payloads[0].doc)
		self.assertEqual(frappe.db.get_value("Quotation", q.name, "party_name"), self.unqualified.name)


class TestLeadFormLock(GateTestCase):
	def test_summary_says_locked_then_unlocked(self):
		summary = qualification_api.get_summary(self.unqualified.name)
		self.assertTrue(summary["quotation_gate"]["locked"])
		self.assertIn("Budget", summary["quotation_gate"]["message"])
		self.promote(self.unqualified)
		summary = qualification_api.get_summary(self.unqualified.name)
		self.assertFalse(summary["quotation_gate"]["locked"])
