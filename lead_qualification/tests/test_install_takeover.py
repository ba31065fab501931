"""Installing on a site already in use: leads that already have an Opportunity, a Quotation or
a Customer become prospects, every lead is scored by a bulk run, and work in progress (a
revised quotation) is not blocked by the gate.

The leads seeded here stand for leads made before the app: they are inserted with the app's
hooks off (no score, no band), and their documents with the gate off. The bulk re-score
commits per batch in the worker; here frappe.db.commit is stubbed so that the test's
transaction is rolled back whole in tearDown.
"""

from unittest.mock import patch

import frappe
from frappe.utils import add_days, now_datetime

from lead_qualification.lead_qualification import status_log
from lead_qualification.lead_qualification.gates import GateRefusedError
from lead_qualification.lead_scoring import scoring
from lead_qualification.setup import install
from lead_qualification.tests.test_gates import company, quotation_dict
from lead_qualification.tests.utils import (
	LeadQualificationTestCase,
	reset_settings,
	set_scoring_settings,
	use_rules,
)

ORGANISATION_RULE = {
	"rule_name": "T organisation",
	"field_name": "company_name",
	"operator": "is set",
	"points": 30,
}


def existing_lead(**values):
	"""A lead as the site had it before the app: no e-mail (ERPNext's Gravatar lookup
	times out here), the app's hooks off."""
	doc = frappe.get_doc(
		{"doctype": "Lead", "first_name": f"Existing {frappe.generate_hash(length=8)}", **values}
	)
	doc.flags.ignore_lead_qualification = True
	doc.insert()
	return doc


def existing_quotation(lead: str, submit: bool = True):
	doc = frappe.get_doc(quotation_dict(lead))
	doc.flags.ignore_lead_qualification = True
	doc.insert()
	if submit:
		doc.flags.ignore_lead_qualification = True
		doc.submit()
	return doc


def existing_opportunity(lead: str):
	doc = frappe.get_doc(
		{"doctype": "Opportunity", "opportunity_from": "Lead", "party_name": lead, "company": company()}
	)
	doc.flags.ignore_lead_qualification = True
	return doc.insert()


def existing_customer(lead: str):
	doc = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": f"Customer {lead}",
			"lead_name": lead,
			"customer_type": "Company",
			"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}, "name"),
			"territory": frappe.db.get_value("Territory", {"is_group": 0}, "name"),
		}
	)
	doc.flags.ignore_lead_qualification = True
	return doc.insert()


def lead_values(name: str):
	return frappe.db.get_value(
		"Lead",
		name,
		["qualification_status", "qualified_by", "qualified_on", "lq_score", "lq_score_band", "lq_scored_on"],
		as_dict=True,
	)


def takeover_comments(lead: str) -> list[str]:
	return frappe.get_all(
		"Comment",
		filters={"reference_doctype": "Lead", "reference_name": lead, "comment_type": "Info"},
		pluck="content",
	)


def takeover_logs(lead: str) -> list[dict]:
	return frappe.get_all(
		"Lead Status Log",
		filters={"lead": lead, "kind": status_log.QUALIFICATION, "reason": status_log.TAKEN_OVER_AT_INSTALL},
		fields=["value", "previous_value"],
	)


class InstallTestCase(LeadQualificationTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		reset_settings()
		use_rules(dict(ORGANISATION_RULE))

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		scoring.clear_rules_cache()


class TestTakeover(InstallTestCase):
	def seed(self):
		self.plain = existing_lead(company_name="Menuiserie Roux")
		self.plain_no_org = existing_lead()
		self.quoted = existing_lead(company_name="Toitures Bernard")
		self.quotation = existing_quotation(self.quoted.name)
		self.drafted = existing_lead()
		existing_quotation(self.drafted.name, submit=False)
		self.cancelled = existing_lead()  # mid-revision: cancelled, not amended yet
		existing_quotation(self.cancelled.name).cancel()
		self.opportunity_lead = existing_lead()
		self.opportunity = existing_opportunity(self.opportunity_lead.name)
		self.customer_lead = existing_lead()
		existing_customer(self.customer_lead.name)
		self.already = existing_lead()
		frappe.db.set_value(
			"Lead", self.already.name, {"qualification_status": "Qualified", "qualified_by": "Administrator"}
		)
		self.imported = existing_lead()  # a Data Import leaves the qualification status empty
		frappe.db.set_value("Lead", self.imported.name, "qualification_status", None)
		self.taken = [self.quoted, self.drafted, self.cancelled, self.opportunity_lead, self.customer_lead]
		self.untouched = [self.plain, self.plain_no_org]

	def test_install_takes_over_leads_past_qualification_and_scores_every_lead(self):
		self.seed()
		# (the opportunity's lead is scored already: the app records an opportunity as activity)
		for lead in [*self.untouched, self.quoted, self.drafted, self.customer_lead]:
			values = lead_values(lead.name)
			self.assertIsNone(values.lq_scored_on)
			self.assertFalse(values.lq_score_band)

		taken = install.take_over_existing_leads()
		self.assertEqual(taken, len(self.taken))
		with patch.object(frappe, "enqueue") as enqueue:
			run = install.queue_first_scoring()
		enqueue.assert_called_once()
		self.assertEqual(enqueue.call_args.args[0], "lead_qualification.setup.install.scoring_job")
		self.assertEqual(enqueue.call_args.kwargs["queue"], "long")
		job = {k: enqueue.call_args.kwargs[k] for k in ("run", "reason", "notify")}
		self.assertEqual(frappe.db.get_value("Lead Scoring Run", run, "status"), "Queued")
		settings = frappe.get_single("Lead Qualification Settings")
		self.assertEqual(str(settings.install_scoring_run), str(run))
		self.assertEqual(settings.install_leads, frappe.db.count("Lead"))
		self.assertGreaterEqual(settings.install_prospects, len(self.taken))

		# the worker runs the queued job
		with patch.object(frappe.db, "commit"):
			install.scoring_job(**job)
		self.assertEqual(frappe.db.get_value("Lead Scoring Run", run, "status"), "Completed")
		self.assertEqual(frappe.db.get_value("Lead Scoring Run", run, "processed"), frappe.db.count("Lead"))

		# every lead has a score and a band
		for lead in [*self.taken, *self.untouched, self.already]:
			values = lead_values(lead.name)
			self.assertIsNotNone(values.lq_scored_on, lead.name)
			self.assertIn(values.lq_score_band, ("Hot", "Warm", "Cold"), lead.name)
		self.assertEqual(lead_values(self.plain.name).lq_score, 30)
		self.assertEqual(lead_values(self.plain.name).lq_score_band, "Warm")
		self.assertEqual(lead_values(self.plain_no_org.name).lq_score_band, "Cold")

		# leads with an opportunity, a quotation (draft, submitted, cancelled) or a customer: prospects
		for lead in self.taken:
			values = lead_values(lead.name)
			self.assertEqual(values.qualification_status, "Qualified", lead.name)
			self.assertEqual(values.qualified_by, "Administrator")
			self.assertIsNotNone(values.qualified_on)
			self.assertEqual(
				takeover_logs(lead.name), [{"value": "Qualified", "previous_value": "Unqualified"}]
			)
			comments = [c for c in takeover_comments(lead.name) if "installed" in c]
			self.assertEqual(len(comments), 1, lead.name)
		self.assertIn(self.quotation.name, takeover_comments(self.quoted.name)[0])
		self.assertIn(self.opportunity.name, takeover_comments(self.opportunity_lead.name)[0])

		# a lead without a status is Unqualified, as ERPNext makes a new lead, and not logged
		self.assertEqual(lead_values(self.imported.name).qualification_status, "Unqualified")
		self.assertFalse(takeover_logs(self.imported.name))

		# the others are left as they were
		for lead in self.untouched:
			self.assertEqual(lead_values(lead.name).qualification_status, "Unqualified", lead.name)
			self.assertFalse(takeover_logs(lead.name))
			self.assertFalse(takeover_comments(lead.name))
		self.assertFalse(takeover_logs(self.already.name))

		# the managers are told, with a link to the run
		notification = frappe.get_all(
			"Notification Log",
			filters={"document_type": "Lead Scoring Run", "document_name": run, "for_user": "Administrator"},
			pluck="subject",
		)
		self.assertEqual(len(notification), 1)
		scored = frappe.db.count("Lead")
		self.assertIn(f"{scored} leads scored", notification[0])
		self.assertIn(f"{settings.install_prospects} leads that already had", notification[0])

	def test_takeover_is_idempotent(self):
		self.seed()
		self.assertEqual(install.take_over_existing_leads(), len(self.taken))
		self.assertEqual(install.take_over_existing_leads(), 0)
		for lead in self.taken:
			self.assertEqual(len(takeover_logs(lead.name)), 1)

	def test_a_lead_withdrawn_by_a_person_is_not_taken_over_again(self):
		lead = existing_lead()
		existing_quotation(lead.name)
		status_log.write([(lead.name, status_log.QUALIFICATION, "Qualified", "In Process")])
		status_log.write([(lead.name, status_log.QUALIFICATION, "In Process", "Qualified")])
		install.take_over_existing_leads()
		self.assertEqual(lead_values(lead.name).qualification_status, "Unqualified")

	def test_patch_counts_only_documents_made_before_the_gates(self):
		"""Sites that had the app already: documents made since the gates went through them."""
		from lead_qualification.lead_qualification.existing_leads import take_over

		before, after = existing_lead(), existing_lead()
		old = existing_quotation(before.name)
		existing_quotation(after.name)
		frappe.db.set_value("Quotation", old.name, "creation", add_days(now_datetime(), -30))
		take_over(cutoff=add_days(now_datetime(), -1))
		self.assertEqual(lead_values(before.name).qualification_status, "Qualified")
		self.assertEqual(lead_values(after.name).qualification_status, "Unqualified")


class TestWorkInProgressIsNotBlocked(InstallTestCase):
	def test_revised_and_new_quotations_pass_the_gate_after_takeover(self):
		lead = existing_lead()
		original = existing_quotation(lead.name)
		other = existing_lead()
		existing_quotation(other.name)

		# before the takeover the gate refuses a new quotation for such a lead
		with self.assertRaises(GateRefusedError):
			frappe.get_doc(quotation_dict(lead.name)).insert()

		install.take_over_existing_leads()

		# a revision: cancel and amend, as ERPNext does
		original.reload()
		original.cancel()
		amended = frappe.copy_doc(original)
		amended.docstatus = 0
		amended.amended_from = original.name
		amended.insert()
		amended.submit()
		self.assertEqual(amended.docstatus, 1)
		# a new quotation
		new = frappe.get_doc(quotation_dict(other.name)).insert()
		new.submit()
		self.assertEqual(new.docstatus, 1)


class TestScoringSwitchedOn(InstallTestCase):
	def test_switching_scoring_on_queues_a_bulk_rescore(self):
		set_scoring_settings(enabled=0)
		with patch.object(frappe, "enqueue") as enqueue:
			set_scoring_settings(enabled=1)
		enqueue.assert_called_once()
		call = enqueue.call_args
		self.assertEqual(call.args[0], "lead_qualification.lead_scoring.scoring.rescore_all_job")
		self.assertEqual(call.kwargs["queue"], "long")
		self.assertTrue(call.kwargs["enqueue_after_commit"])
		run = frappe.get_doc("Lead Scoring Run", call.kwargs["run"])
		self.assertEqual((run.status, run.reason), ("Queued", "Scoring switched on"))

	def test_saving_settings_that_stay_on_queues_nothing(self):
		set_scoring_settings(enabled=1)
		with patch.object(frappe, "enqueue") as enqueue:
			set_scoring_settings(enabled=1, promotion_min_score=5)
			set_scoring_settings(enabled=0)
		enqueue.assert_not_called()
