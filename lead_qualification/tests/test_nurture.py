"""Integration tests on a real ERPNext site: nurture enrollments, cadence, stop rules,
limits, e-mail through Email Queue, call tasks as ToDos."""

import email
import zlib
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

import frappe
from frappe.utils import add_days, get_datetime, getdate, now_datetime, nowdate

from lead_qualification.lead_nurture import api, enrollment, mailer, worker
from lead_qualification.lead_nurture.enrollment import NurtureError
from lead_qualification.lead_scoring import scoring
from lead_qualification.tests.utils import (
	COMPLETE_BANT,
	LeadQualificationTestCase,
	ensure_outgoing_email_account,
	make_lead,
	reset_settings,
	set_nurture_settings,
	set_scoring_settings,
	use_rules,
)

SEQUENCE = "LQ Test Sequence"


def make_sequence(name=SEQUENCE, steps=None, **values):
	if frappe.db.exists("Nurture Sequence", name):
		frappe.delete_doc("Nurture Sequence", name, force=True)
	return frappe.get_doc(
		{
			"doctype": "Nurture Sequence",
			"sequence_name": name,
			"enabled": 1,
			"steps": steps
			or [
				{
					"channel": "Email",
					"email_template": "Nurture - Useful advice",
					"email_template_fr": "Nurture - Conseils utiles",
				},
				{"channel": "Call Task", "task": "Call about the project"},
				{"channel": "Email", "email_template": "Nurture - Checking in"},
			],
			**values,
		}
	).insert()


def enrollment_of(lead):
	# the lead's nurture (a promoted lead also gets a prospect cadence: its own enrollment)
	return frappe.get_doc("Nurture Enrollment", {"lead": lead.name, "stage": "Lead"})


def email_queue_rows(lead) -> int:
	return frappe.db.count("Email Queue", {"reference_doctype": "Lead", "reference_name": lead.name})


def run_worker():
	return worker.process_due(commit=False)


class NurtureTestCase(LeadQualificationTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		reset_settings()
		use_rules()
		ensure_outgoing_email_account()
		make_sequence()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		scoring.clear_rules_cache()
		enrollment.clear_holiday_cache()

	def make_due(self, lead):
		enrollment.enroll(lead.name, SEQUENCE)
		frappe.db.set_value(
			"Nurture Enrollment", {"lead": lead.name}, "next_due", now_datetime() - timedelta(minutes=1)
		)


class TestSending(NurtureTestCase):
	def test_first_touch_is_an_email_through_email_queue(self):
		lead = make_lead(first_name="Camille")
		self.make_due(lead)
		counts = run_worker()
		self.assertEqual(counts["touched"], 1)
		self.assertEqual(email_queue_rows(lead), 1)
		queue = frappe.get_doc("Email Queue", {"reference_name": lead.name})
		self.assertIn("Camille", queue.message)
		self.assertEqual(queue.add_unsubscribe_link, 1)
		self.assertEqual([r.recipient for r in queue.recipients], [lead.email_id])
		touch = frappe.get_doc("Nurture Touch", {"lead": lead.name})
		self.assertEqual((touch.step, touch.outcome, touch.email_queue), (1, "Sent", queue.name))
		e = enrollment_of(lead)
		self.assertEqual(e.next_step, 2)
		# cold lead: next touch a month later
		self.assertAlmostEqual((get_datetime(e.next_due) - get_datetime(e.last_touch_on)).days, 30)

	def test_french_lead_gets_the_french_template(self):
		lead = make_lead(first_name="Benoît", language="fr")
		self.make_due(lead)
		run_worker()
		queue = frappe.get_doc("Email Queue", {"reference_name": lead.name})
		self.assertIn("Bonjour", queue.message)

	def test_call_step_creates_a_todo_for_the_lead_owner(self):
		lead = make_lead(lead_owner="Administrator")
		make_sequence(steps=[{"channel": "Call Task", "task": "Call about the kitchen"}])
		self.make_due(lead)
		run_worker()
		todo = frappe.get_doc("ToDo", {"reference_type": "Lead", "reference_name": lead.name})
		self.assertEqual(todo.allocated_to, "Administrator")
		self.assertIn("Call about the kitchen", todo.description)
		self.assertEqual(enrollment_of(lead).status, "Completed")

	def test_a_step_is_done_at_most_once(self):
		lead = make_lead()
		self.make_due(lead)
		run_worker()
		# force it due again: the same step cannot be recorded twice
		e = enrollment_of(lead)
		frappe.db.set_value(
			"Nurture Enrollment", e.name, {"next_step": 1, "next_due": now_datetime() - timedelta(minutes=1)}
		)
		counts = run_worker()
		self.assertEqual(counts["failed"], 1)
		self.assertEqual(email_queue_rows(lead), 1)
		self.assertEqual(frappe.db.count("Nurture Touch", {"lead": lead.name}), 1)
		self.assertTrue(frappe.db.exists("Error Log", {"reference_name": e.name}))

	def test_a_failing_enrollment_does_not_stop_the_others(self):
		good, bad = make_lead(), make_lead()
		make_sequence("LQ Broken", steps=[{"channel": "Email", "email_template": "Nurture - Useful advice"}])
		enrollment.enroll(bad.name, "LQ Broken")
		frappe.db.set_value("Nurture Step", {"parent": "LQ Broken"}, "email_template", "No such template")
		frappe.clear_document_cache("Nurture Sequence", "LQ Broken")
		self.make_due(good)
		frappe.db.set_value(
			"Nurture Enrollment", {"lead": bad.name}, "next_due", now_datetime() - timedelta(minutes=1)
		)
		counts = run_worker()
		self.assertEqual((counts["touched"], counts["failed"]), (1, 1))
		self.assertEqual(email_queue_rows(good), 1)
		self.assertEqual(email_queue_rows(bad), 0)
		bad_enrollment = enrollment_of(bad)
		self.assertEqual(bad_enrollment.next_step, 1)  # not skipped: retried later
		self.assertGreater(get_datetime(bad_enrollment.next_due), now_datetime() + timedelta(minutes=50))


class TestCadence(NurtureTestCase):
	def banded_lead(self, band_points):
		use_rules({"field_name": "bant_need", "operator": "is set", "points": band_points})
		return make_lead(bant_need="Porch")

	def test_cadence_by_band(self):
		for points, band, days in ((70, "Hot", 2), (30, "Warm", 7), (5, "Cold", 30)):
			lead = self.banded_lead(points)
			self.assertEqual(lead.lq_score_band, band)
			self.make_due(lead)
			run_worker()
			e = enrollment_of(lead)
			self.assertEqual((get_datetime(e.next_due) - get_datetime(e.last_touch_on)).days, days, band)

	def test_band_change_retimes_without_re_enrolling(self):
		lead = self.banded_lead(5)
		self.make_due(lead)
		run_worker()
		e = enrollment_of(lead)
		self.assertEqual((get_datetime(e.next_due) - get_datetime(e.last_touch_on)).days, 30)
		set_scoring_settings(hot_threshold=4, warm_threshold=2)  # the same score is now Hot
		scoring.rescore_leads([lead.name])
		e.reload()
		self.assertEqual(frappe.db.count("Nurture Enrollment", {"lead": lead.name}), 1)
		self.assertEqual(e.next_step, 2)
		self.assertEqual((get_datetime(e.next_due) - get_datetime(e.last_touch_on)).days, 2)

	def test_band_change_on_save_retimes(self):
		use_rules(
			{"field_name": "bant_budget_status", "operator": "equals", "value": "Financed", "points": 80}
		)
		lead = make_lead()
		self.make_due(lead)
		run_worker()
		lead.reload()
		lead.bant_budget_status = "Financed"
		lead.save()
		e = enrollment_of(lead)
		self.assertEqual((get_datetime(e.next_due) - get_datetime(e.last_touch_on)).days, 2)

	def test_band_condition_on_a_step_is_recorded_when_passed_over(self):
		lead = make_lead()
		make_sequence(
			steps=[
				{"channel": "Email", "email_template": "Nurture - Useful advice", "band": "Hot"},
				{"channel": "To Do", "task": "Review"},
			]
		)
		self.make_due(lead)
		counts = run_worker()
		self.assertEqual(counts["passed_over"], 1)
		touch = frappe.get_doc("Nurture Touch", {"lead": lead.name, "step": 1})
		self.assertEqual(touch.outcome, "Passed Over")
		self.assertEqual(email_queue_rows(lead), 0)


class TestLimits(NurtureTestCase):
	def test_quiet_hours_postpone(self):
		now = now_datetime()
		start = (now - timedelta(hours=1)).strftime("%H:%M:%S")
		end = (now + timedelta(hours=1)).strftime("%H:%M:%S")
		set_nurture_settings(quiet_hours_start=start, quiet_hours_end=end)
		lead = make_lead()
		self.make_due(lead)
		counts = run_worker()
		self.assertEqual(counts["postponed"], 1)
		self.assertEqual(email_queue_rows(lead), 0)
		self.assertGreater(get_datetime(enrollment_of(lead).next_due), now)

	def test_weekly_cap(self):
		set_nurture_settings(max_touches_per_week=1)
		lead = make_lead()
		make_sequence("LQ Other", steps=[{"channel": "To Do", "task": "Check"}])
		enrollment.enroll(lead.name, "LQ Other")
		frappe.db.set_value(
			"Nurture Enrollment", {"lead": lead.name}, "next_due", now_datetime() - timedelta(minutes=1)
		)
		run_worker()  # one touch this week
		self.make_due(lead)
		counts = run_worker()
		self.assertEqual(counts["postponed"], 1)
		self.assertEqual(email_queue_rows(lead), 0)

	def test_company_holidays(self):
		company = frappe.db.get_value("Company", {}, "name")
		holiday_list = frappe.get_doc(
			{
				"doctype": "Holiday List",
				"holiday_list_name": f"LQ {frappe.generate_hash(length=5)}",
				"from_date": add_days(nowdate(), -10),
				"to_date": add_days(nowdate(), 10),
				"holidays": [{"holiday_date": nowdate(), "description": "Test holiday"}],
			}
		).insert()
		frappe.db.set_value("Company", company, "default_holiday_list", holiday_list.name)
		set_nurture_settings(use_holiday_list=1)
		lead = make_lead(company=company)
		self.make_due(lead)
		enrollment.clear_holiday_cache()
		counts = run_worker()
		self.assertEqual(counts["postponed"], 1)
		self.assertGreater(getdate(enrollment_of(lead).next_due), getdate())


class TestStopRules(NurtureTestCase):
	def assertStopped(self, lead, reason):
		e = enrollment_of(lead)
		self.assertEqual((e.status, e.stop_reason), ("Stopped", reason))

	def test_reply_stops(self):
		lead = make_lead()
		enrollment.enroll(lead.name, SEQUENCE)
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"sent_or_received": "Received",
				"sender": lead.email_id,
				"subject": "Re: conseils",
				"content": "Merci, rappelez-moi",
			}
		).insert(ignore_permissions=True)
		self.assertStopped(lead, "Replied")

	def test_promotion_stops(self):
		lead = make_lead(bant_need="Roof")
		enrollment.enroll(lead.name, SEQUENCE)
		lead.update(COMPLETE_BANT)
		lead.save()
		self.assertEqual(lead.qualification_status, "Qualified")
		self.assertStopped(lead, "Promoted")

	def test_opportunity_stops(self):
		lead = make_lead()
		enrollment.enroll(lead.name, SEQUENCE)
		frappe.get_doc(
			{
				"doctype": "Opportunity",
				"opportunity_from": "Lead",
				"party_name": lead.name,
				"company": frappe.db.get_value("Company", {}, "name"),
			}
		).insert()
		self.assertStopped(lead, "Opportunity")

	def test_quotation_stops(self):
		from lead_qualification.tests.test_gates import quotation

		lead = make_lead()
		enrollment.enroll(lead.name, SEQUENCE)
		quotation(lead.name, lq_gate_override=1, lq_gate_override_reason="Test").insert()
		self.assertStopped(lead, "Quotation")

	def test_customer_stops(self):
		from erpnext.crm.doctype.lead.lead import make_customer

		lead = make_lead()
		enrollment.enroll(lead.name, SEQUENCE)
		customer = make_customer(lead.name)
		customer.customer_group = frappe.db.get_value("Customer Group", {"is_group": 0})
		customer.territory = frappe.db.get_value("Territory", {"is_group": 0})
		customer.insert()
		self.assertStopped(lead, "Customer")

	def test_do_not_contact_and_lost_stop(self):
		for status, reason in (("Do Not Contact", "Do Not Contact"), ("Lost Quotation", "Lost")):
			lead = make_lead()
			enrollment.enroll(lead.name, SEQUENCE)
			frappe.db.set_value("Lead", lead.name, "status", status)  # as ERPNext's own status updates do
			self.make_due_again(lead)
			run_worker()
			self.assertStopped(lead, reason)

	def make_due_again(self, lead):
		frappe.db.set_value(
			"Nurture Enrollment", {"lead": lead.name}, "next_due", now_datetime() - timedelta(minutes=1)
		)

	def test_unsubscribe_is_honoured(self):
		lead = make_lead()
		self.make_due(lead)
		frappe.get_doc(
			{
				"doctype": "Email Unsubscribe",
				"email": lead.email_id,
				"reference_doctype": "Lead",
				"reference_name": lead.name,
			}
		).insert(ignore_permissions=True)
		self.assertStopped(lead, "Unsubscribed")
		run_worker()
		self.assertEqual(email_queue_rows(lead), 0)

	def test_global_unsubscribe_found_by_the_worker(self):
		lead = make_lead()
		self.make_due(lead)
		frappe.db.sql(
			"insert into `tabEmail Unsubscribe` (name, email, global_unsubscribe, creation, modified) values (%s, %s, 1, now(), now())",
			(frappe.generate_hash(length=10), lead.email_id),
		)
		run_worker()
		self.assertStopped(lead, "Unsubscribed")
		self.assertEqual(email_queue_rows(lead), 0)

	def test_unsubscribe_in_another_case_stops_the_worker(self):
		"""foo@x.com's nurture stops when " FOO@X.COM " unsubscribed, globally or from this
		lead, and nothing is queued. Written straight to the table, as an import would, so that
		the worker (not the insert hook) finds them."""
		for is_global in (1, 0):
			lead = make_lead()
			self.make_due(lead)
			frappe.db.sql(
				"""insert into `tabEmail Unsubscribe` (name, email, global_unsubscribe,
				reference_doctype, reference_name, creation, modified)
				values (%s, %s, %s, %s, %s, now(), now())""",
				(
					frappe.generate_hash(length=10),
					f" {lead.email_id.upper()} ",
					is_global,
					None if is_global else "Lead",
					None if is_global else lead.name,
				),
			)
			run_worker()
			self.assertStopped(lead, "Unsubscribed")
			self.assertEqual(email_queue_rows(lead), 0)

	def test_unsubscribe_from_another_lead_does_not_stop(self):
		"""An address that left one lead's e-mails still gets another lead's, as with Frappe,
		whichever leads the worker looks at together."""
		a, b = make_lead(), make_lead()
		address = a.email_id
		# ERPNext refuses a second lead with the address unless CRM Settings allow it
		frappe.db.set_value("Lead", b.name, "email_id", address)
		facts_before = enrollment.lead_facts([{"lead": b.name, "enrolled_on": now_datetime()}])
		frappe.get_doc(
			{
				"doctype": "Email Unsubscribe",
				"email": address,
				"reference_doctype": "Lead",
				"reference_name": a.name,
			}
		).insert(ignore_permissions=True)
		both = [{"lead": lead.name, "enrolled_on": now_datetime()} for lead in (a, b)]
		facts = enrollment.lead_facts(both)
		self.assertTrue(facts[a.name].unsubscribed)
		self.assertFalse(facts[b.name].unsubscribed)
		self.assertEqual(facts[b.name], facts_before[b.name])

	def test_global_unsubscribe_in_another_case_stops_at_once(self):
		lead = make_lead()
		enrollment.enroll(lead.name, SEQUENCE)
		frappe.get_doc(
			{"doctype": "Email Unsubscribe", "email": f" {lead.email_id.upper()}", "global_unsubscribe": 1}
		).insert(ignore_permissions=True)
		self.assertStopped(lead, "Unsubscribed")

	def test_reply_from_the_address_in_another_case_is_found_by_the_worker(self):
		lead = make_lead()
		self.make_due(lead)
		set_nurture_settings(enabled=0)  # the insert hook is off: the worker must find the reply
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"sent_or_received": "Received",
				"sender": lead.email_id.upper(),
				"subject": "Re: conseils",
				"content": "Merci",
			}
		).insert(ignore_permissions=True)
		set_nurture_settings(enabled=1)
		self.assertEqual(enrollment_of(lead).status, "Active")
		run_worker()
		self.assertStopped(lead, "Replied")
		self.assertEqual(email_queue_rows(lead), 0)

	def test_bounce_stops(self):
		lead = make_lead()
		self.make_due(lead)
		comm = frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"sent_or_received": "Sent",
				"recipients": lead.email_id,
				"subject": "Earlier mail",
				"content": "x",
				"reference_doctype": "Lead",
				"reference_name": lead.name,
			}
		).insert(ignore_permissions=True)
		frappe.db.set_value("Communication", comm.name, "delivery_status", "Bounced")
		run_worker()
		self.assertStopped(lead, "Bounced")

	def test_enrolling_a_prospect_is_refused(self):
		lead = make_lead(**COMPLETE_BANT)
		with self.assertRaises(NurtureError) as cm:
			enrollment.enroll(lead.name, SEQUENCE)
		self.assertIn("Promoted", str(cm.exception))


class TestEnrollment(NurtureTestCase):
	def test_auto_enrollment_by_source(self):
		source = (
			frappe.db.get_value("Lead Source", {}, "name")
			or frappe.get_doc({"doctype": "Lead Source", "source_name": "LQ Web"}).insert().name
		)
		make_sequence("LQ Auto", auto_enroll=1, enroll_source=source)
		matching = make_lead(source=source)
		other = make_lead()
		self.assertTrue(
			frappe.db.exists("Nurture Enrollment", {"lead": matching.name, "sequence": "LQ Auto"})
		)
		self.assertFalse(frappe.db.exists("Nurture Enrollment", {"lead": other.name, "sequence": "LQ Auto"}))

	def test_bulk_enrollment_from_the_list(self):
		leads = [make_lead() for _ in range(3)]
		prospect = make_lead(**COMPLETE_BANT)
		result = api.enroll_many([lead.name for lead in leads] + [prospect.name], SEQUENCE)
		self.assertEqual(sorted(result["enrolled"]), sorted(lead.name for lead in leads))
		self.assertEqual(result["skipped"], [prospect.name])
		# enrolling again reuses the open enrollment
		api.enroll_many([leads[0].name], SEQUENCE)
		self.assertEqual(frappe.db.count("Nurture Enrollment", {"lead": leads[0].name}), 1)

	def test_lead_form_lists_enrollments(self):
		lead = make_lead()
		enrollment.enroll(lead.name, SEQUENCE)
		rows = api.get_for_lead(lead.name)
		self.assertEqual([(r.sequence, r.status) for r in rows], [(SEQUENCE, "Active")])

	def test_sequence_validation(self):
		with self.assertRaises(frappe.ValidationError):
			make_sequence("LQ Bad", steps=[{"channel": "Call Task", "task": " "}])


def parts_of(message: str) -> dict:
	"""An Email Queue message's headers and decoded parts, without what differs between
	two e-mails of the same content (Message-Id, Date, MIME boundaries)."""
	msg = email.message_from_string(message)
	headers = {k: v for k, v in msg.items() if k not in ("Message-Id", "Date", "Content-Type")}
	bodies = [
		part.get_payload(decode=True).decode() for part in msg.walk() if part.get_content_maintype() == "text"
	]
	return {"headers": headers, "bodies": bodies}


@contextmanager
def batch_rollback_spares_the_test():
	"""The worker rolls a failed batch back; in a test, that must undo what the batch did,
	not the test's own leads and enrollments (its transaction is never committed)."""
	frappe.db.savepoint("lq_before_run")
	real_rollback = frappe.db.rollback

	def rollback(*, save_point=None):
		return real_rollback(save_point=save_point or "lq_before_run")

	with patch.object(frappe.db, "rollback", rollback):
		yield


class TestRunMailer(NurtureTestCase):
	"""The worker's e-mails are the ones frappe.sendmail writes, and the batch's writes are
	kept or dropped with their enrollment."""

	def test_email_queue_row_is_the_one_frappe_sendmail_writes(self):
		lead = make_lead(first_name="Gaëlle")
		self.make_due(lead)
		run_worker()
		ours = frappe.get_doc("Email Queue", {"reference_name": lead.name})

		template = frappe.get_doc("Email Template", "Nurture - Useful advice")
		row = frappe._dict(frappe.db.get_value("Lead", lead.name, "*", as_dict=True))
		theirs = frappe.sendmail(
			recipients=[lead.email_id],
			subject=template.get_formatted_subject(row),
			message=template.get_formatted_response(row),
			reference_doctype="Lead",
			reference_name=lead.name,
			now=False,
			delayed=True,
			add_unsubscribe_link=1,
			unsubscribe_message=frappe._("Don't want these e-mails?"),
		)
		theirs = frappe.get_doc("Email Queue", theirs.name)
		ignore = {"name", "creation", "modified", "message_id", "message", "recipients"}
		fields = [f for f in ours.as_dict() if f not in ignore and not f.startswith("_")]
		self.assertEqual({f: ours.get(f) for f in fields}, {f: theirs.get(f) for f in fields})
		self.assertEqual(
			[(r.recipient, r.status) for r in ours.recipients],
			[(r.recipient, r.status) for r in theirs.recipients],
		)
		self.assertEqual(parts_of(ours.message), parts_of(theirs.message))
		self.assertIn("Gaëlle", parts_of(ours.message)["bodies"][-1])
		self.assertIn("<!--unsubscribe_url-->", ours.message)

	def test_unsubscribe_list_read_per_batch_with_frappes_rule(self):
		from frappe.email.doctype.email_queue.email_queue import QueueBuilder

		a, b = make_lead(), make_lead()
		address = a.email_id
		frappe.get_doc(
			{
				"doctype": "Email Unsubscribe",
				"email": address.upper(),
				"reference_doctype": "Lead",
				"reference_name": a.name,
			}
		).insert(ignore_permissions=True)

		def frappes_answer(lead_name):
			# Frappe returns the address as stored, and then compares it with case: the
			# run's list gives the recipient's own spelling, so that it is left out
			return [
				e.lower()
				for e in QueueBuilder(
					recipients=[address], reference_doctype="Lead", reference_name=lead_name
				).get_unsubscribed_user_emails()
			]

		run = mailer.RunMailer()
		run.load_unsubscribed({a.name: address, b.name: address})
		for lead in (a, b):
			self.assertEqual(run.unsubscribed_among([address], lead.name), frappes_answer(lead.name))
		self.assertEqual(run.unsubscribed_among([address], a.name), [address])  # from this lead
		self.assertEqual(run.unsubscribed_among([address], b.name), [])  # the same address, another lead
		self.assertIsNone(run.unsubscribed_among([address], "not loaded"))

		# Where the run differs from Frappe, on purpose: QueueBuilder found ADDRESS (its query
		# compares without case) but drops recipients with a case-sensitive `not in`, so it
		# would still send to the address that unsubscribed in capitals; the run does not.
		# (Should this first line fail, Frappe compares without case too.)
		frappe_builder = QueueBuilder(recipients=[address], reference_doctype="Lead", reference_name=a.name)
		self.assertEqual(frappe_builder.final_recipients(), [address])
		run_builder = mailer._RunQueueBuilder(
			run, recipients=[address], reference_doctype="Lead", reference_name=a.name
		)
		self.assertEqual(run_builder.final_recipients(), [])

		template = frappe.get_doc("Email Template", "Nurture - Useful advice")
		row = frappe._dict(frappe.db.get_value("Lead", b.name, "*", as_dict=True))
		row.email_id = address
		self.assertIsNotNone(run.queue(template, row))
		frappe.get_doc({"doctype": "Email Unsubscribe", "email": address, "global_unsubscribe": 1}).insert(
			ignore_permissions=True
		)
		run.load_unsubscribed({b.name: address})
		self.assertEqual(run.unsubscribed_among([address], b.name), frappes_answer(b.name))
		self.assertIsNone(run.queue(template, row))  # unsubscribed from everything: nothing queued

	def test_reused_email_work_is_put_back_after_the_run(self):
		import frappe.email.email_body
		import premailer.merge_style
		import premailer.premailer

		def functions():
			return (
				frappe.email.email_body.markdown,
				premailer.premailer.csstext_to_pairs,
				premailer.merge_style.csstext_to_pairs,
				premailer.premailer._create_cssselector,
				premailer.premailer.Premailer._parse_style_rules,
				premailer.premailer.Premailer._css_rules_to_string,
				premailer.premailer.Premailer._load_external,
			)

		before = functions()
		with mailer.reuse_email_work():
			self.assertTrue(all(a is not b for a, b in zip(before, functions(), strict=True)))
		self.assertEqual(functions(), before)

	def test_compiled_template_renders_like_frappe(self):
		run = mailer.RunMailer()
		text = "Bonjour {{ lead_name }}{% if company_name %} ({{ company_name }}){% endif %}"
		for context in ({"lead_name": "Ana"}, {"lead_name": "Luc", "company_name": "Bois & Co"}):
			self.assertEqual(run.render(text, context), frappe.render_template(text, context))
		with self.assertRaises(frappe.ValidationError):
			run.render("{{ lead_name.__class__ }}", {"lead_name": "x"})

	def test_a_failing_enrollment_loses_its_queued_email(self):
		good, bad = make_lead(), make_lead()
		self.make_due(good)
		self.make_due(bad)
		real_advance = worker.advance

		def advance(writes, row, *args, **kwargs):
			if row.lead == bad.name:  # after its e-mail was queued for the batch
				raise RuntimeError("disk full")
			return real_advance(writes, row, *args, **kwargs)

		with patch.object(worker, "advance", advance):
			counts = run_worker()
		self.assertEqual((counts["touched"], counts["failed"]), (1, 1))
		self.assertEqual((email_queue_rows(good), email_queue_rows(bad)), (1, 0))
		self.assertEqual(frappe.db.count("Nurture Touch", {"lead": bad.name}), 0)
		self.assertEqual(enrollment_of(bad).next_step, 1)
		self.assertEqual(enrollment_of(good).next_step, 2)

	def test_a_batch_that_cannot_be_written_is_left_due(self):
		lead = make_lead()
		self.make_due(lead)
		with (
			patch.object(mailer.RunMailer, "flush", side_effect=RuntimeError("lost connection")) as flush,
			batch_rollback_spares_the_test(),
		):
			counts = worker.process_due(commit=False)
		# tried three times, then left for the next run; nothing counted as done
		self.assertEqual(flush.call_count, worker.MAX_BATCH_RETRIES)
		self.assertEqual(counts["batches_retried"], worker.MAX_BATCH_RETRIES)
		self.assertEqual(counts["touched"], 0)
		self.assertTrue(frappe.db.exists("Error Log", {"method": "Nurture batch could not be written"}))

	def test_a_batch_is_taken_again_after_a_deadlock(self):
		lead = make_lead()
		self.make_due(lead)
		real_flush = mailer.RunMailer.flush
		calls = []

		def flush(run):
			calls.append(1)
			if len(calls) == 1:
				raise frappe.QueryDeadlockError("Deadlock found when trying to get lock")
			return real_flush(run)

		with patch.object(mailer.RunMailer, "flush", flush), batch_rollback_spares_the_test():
			counts = worker.process_due(commit=False)
		self.assertEqual((counts["batches_retried"], counts["touched"]), (1, 1))
		self.assertEqual(email_queue_rows(lead), 1)
		self.assertEqual(frappe.db.count("Nurture Touch", {"lead": lead.name}), 1)


class TestParallelJobs(NurtureTestCase):
	def test_enqueue_due_queues_one_job_per_part(self):
		set_nurture_settings(parallel_jobs=3)
		self.make_due(make_lead())
		with patch.object(frappe, "enqueue") as enqueue:
			worker.enqueue_due()
		calls = [c.kwargs for c in enqueue.call_args_list]
		self.assertEqual([(c["part"], c["parts"]) for c in calls], [(0, 3), (1, 3), (2, 3)])
		self.assertEqual(len({c["job_id"] for c in calls}), 3)
		self.assertTrue(all(c["queue"] == "long" and c["deduplicate"] for c in calls))

	def test_parts_share_the_work_by_lead(self):
		leads = [make_lead() for _ in range(6)]
		make_sequence("LQ Second", steps=[{"channel": "To Do", "task": "Check"}])
		for lead in leads:
			self.make_due(lead)
			enrollment.enroll(lead.name, "LQ Second")
		frappe.db.set_value(
			"Nurture Enrollment",
			{"lead": ("in", [lead.name for lead in leads])},
			"next_due",
			now_datetime() - timedelta(minutes=1),
		)
		done = {}
		for part in (0, 1):
			worker.process_due(commit=False, part=part, parts=2)
			for lead in leads:
				if lead.name not in done and frappe.db.count("Nurture Touch", {"lead": lead.name}):
					done[lead.name] = part
		# every lead done once, both its enrollments in the part its name falls in
		self.assertEqual(done, {lead.name: zlib.crc32(lead.name.encode()) % 2 for lead in leads})
		for lead in leads:
			self.assertEqual(frappe.db.count("Nurture Touch", {"lead": lead.name}), 2)

	def test_a_leads_enrollments_in_one_batch_respect_the_cap(self):
		set_nurture_settings(max_touches_per_week=1)
		lead = make_lead()
		make_sequence("LQ Second", steps=[{"channel": "To Do", "task": "Check"}])
		self.make_due(lead)
		enrollment.enroll(lead.name, "LQ Second")
		frappe.db.set_value(
			"Nurture Enrollment", {"lead": lead.name}, "next_due", now_datetime() - timedelta(minutes=1)
		)
		counts = run_worker()
		self.assertEqual((counts["touched"], counts["postponed"]), (1, 1))
		self.assertEqual(frappe.db.count("Nurture Touch", {"lead": lead.name}), 1)

	def test_parallel_jobs_setting(self):
		set_nurture_settings(parallel_jobs=0)  # empty: the default
		self.assertEqual(frappe.db.get_single_value("Lead Nurture Settings", "parallel_jobs"), 2)
		with self.assertRaises(frappe.ValidationError):
			set_nurture_settings(parallel_jobs=17)
