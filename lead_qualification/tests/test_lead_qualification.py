"""Integration tests on a real ERPNext site: BANT on the Lead, promotion, Prospect, permissions."""

import frappe
from frappe.utils import nowdate

from lead_qualification.lead_qualification import api
from lead_qualification.lead_qualification.qualification import (
	DemotionRefusedError,
	InvalidBantValueError,
	PromotionRefusedError,
)
from lead_qualification.setup.custom_fields import get_custom_fields
from lead_qualification.tests.utils import (
	COMPLETE_BANT,
	LeadQualificationTestCase,
	make_lead,
	make_user,
	reset_settings,
	set_settings,
)

PARTIAL_BANT = {
	"bant_need": "New kitchen",
	"bant_urgency": "Moving in spring",
	"bant_horizon": "1-3 Months",
}


def timeline(lead) -> list[str]:
	return frappe.get_all(
		"Comment",
		filters={"reference_doctype": "Lead", "reference_name": lead.name, "comment_type": "Info"},
		pluck="content",
		order_by="creation asc",
	)


class QualificationTestCase(LeadQualificationTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		frappe.local.lang = "en"
		reset_settings()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.lang = "en"


class TestInstall(QualificationTestCase):
	def test_bant_fields_are_on_the_lead_qualification_tab(self):
		meta = frappe.get_meta("Lead")
		fieldnames = [df.fieldname for df in meta.fields]
		ours = [df["fieldname"] for df in get_custom_fields()["Lead"]]
		for fieldname in ours:
			self.assertIn(fieldname, fieldnames)
		# right after ERPNext's own qualification fields, in the order we declare
		start = fieldnames.index("qualified_on") + 1
		self.assertEqual(fieldnames[start : start + len(ours)], ours)
		self.assertEqual(meta.get_field("bant_completeness").in_list_view, 1)
		self.assertEqual(meta.get_field("bant_completeness").in_standard_filter, 1)

	def test_fields_and_settings_belong_to_the_app_module(self):
		modules = set(
			frappe.get_all(
				"Custom Field", filters={"dt": "Lead", "fieldname": ("like", "bant_%")}, pluck="module"
			)
		)
		self.assertEqual(modules, {"Lead Qualification"})
		self.assertEqual(
			frappe.db.get_value("Module Def", "Lead Qualification", "app_name"), "lead_qualification"
		)
		self.assertTrue(frappe.get_single("Lead Qualification Settings").enabled)


class TestBantOnLead(QualificationTestCase):
	def test_filling_a_criterion_starts_qualification(self):
		lead = make_lead()
		self.assertEqual(lead.qualification_status, "Unqualified")
		self.assertEqual(lead.bant_completeness, 0)

		lead.update({"bant_need": "Garden wall", "bant_urgency": "Neighbour complains"})
		lead.save()
		self.assertEqual(lead.qualification_status, "In Process")
		self.assertEqual((lead.bant_need_met, lead.bant_budget_met), (1, 0))
		self.assertEqual(lead.bant_completeness, 1)
		self.assertIn("Qualification started.", timeline(lead))

	def test_completeness_follows_each_criterion(self):
		lead = make_lead()
		steps = [
			({"bant_budget_status": "Estimated", "bant_budget_amount": 8000}, "bant_budget_met", 1),
			({"bant_authority": "Talking to an Influencer"}, "bant_authority_met", 1),
			({"bant_authority": "Talking to the Decision Maker"}, "bant_authority_met", 2),
			({"bant_expected_start": nowdate()}, "bant_timing_met", 3),
		]
		set_settings(auto_promote=0)
		for values, flag, completeness in steps:
			lead.update(values)
			lead.save()
			self.assertEqual(lead.bant_completeness, completeness, values)
			self.assertEqual(
				lead.get(flag), 1 if completeness > 1 or flag == "bant_budget_met" else 0, values
			)
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "bant_completeness"), 3)
		self.assertEqual(lead.qualification_status, "In Process")

	def test_negative_budget_is_refused_and_nothing_changes(self):
		lead = make_lead(bant_budget_amount=500, bant_budget_status="Estimated")
		lead.bant_budget_amount = -10
		lead.bant_need = "changed too"
		with self.assertRaises(InvalidBantValueError) as cm:
			lead.save()
		self.assertIn("cannot be negative", str(cm.exception))
		stored = frappe.db.get_value("Lead", lead.name, ["bant_budget_amount", "bant_need"], as_dict=True)
		self.assertEqual((stored.bant_budget_amount, stored.bant_need), (500, None))

	def test_unknown_option_is_refused_with_the_choices(self):
		lead = make_lead()
		lead.bant_horizon = "Someday"
		with self.assertRaises(InvalidBantValueError) as cm:
			lead.save()
		self.assertIn("Someday", str(cm.exception))
		self.assertIn("Under a Month", str(cm.exception))
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "bant_horizon"), "Unknown")

	def test_message_is_french_for_a_french_user(self):
		lead = make_lead(**PARTIAL_BANT)
		frappe.local.lang = "fr"
		with self.assertRaises(PromotionRefusedError) as cm:
			api.promote(lead.name)
		message = str(cm.exception)
		self.assertIn("ne peut pas encore être promue en prospect", message)
		self.assertIn("Budget", message)
		self.assertIn("Autorité", message)


class TestPromotion(QualificationTestCase):
	def test_automatic_promotion_when_all_required_criteria_are_met(self):
		lead = make_lead(**PARTIAL_BANT)
		self.assertEqual(lead.qualification_status, "In Process")
		lead.update({"bant_budget_status": "Confirmed", "bant_authority": "Talking to the Decision Maker"})
		lead.save()
		self.assertEqual(lead.qualification_status, "Qualified")
		self.assertEqual(lead.qualified_by, "Administrator")
		self.assertEqual(str(lead.qualified_on), nowdate())
		self.assertIn("Promoted to prospect: every required BANT criterion is met.", timeline(lead))

	def test_no_automatic_promotion_when_turned_off(self):
		set_settings(auto_promote=0)
		lead = make_lead(**COMPLETE_BANT)
		self.assertEqual(lead.qualification_status, "In Process")
		self.assertEqual(lead.bant_completeness, 4)

		summary = api.promote(lead.name)
		self.assertEqual(summary["status"], "Qualified")
		lead.reload()
		self.assertEqual(lead.qualification_status, "Qualified")
		self.assertIn("Promoted to prospect.", timeline(lead))

	def test_promotion_refused_names_what_is_missing_and_changes_nothing(self):
		lead = make_lead(**PARTIAL_BANT)
		with self.assertRaises(PromotionRefusedError) as cm:
			api.promote(lead.name)
		message = str(cm.exception)
		self.assertIn("Budget", message)
		self.assertIn("Authority", message)
		self.assertNotIn("Timing", message)
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "qualification_status"), "In Process")

	def test_setting_qualified_directly_goes_through_the_policy(self):
		lead = make_lead(**PARTIAL_BANT)
		lead.qualification_status = "Qualified"
		with self.assertRaises(PromotionRefusedError):
			lead.save()
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "qualification_status"), "In Process")

		with self.assertRaises(PromotionRefusedError):
			make_lead(qualification_status="Qualified")

	def test_required_criteria_come_from_settings(self):
		set_settings(require_budget=0, require_authority=0)
		lead = make_lead(**PARTIAL_BANT)
		self.assertEqual(lead.qualification_status, "Qualified")

	def test_settings_refuse_no_required_criterion(self):
		with self.assertRaises(frappe.ValidationError):
			set_settings(require_budget=0, require_authority=0, require_need=0, require_timing=0)
		self.assertTrue(frappe.db.get_single_value("Lead Qualification Settings", "require_budget"))

	def test_disabled_app_leaves_leads_alone(self):
		set_settings(enabled=0)
		lead = make_lead(**COMPLETE_BANT)
		self.assertEqual(lead.qualification_status, "Unqualified")
		self.assertEqual(lead.bant_completeness, 0)


class TestDemotion(QualificationTestCase):
	def test_back_to_in_process_with_a_reason(self):
		lead = make_lead(**COMPLETE_BANT)
		self.assertEqual(lead.qualification_status, "Qualified")
		api.demote(lead.name, "Bank refused the <b>loan</b>")
		lead.reload()
		self.assertEqual(lead.qualification_status, "In Process")
		self.assertFalse(lead.qualified_by)
		self.assertFalse(lead.qualified_on)
		self.assertIn("Returned to In Process. Reason:", "".join(timeline(lead)))
		self.assertIn("Bank refused the &lt;b&gt;loan&lt;/b&gt;", "".join(timeline(lead)))

	def test_demotion_needs_a_reason(self):
		lead = make_lead(**COMPLETE_BANT)
		with self.assertRaises(DemotionRefusedError):
			api.demote(lead.name, "   ")
		lead.qualification_status = "In Process"
		with self.assertRaises(DemotionRefusedError):
			lead.save()
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "qualification_status"), "Qualified")

	def test_demotion_refused_after_conversion(self):
		from erpnext.crm.doctype.lead.lead import make_customer

		lead = make_lead(**COMPLETE_BANT)
		customer = make_customer(lead.name)
		customer.customer_group = frappe.db.get_value("Customer Group", {"is_group": 0})
		customer.territory = frappe.db.get_value("Territory", {"is_group": 0})
		customer.insert()
		lead.reload()
		self.assertEqual(lead.status, "Converted")
		with self.assertRaises(DemotionRefusedError) as cm:
			api.demote(lead.name, "too late")
		self.assertIn("already converted", str(cm.exception))
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "qualification_status"), "Qualified")


class TestProspect(QualificationTestCase):
	def test_promotion_creates_a_prospect_for_the_organisation(self):
		company_name = f"Atelier {frappe.generate_hash(length=6)}"
		lead = make_lead(company_name=company_name, **COMPLETE_BANT)
		prospect = frappe.get_doc("Prospect", {"company_name": company_name})
		self.assertEqual([row.lead for row in prospect.leads], [lead.name])
		self.assertIn(f"Added to prospect <strong>{prospect.name}</strong>.", timeline(lead))

	def test_promotion_reuses_an_existing_prospect(self):
		company_name = f"Bâtiment {frappe.generate_hash(length=6)}"
		first = make_lead(company_name=company_name, **COMPLETE_BANT)
		second = make_lead(company_name=company_name, **PARTIAL_BANT)
		self.assertEqual(frappe.db.count("Prospect", {"company_name": company_name}), 1)

		second.update({"bant_budget_status": "Financed", "bant_authority": "Talking to the Decision Maker"})
		second.save()
		self.assertEqual(frappe.db.count("Prospect", {"company_name": company_name}), 1)
		prospect = frappe.get_doc("Prospect", {"company_name": company_name})
		self.assertEqual(sorted(row.lead for row in prospect.leads), sorted([first.name, second.name]))

	def test_no_prospect_without_an_organisation(self):
		before = frappe.db.count("Prospect")
		lead = make_lead(**COMPLETE_BANT)
		self.assertEqual(lead.qualification_status, "Qualified")
		self.assertEqual(frappe.db.count("Prospect"), before)

	def test_prospect_linking_can_be_turned_off(self):
		set_settings(link_prospect=0)
		company_name = f"Menuiserie {frappe.generate_hash(length=6)}"
		make_lead(company_name=company_name, **COMPLETE_BANT)
		self.assertFalse(frappe.db.exists("Prospect", {"company_name": company_name}))


class TestPermissions(QualificationTestCase):
	def test_sales_user_can_qualify_promote_and_demote(self):
		make_user("lq-sales@example.com", ["Sales User"])
		frappe.set_user("lq-sales@example.com")
		set_auto = frappe.get_single("Lead Qualification Settings").auto_promote
		self.assertTrue(set_auto)
		lead = make_lead(company_name=f"Plomberie {frappe.generate_hash(length=6)}", **PARTIAL_BANT)
		lead.update({"bant_budget_status": "Confirmed", "bant_authority": "Talking to the Decision Maker"})
		lead.save()
		self.assertEqual(lead.qualification_status, "Qualified")
		self.assertEqual(lead.qualified_by, "lq-sales@example.com")
		api.demote(lead.name, "Wrong contact")
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "qualification_status"), "In Process")

	def test_sales_user_cannot_change_settings(self):
		make_user("lq-sales@example.com", ["Sales User"])
		frappe.set_user("lq-sales@example.com")
		settings = frappe.get_doc("Lead Qualification Settings")
		settings.auto_promote = 0
		with self.assertRaises(frappe.PermissionError):
			settings.save()

	def test_user_without_lead_access_cannot_use_the_actions(self):
		lead = make_lead(**PARTIAL_BANT)
		make_user("lq-outsider@example.com", [], user_type="Website User")
		frappe.set_user("lq-outsider@example.com")
		with self.assertRaises(frappe.PermissionError):
			api.promote(lead.name)
		with self.assertRaises(frappe.PermissionError):
			api.get_summary(lead.name)
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "qualification_status"), "In Process")


class TestDeletion(QualificationTestCase):
	def test_deleting_a_lead_removes_the_apps_rows(self):
		from lead_qualification.lead_scoring import activities

		lead = make_lead(**COMPLETE_BANT)
		activities.record(lead.name, "Page Viewed", event_id=f"del-{lead.name}")
		self.assertTrue(frappe.db.exists("Lead Status Log", {"lead": lead.name}))
		frappe.delete_doc("Lead", lead.name)
		for doctype in ("Lead Score Entry", "Lead Status Log", "Lead Activity"):
			self.assertFalse(frappe.db.exists(doctype, {"lead": lead.name}), doctype)
