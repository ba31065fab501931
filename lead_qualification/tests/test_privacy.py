"""Integration tests on a real ERPNext site: the quote-request web form as a Guest (over
HTTP), consent and nurture e-mails, erasure through Frappe's deletion request and the Lead's
Erase Personal Data action, retention, and the website events endpoint's limits."""

import json
from datetime import timedelta

import frappe
from frappe.utils import add_days, add_months, get_test_client, now_datetime, nowdate

from lead_qualification.lead_nurture import enrollment, worker
from lead_qualification.lead_scoring import activities, scoring
from lead_qualification.lead_scoring import api as scoring_api
from lead_qualification.privacy import api as privacy_api
from lead_qualification.privacy import lead_privacy, personal_data, retention
from lead_qualification.tests.test_nurture import make_sequence
from lead_qualification.tests.utils import (
	LeadQualificationTestCase,
	api_token,
	ensure_outgoing_email_account,
	http,
	make_lead,
	make_user,
	reset_settings,
	update_single,
)

ACCEPT = "/api/method/frappe.website.doctype.web_form.web_form.accept"
PUSH = "/api/method/lead_qualification.lead_scoring.api.push_event"
SEQUENCE = "LQ Privacy Auto Sequence"
SALES_MANAGER = "lq-privacy-manager@example.com"
SALES_USER = "lq-privacy-sales@example.com"


def app_doctypes() -> list[str]:
	"""Every table of the app (its modules' DocTypes), and the Lead it extends."""
	modules = frappe.get_all("Module Def", filters={"app_name": "lead_qualification"}, pluck="name")
	names = frappe.get_all("DocType", filters={"module": ("in", modules), "issingle": 0}, pluck="name")
	return ["Lead", *names]


def tables_mentioning(*words: str) -> dict[str, int]:
	"""{doctype: rows} of the app's tables where any text column holds one of `words`."""
	found = {}
	for doctype in app_doctypes():
		columns = frappe.db.sql(
			"""select column_name from information_schema.columns
			where table_schema = database() and table_name = %s
			and data_type in ('varchar', 'text', 'longtext', 'mediumtext', 'tinytext', 'json')""",
			f"tab{doctype}",
			pluck=True,
		)
		if not columns:
			continue
		where = " or ".join(f"`{c}` like %(w{i})s" for c in columns for i in range(len(words)))
		values = {f"w{i}": f"%{w}%" for i, w in enumerate(words)}
		n = frappe.db.sql(f"select count(*) from `tab{doctype}` where {where}", values)[0][0]
		if n:
			found[doctype] = n
	return found


class TestQuoteRequestForm(LeadQualificationTestCase):
	"""The public form, posted by a Guest over HTTP (Frappe's own web form endpoint)."""

	client = get_test_client()

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		reset_settings()
		ensure_outgoing_email_account()
		make_sequence(SEQUENCE, auto_enroll=1)
		frappe.db.commit()
		cls.emails = []

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		for lead in frappe.get_all("Lead", filters={"email_id": ("in", cls.emails or [""])}, pluck="name"):
			frappe.delete_doc("Lead", lead, force=True, ignore_permissions=True)
		frappe.delete_doc("Nurture Sequence", SEQUENCE, force=True)
		update_single("Lead Privacy Settings", form_submissions_per_hour=5)
		frappe.db.commit()
		super().tearDownClass()

	def setUp(self):
		frappe.cache.delete_keys("lq:quote-request")
		frappe.cache.delete_keys("rl:")
		update_single("Lead Privacy Settings", form_submissions_per_hour=5, nurture_emails_need_basis=1)
		frappe.db.commit()

	def answers(self, **values) -> dict:
		email = f"lq-form-{frappe.generate_hash(length=8)}@example.com"
		self.emails.append(email)
		start = add_days(nowdate(), 30)
		return {
			"first_name": "Élodie",
			"last_name": "Marchand",
			"email_id": email,
			"mobile_no": "+33 6 12 34 56 78",
			"bant_need": "Refaire la salle de bains",
			"bant_urgency": "Fuite sous la baignoire",
			"lqp_budget_range": "5,000 to 15,000",
			"bant_expected_start": str(start),
			"lqp_decides": "Yes, I decide",
			"lqp_consent_given": 1,
			"website": "",
			**values,
		}

	def post(self, answers: dict, lang: str = "fr"):
		return http(
			self.client,
			"post",
			ACCEPT,
			{"Accept-Language": lang},
			data={"web_form": "quote-request", "data": json.dumps(answers)},
		)

	def lead_of(self, email: str):
		frappe.db.rollback()  # see what the request committed
		name = frappe.db.get_value("Lead", {"email_id": email})
		return frappe.get_doc("Lead", name) if name else None

	def test_guest_request_creates_a_scored_lead_with_bant_filled(self):
		answers = self.answers()
		response = self.post(answers)
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
		lead = self.lead_of(answers["email_id"])
		self.assertIsNotNone(lead)
		self.assertEqual(lead.owner, "Guest")
		self.assertEqual(lead.bant_need, "Refaire la salle de bains")
		self.assertEqual(lead.bant_urgency, "Fuite sous la baignoire")
		self.assertEqual(lead.bant_budget_status, "Estimated")
		self.assertEqual(lead.bant_budget_amount, 10000)
		self.assertEqual(lead.bant_authority, "Talking to the Decision Maker")
		self.assertEqual(str(lead.bant_expected_start), answers["bant_expected_start"])
		self.assertEqual(lead.bant_completeness, 4)
		self.assertGreater(lead.lq_score, 0)
		ledger = scoring.ledger(lead.name)
		self.assertTrue(ledger)
		self.assertAlmostEqual(sum(row["points"] for row in ledger), lead.lq_score, places=2)
		self.assertTrue(
			frappe.db.exists("Lead Activity", {"lead": lead.name, "activity_type": "Web Form Submitted"})
		)
		# BANT complete: a prospect straight away, so not for the leads' nurture; the
		# prospect cadence (follow-up by the owner) takes it instead
		self.assertEqual(lead.qualification_status, "Qualified")
		self.assertFalse(frappe.db.exists("Nurture Enrollment", {"lead": lead.name, "stage": "Lead"}))
		self.assertTrue(frappe.db.exists("Nurture Enrollment", {"lead": lead.name, "stage": "Prospect"}))
		# consent as the visitor saw it, in French
		self.assertEqual(lead.lqp_lawful_basis, "Consent")
		self.assertTrue(lead.lqp_consent_on)
		self.assertTrue(lead.lqp_consent_wording.startswith("J\u2019accepte de recevoir des e-mails"))
		self.assertEqual(lead.lqp_consent_source, "Formulaire de demande de devis")

	def test_a_request_without_a_budget_is_enrolled_by_the_nurture_rules(self):
		answers = self.answers(lqp_budget_range="I don't know yet")
		self.assertEqual(self.post(answers).status_code, 200)
		lead = self.lead_of(answers["email_id"])
		self.assertEqual(lead.bant_completeness, 3)
		self.assertEqual(lead.qualification_status, "In Process")
		self.assertTrue(frappe.db.exists("Nurture Enrollment", {"lead": lead.name, "sequence": SEQUENCE}))

	def test_without_the_box_ticked_an_individual_has_no_basis(self):
		answers = self.answers(lqp_consent_given=0)
		self.assertEqual(self.post(answers).status_code, 200)
		lead = self.lead_of(answers["email_id"])
		self.assertEqual(lead.lqp_lawful_basis, "None")
		self.assertFalse(lead.lqp_consent_on)
		self.assertFalse(lead.lqp_consent_wording)

	def test_honeypot_is_refused_without_a_lead(self):
		answers = self.answers(website="http://cheap-pills.example")
		response = self.post(answers)
		self.assertNotEqual(response.status_code, 200)
		self.assertIsNone(self.lead_of(answers["email_id"]))

	def test_flood_from_one_address_is_refused_without_a_lead(self):
		update_single("Lead Privacy Settings", form_submissions_per_hour=2)
		frappe.db.commit()
		accepted = [self.answers(), self.answers()]
		for answers in accepted:
			self.assertEqual(self.post(answers).status_code, 200)
		flood = self.answers()
		response = self.post(flood)
		self.assertEqual(response.status_code, 429, response.get_data(as_text=True))
		self.assertIsNone(self.lead_of(flood["email_id"]))
		for answers in accepted:
			self.assertIsNotNone(self.lead_of(answers["email_id"]))

	def test_overlong_or_past_answers_are_refused(self):
		for bad in ({"bant_need": "x" * 2001}, {"bant_expected_start": str(add_days(nowdate(), -3))}):
			answers = self.answers(**bad)
			self.assertNotEqual(self.post(answers).status_code, 200)
			self.assertIsNone(self.lead_of(answers["email_id"]))

	def test_desk_leads_are_not_checked_as_form_requests(self):
		lead = make_lead(website="https://dupont-renovation.example")  # a real website, from the desk
		self.assertTrue(lead.name)
		frappe.db.rollback()


class TestConsentAndNurture(LeadQualificationTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		reset_settings()
		ensure_outgoing_email_account()
		make_sequence("LQ Privacy Sequence")
		update_single("Lead Privacy Settings", nurture_emails_need_basis=1)

	def tearDown(self):
		frappe.db.rollback()
		enrollment.clear_holiday_cache()

	def run_step(self, lead) -> dict:
		enrollment.enroll(lead.name, "LQ Privacy Sequence")
		frappe.db.set_value(
			"Nurture Enrollment", {"lead": lead.name}, "next_due", now_datetime() - timedelta(minutes=1)
		)
		worker.process_due(commit=False)
		return frappe.get_all(
			"Nurture Touch",
			filters={"lead": lead.name},
			fields=["step", "channel", "outcome", "note"],
			order_by="step",
		)

	def test_email_step_skipped_without_a_basis(self):
		lead = make_lead(lqp_consent_given=0)
		self.assertEqual(lead.lqp_lawful_basis, "None")
		touches = self.run_step(lead)
		self.assertEqual(touches[0].outcome, "Passed Over")
		self.assertEqual(touches[0].note, "No lawful basis for marketing e-mails")
		self.assertEqual(
			frappe.db.count("Email Queue", {"reference_doctype": "Lead", "reference_name": lead.name}), 0
		)

	def test_call_steps_are_unaffected(self):
		lead = make_lead(lqp_consent_given=0)
		self.run_step(lead)
		frappe.db.set_value(
			"Nurture Enrollment", {"lead": lead.name}, "next_due", now_datetime() - timedelta(minutes=1)
		)
		worker.process_due(commit=False)
		touches = frappe.get_all(
			"Nurture Touch", filters={"lead": lead.name, "step": 2}, fields=["outcome", "todo"]
		)
		self.assertEqual(touches[0].outcome, "Task Created")
		self.assertTrue(touches[0].todo)

	def test_email_goes_with_consent_and_to_a_professional_on_legitimate_interest(self):
		with_consent = make_lead()
		professional = make_lead(lqp_consent_given=0, company_name="Dupont Rénovation SARL")
		self.assertEqual(professional.lqp_lawful_basis, "Legitimate Interest")
		for lead in (with_consent, professional):
			self.assertEqual(self.run_step(lead)[0].outcome, "Sent")

	def test_individual_on_legitimate_interest_gets_no_email(self):
		lead = make_lead(
			lqp_consent_given=0, lqp_lawful_basis="Legitimate Interest", lqp_contact_kind="Individual"
		)
		self.assertEqual(self.run_step(lead)[0].outcome, "Passed Over")

	def test_unsubscribe_withdraws_consent(self):
		lead = make_lead()
		self.assertEqual(lead.lqp_lawful_basis, "Consent")
		frappe.get_doc(
			{
				"doctype": "Email Unsubscribe",
				"email": lead.email_id,
				"reference_doctype": "Lead",
				"reference_name": lead.name,
			}
		).insert(ignore_permissions=True)
		lead.reload()
		self.assertTrue(lead.lqp_consent_withdrawn_on)
		self.assertEqual(lead.lqp_lawful_basis, "None")
		self.assertFalse(lead.lqp_consent_given)
		self.assertEqual(lead_privacy.email_refusal(lead), "Consent withdrawn")

	def test_the_setting_turns_the_rule_off(self):
		update_single("Lead Privacy Settings", nurture_emails_need_basis=0)
		lead = make_lead(lqp_consent_given=0)
		self.assertEqual(self.run_step(lead)[0].outcome, "Sent")


class ErasureFixture:
	NAME = ("Jeanne", "Testeuse")

	def person(self, email: str):
		"""A lead with everything the app keeps: BANT, activities (details and URL), score
		ledger, nurture enrollment and touch, status log."""
		lead = make_lead(
			first_name=self.NAME[0],
			last_name=self.NAME[1],
			email_id=email,
			bant_need=f"Cuisine pour {self.NAME[0]} {self.NAME[1]}",
			bant_urgency="Déménagement",
			bant_decision_maker=f"{self.NAME[0]} {self.NAME[1]}",
			bant_authority="Talking to the Decision Maker",
			bant_budget_status="Confirmed",
		)
		activities.record(
			lead.name,
			"Page Viewed",
			event_id=f"web:test-{lead.name}",
			source=f"https://example.com/devis?email={email}",
			details=json.dumps({"email": email, "name": f"{self.NAME[0]} {self.NAME[1]}"}),
		)
		make_sequence("LQ Erasure Sequence", steps=[{"channel": "To Do", "task": "Rappeler"}])
		enrollment.enroll(lead.name, "LQ Erasure Sequence")
		frappe.db.set_value(
			"Nurture Enrollment", {"lead": lead.name}, "next_due", now_datetime() - timedelta(minutes=1)
		)
		worker.process_due(commit=False)
		lead.reload()
		self.assertTrue(frappe.db.exists("Lead Status Log", {"lead": lead.name}))
		self.assertTrue(frappe.db.exists("Lead Score Entry", {"lead": lead.name}))
		self.assertTrue(frappe.db.exists("Nurture Touch", {"lead": lead.name}))
		found = tables_mentioning(email, f"{self.NAME[0]} {self.NAME[1]}")
		self.assertIn("Lead Activity", found)  # the search does find the person before
		return lead


class TestErasure(ErasureFixture, LeadQualificationTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		reset_settings()
		ensure_outgoing_email_account()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_frappe_deletion_request_leaves_no_personal_data_in_the_app(self):
		email = f"lq-erase-{frappe.generate_hash(length=8)}@example.com"
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": self.NAME[0],
				"last_name": self.NAME[1],
				"user_type": "Website User",
				"send_welcome_email": 0,
			}
		).insert(ignore_permissions=True)
		lead = self.person(email)
		request = frappe.get_doc({"doctype": "Personal Data Deletion Request", "email": email}).insert(
			ignore_permissions=True
		)
		request.db_set("status", "Pending Approval")
		request.reload()
		request.trigger_data_deletion()
		request.reload()
		self.assertEqual(request.status, "Deleted")
		self.assertEqual(tables_mentioning(email, self.NAME[0], self.NAME[1]), {})
		self.assertTrue(frappe.db.get_value("Lead", lead.name, "lqp_anonymised_on"))
		log = frappe.get_doc("Personal Data Erasure Log", {"lead": lead.name})
		self.assertEqual(log.trigger, "Deletion Request")
		self.assertEqual(log.reference, request.name)
		self.assertEqual(log.email_hash, personal_data.fingerprint(email))
		self.assertNotIn(email, json.dumps(log.as_dict(), default=str))

	def test_frappe_deletion_request_cannot_finish_for_a_person_who_is_not_a_user(self):
		"""What the README says: Frappe's request disables the User first, so for a lead
		who is not a User it stops before redacting anything; the Erase action is the way."""
		email = f"lq-erase-{frappe.generate_hash(length=8)}@example.com"
		lead = make_lead(first_name=self.NAME[0], email_id=email)
		request = frappe.get_doc({"doctype": "Personal Data Deletion Request", "email": email}).insert(
			ignore_permissions=True
		)
		request.db_set("status", "Pending Approval")
		request.reload()
		with self.assertRaises(frappe.DoesNotExistError):
			request.trigger_data_deletion()
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "email_id"), email)

	def test_erase_action_for_a_person_who_is_not_a_user(self):
		email = f"lq-erase-{frappe.generate_hash(length=8)}@example.com"
		lead = self.person(email)
		second = make_lead(first_name=self.NAME[0])
		frappe.db.set_value("Lead", second.name, "email_id", email)  # ERPNext refuses a duplicate
		make_user(SALES_MANAGER, ["Sales Manager"])
		frappe.set_user(SALES_MANAGER)
		result = privacy_api.erase_personal_data(lead.name)
		frappe.set_user("Administrator")
		self.assertEqual(set(result["leads"]), {lead.name, second.name})
		self.assertEqual(tables_mentioning(email, self.NAME[0], self.NAME[1]), {})
		self.assertEqual(frappe.db.count("Personal Data Erasure Log", {"lead": ("in", result["leads"])}), 2)
		doc = frappe.get_doc("Lead", lead.name)
		self.assertEqual(doc.status, "Do Not Contact")
		self.assertTrue(doc.unsubscribed)
		# the score and the activity rows stay (not personal once the lead is anonymous)
		self.assertTrue(frappe.db.exists("Lead Activity", {"lead": lead.name}))

	def test_erase_action_needs_a_sales_manager(self):
		lead = make_lead()
		make_user(SALES_USER, ["Sales User"])
		frappe.set_user(SALES_USER)
		with self.assertRaises(frappe.PermissionError):
			privacy_api.erase_personal_data(lead.name)
		with self.assertRaises(frappe.PermissionError):
			privacy_api.download_personal_data(lead.name)
		frappe.set_user("Administrator")
		self.assertFalse(frappe.db.get_value("Lead", lead.name, "lqp_anonymised_on"))

	def test_download_has_the_apps_records(self):
		email = f"lq-erase-{frappe.generate_hash(length=8)}@example.com"
		lead = self.person(email)
		data = json.loads(privacy_api.download_personal_data(lead.name))
		self.assertEqual(data["Lead"][0]["email_id"], email)
		for doctype in (
			"Lead Activity",
			"Lead Score Entry",
			"Nurture Touch",
			"Lead Status Log",
			"Nurture Enrollment",
		):
			self.assertIn(doctype, data)


class TestRetention(LeadQualificationTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		reset_settings()
		update_single(
			"Lead Privacy Settings", retention_months=36, retention_action="Anonymise", retention_batch_size=2
		)
		# the site's other leads are not this test's: only its own may be past the limit
		frappe.db.sql(
			"update `tabLead` set creation = now() where creation < %s", add_months(now_datetime(), -36)
		)

	def tearDown(self):
		frappe.db.rollback()

	def aged(self, months: int, **values):
		lead = make_lead(**values)
		frappe.db.set_value(
			"Lead", lead.name, "creation", add_months(now_datetime(), -months), update_modified=False
		)
		return lead.name

	def test_retention_anonymises_exactly_the_leads_past_the_limit(self):
		past = [self.aged(40), self.aged(37), self.aged(48)]
		recent_reply = self.aged(40)
		activities.record(
			recent_reply,
			"Email Received",
			add_months(now_datetime(), -2),
			event_id=f"test-reply-{recent_reply}",
		)
		only_opened = self.aged(40)  # an e-mail we sent that was opened is not a contact from them
		activities.record(
			only_opened, "Email Opened", add_months(now_datetime(), -1), event_id=f"test-open-{only_opened}"
		)
		past.append(only_opened)
		young = self.aged(35)
		converted = self.aged(50)
		frappe.db.set_value("Lead", converted, "status", "Converted")

		listed = {row.name for row in retention.candidates(now_datetime(), 36)}
		self.assertEqual(listed, set(past))  # the dry run (report) lists exactly these

		run = frappe.get_doc("Lead Retention Run", retention.run(commit=False))
		self.assertEqual(run.status, "Completed")
		self.assertEqual(run.leads_found, len(past))
		self.assertEqual(run.leads_anonymised, len(past))
		ours = [*past, recent_reply, young, converted]
		erased = {lead for lead in ours if frappe.db.get_value("Lead", lead, "lqp_anonymised_on")}
		self.assertEqual(erased, set(past))
		for lead in (recent_reply, young, converted):
			self.assertNotEqual(frappe.db.get_value("Lead", lead, "first_name"), personal_data.REDACTED_NAME)
		self.assertEqual(
			frappe.db.count(
				"Personal Data Erasure Log", {"trigger": "Retention", "reference": str(run.name)}
			),
			len(past),
		)
		# a second run finds nothing more
		self.assertEqual(frappe.get_doc("Lead Retention Run", retention.run(commit=False)).leads_found, 0)

	def test_delete_mode_deletes_the_lead_and_its_records(self):
		update_single("Lead Privacy Settings", retention_action="Delete")
		lead = self.aged(40)
		activities.record(lead, "Page Viewed", add_months(now_datetime(), -39), event_id=f"test-view-{lead}")
		run = frappe.get_doc("Lead Retention Run", retention.run(commit=False))
		self.assertEqual(run.leads_deleted, 1)
		self.assertFalse(frappe.db.exists("Lead", lead))
		self.assertFalse(frappe.db.exists("Lead Activity", {"lead": lead}))

	def test_the_daily_entry_does_nothing_while_retention_is_off(self):
		update_single("Lead Privacy Settings", retention_enabled=0)
		lead = self.aged(40)
		retention.daily()
		self.assertFalse(frappe.db.get_value("Lead", lead, "lqp_anonymised_on"))


class TestEventsEndpointLimits(LeadQualificationTestCase):
	client = get_test_client()

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		reset_settings()
		make_user(SALES_USER, ["Sales User"])
		cls.token = api_token(SALES_USER)
		cls.lead = make_lead()
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		frappe.delete_doc("Lead", cls.lead.name, force=True, ignore_permissions=True)
		frappe.db.commit()
		super().tearDownClass()

	def setUp(self):
		frappe.cache.delete_keys("rl:")

	def push(self, **data):
		return http(self.client, "post", PUSH, {"Authorization": self.token}, json=data)

	def activities(self) -> int:
		frappe.db.rollback()
		return frappe.db.count("Lead Activity", {"lead": self.lead.name})

	def test_rate_limited_per_key(self):
		before = self.activities()
		original = scoring_api.EVENTS_PER_MINUTE
		scoring_api.EVENTS_PER_MINUTE = 2
		try:
			codes = [self.push(event_type="Page Viewed", lead=self.lead.name).status_code for _ in range(3)]
		finally:
			scoring_api.EVENTS_PER_MINUTE = original
		self.assertEqual(codes, [200, 200, 429])
		self.assertEqual(self.activities(), before + 2)

	def test_payload_size_is_bounded(self):
		before = self.activities()
		response = self.push(
			event_type="Page Viewed", lead=self.lead.name, url="https://example.com/" + "a" * 9000
		)
		self.assertEqual(response.status_code, 413)
		self.assertEqual(self.activities(), before)
