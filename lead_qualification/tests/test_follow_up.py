"""Integration tests on a real ERPNext site: the prospect cadence and quotation follow-ups
(the nurture engine's Prospect and Quotation stages), their stop rules, working-day offsets,
the quotation e-mail through the Email Queue with the print format attached, the report, the
number card and the funnel's quote -> order measures."""

import json
from datetime import timedelta
from unittest.mock import patch

import frappe
from frappe.utils import add_days, get_datetime, getdate, now_datetime, nowdate

from lead_qualification.lead_nurture import api, enrollment, followup, worker
from lead_qualification.lead_nurture.defaults import QUOTATION_TEMPLATES
from lead_qualification.lead_scoring import scoring
from lead_qualification.tests.test_gates import company, item_code, quotation
from lead_qualification.tests.utils import (
	COMPLETE_BANT,
	LeadQualificationTestCase,
	ensure_outgoing_email_account,
	make_lead,
	reset_settings,
	use_rules,
)

PROSPECT_SEQ = "LQ Test Prospect Cadence"
QUOTE_SEQ = "LQ Test Quotation Follow-up"
LEAD_SEQ = "LQ Test Lead Nurture"


def make_sequence(name, stage, steps, **values):
	if frappe.db.exists("Nurture Sequence", name):
		frappe.delete_doc("Nurture Sequence", name, force=True)
	return frappe.get_doc(
		{
			"doctype": "Nurture Sequence",
			"sequence_name": name,
			"stage": stage,
			"enabled": 1,
			"steps": steps,
			**values,
		}
	).insert()


def reminder(timing, days, task):
	return {"channel": "To Do", "timing": timing, "offset_days": days, "task": task}


QUOTE_STEPS = [
	reminder(followup.AFTER_START, 2, "D+2"),
	reminder(followup.AFTER_START, 7, "D+7"),
	reminder(followup.AFTER_START, 14, "D+14"),
	reminder(followup.BEFORE_VALID_TILL, 3, "Before expiry"),
]


def blank_pdf() -> bytes:
	from io import BytesIO

	from pypdf import PdfWriter

	writer = PdfWriter()
	writer.add_blank_page(width=72, height=72)
	out = BytesIO()
	writer.write(out)
	return out.getvalue()


def sell_to_leads():
	"""A Sales Order made from a lead's quotation makes the customer from the lead, with the
	Selling Settings' customer group and territory: leaf ones."""
	settings = frappe.get_doc("Selling Settings")
	settings.customer_group = frappe.db.get_value("Customer Group", {"is_group": 0})
	settings.territory = frappe.db.get_value("Territory", {"is_group": 0})
	settings.save()  # sets the defaults a new customer reads


def run_worker():
	return worker.process_due(commit=False)


def make_due(name):
	frappe.db.set_value("Nurture Enrollment", name, "next_due", now_datetime() - timedelta(minutes=1))


def enrollments(**filters):
	return frappe.get_all(
		"Nurture Enrollment",
		filters=filters,
		fields=[
			"name",
			"stage",
			"status",
			"stop_reason",
			"next_step",
			"next_due",
			"enrolled_on",
			"quotation",
		],
		order_by="creation",
	)


class FollowUpTestCase(LeadQualificationTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		reset_settings()
		use_rules()
		ensure_outgoing_email_account()
		# only this test's sequences start by themselves
		frappe.db.sql("update `tabNurture Sequence` set auto_enroll = 0")
		make_sequence(
			PROSPECT_SEQ,
			"Prospect",
			[{"channel": "Call Task", "task": "Agree on the next step"}],
			auto_enroll=1,
			repeat_steps=1,
		)
		make_sequence(QUOTE_SEQ, "Quotation", QUOTE_STEPS, auto_enroll=1)
		make_sequence(LEAD_SEQ, "Lead", [{"channel": "To Do", "task": "Nurture"}])
		self.gravatar = patch("erpnext.crm.doctype.lead.lead.has_gravatar", return_value="")
		self.gravatar.start()  # no internet here: ERPNext's 5 s Gravatar lookup per lead

	def tearDown(self):
		self.gravatar.stop()
		frappe.set_user("Administrator")
		frappe.db.rollback()
		scoring.clear_rules_cache()
		enrollment.clear_holiday_cache()

	def banded_prospect(self, points):
		use_rules({"field_name": "bant_need", "operator": "is set", "points": points})
		return make_lead(**COMPLETE_BANT)

	def submitted_quotation(self, lead=None, **extra):
		lead = lead or make_lead(**COMPLETE_BANT)
		q = quotation(lead.name, **extra)
		q.insert()
		q.submit()
		return q

	def working_days_from(self, start, days):
		return followup.add_working_days(get_datetime(start), days, enrollment.holidays_for(company()))

	def holiday_on(self, day):
		holiday_list = frappe.get_doc(
			{
				"doctype": "Holiday List",
				"holiday_list_name": f"LQ {frappe.generate_hash(length=5)}",
				"from_date": add_days(nowdate(), -10),
				"to_date": add_days(nowdate(), 60),
				"holidays": [{"holiday_date": day, "description": "Test holiday"}],
			}
		).insert()
		frappe.db.set_value("Company", company(), "default_holiday_list", holiday_list.name)
		frappe.clear_document_cache("Company", company())
		enrollment.clear_holiday_cache()


class TestProspectCadence(FollowUpTestCase):
	def test_promotion_stops_lead_nurture_and_starts_the_prospect_cadence(self):
		lead = make_lead(bant_need="Roof")
		enrollment.enroll(lead.name, LEAD_SEQ)
		lead.update(COMPLETE_BANT)
		lead.save()
		rows = {r.stage: r for r in enrollments(lead=lead.name)}
		self.assertEqual((rows["Lead"].status, rows["Lead"].stop_reason), ("Stopped", "Promoted"))
		self.assertEqual(rows["Prospect"].status, "Active")

	def test_cadence_by_band_in_working_days(self):
		for points, band, days in ((70, "Hot", 2), (30, "Warm", 5), (5, "Cold", 10)):
			lead = self.banded_prospect(points)
			self.assertEqual((lead.lq_score_band, lead.qualification_status), (band, "Qualified"))
			(row,) = enrollments(lead=lead.name, stage="Prospect")
			self.assertEqual(get_datetime(row.next_due), self.working_days_from(row.enrolled_on, days), band)
			# the owner's task, then the next one at the same rhythm, again and again
			make_due(row.name)
			counts = run_worker()
			self.assertEqual(counts["touched"], 1, band)
			todo = frappe.get_doc("ToDo", {"reference_type": "Lead", "reference_name": lead.name})
			self.assertIn("Agree on the next step", todo.description)
			e = frappe.get_doc("Nurture Enrollment", row.name)
			self.assertEqual((e.status, e.next_step), ("Active", 2))
			self.assertEqual(get_datetime(e.next_due), self.working_days_from(e.last_touch_on, days), band)
			make_due(row.name)
			run_worker()
			self.assertEqual(frappe.db.count("Nurture Touch", {"enrollment": row.name}), 2)
			self.assertEqual(frappe.db.get_value("Nurture Enrollment", row.name, "status"), "Active")

	def assertProspectStopped(self, lead, reason):
		(row,) = enrollments(lead=lead.name, stage="Prospect")
		self.assertEqual((row.status, row.stop_reason), ("Stopped", reason))

	def test_a_quotation_stops_it(self):
		lead = make_lead(**COMPLETE_BANT)
		quotation(lead.name).insert()
		self.assertProspectStopped(lead, "Quotation")

	def test_an_opportunity_stops_it(self):
		lead = make_lead(**COMPLETE_BANT)
		frappe.get_doc(
			{
				"doctype": "Opportunity",
				"opportunity_from": "Lead",
				"party_name": lead.name,
				"company": company(),
			}
		).insert()
		self.assertProspectStopped(lead, "Opportunity")

	def test_do_not_contact_and_lost_stop_it(self):
		for status, reason in (("Do Not Contact", "Do Not Contact"), ("Lost Quotation", "Lost")):
			lead = make_lead(**COMPLETE_BANT)
			frappe.db.set_value("Lead", lead.name, "status", status)  # as ERPNext's own status updates do
			(row,) = enrollments(lead=lead.name, stage="Prospect")
			make_due(row.name)
			run_worker()
			self.assertProspectStopped(lead, reason)

	def test_a_next_step_logged_by_a_sales_user_stops_it(self):
		lead = make_lead(**COMPLETE_BANT)
		(row,) = enrollments(lead=lead.name, stage="Prospect")
		make_due(row.name)
		run_worker()
		todo = frappe.db.get_value("ToDo", {"reference_type": "Lead", "reference_name": lead.name})
		lead.reload()
		lead.lq_next_step = "Site visit on Tuesday"
		lead.save()
		self.assertTrue(lead.lq_next_step_logged_on)
		self.assertProspectStopped(lead, "Next Step Logged")
		self.assertEqual(frappe.db.get_value("ToDo", todo, "status"), "Cancelled")

	def test_a_next_step_is_found_by_the_worker_too(self):
		lead = make_lead(**COMPLETE_BANT)
		(row,) = enrollments(lead=lead.name, stage="Prospect")
		frappe.db.set_value(
			"Lead", lead.name, {"lq_next_step": "Call back", "lq_next_step_logged_on": now_datetime()}
		)
		make_due(row.name)
		run_worker()
		self.assertProspectStopped(lead, "Next Step Logged")
		self.assertFalse(frappe.db.exists("ToDo", {"reference_type": "Lead", "reference_name": lead.name}))

	def test_a_reply_does_not_stop_it(self):
		lead = make_lead(**COMPLETE_BANT)
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"sent_or_received": "Received",
				"sender": lead.email_id,
				"subject": "Re: visite",
				"content": "Mardi me va",
			}
		).insert(ignore_permissions=True)
		(row,) = enrollments(lead=lead.name, stage="Prospect")
		self.assertEqual(row.status, "Active")

	def test_withdrawn_prospect_leaves_it(self):
		from lead_qualification.lead_qualification import api as qualification_api

		lead = make_lead(**COMPLETE_BANT)
		qualification_api.demote(lead.name, "Budget not confirmed after all")
		self.assertProspectStopped(lead, "No Longer a Prospect")

	def test_lead_form_shows_the_next_follow_up(self):
		lead = make_lead(**COMPLETE_BANT)
		nxt = api.next_follow_up(lead=lead.name)
		self.assertEqual((nxt["sequence"], nxt["stage"]), (PROSPECT_SEQ, "Prospect"))
		self.assertEqual(nxt["task"], "Agree on the next step")


class TestQuotationFollowUp(FollowUpTestCase):
	def the_follow_up(self, q):
		(row,) = enrollments(quotation=q.name)
		return row

	def assertStopped(self, q, reason):
		row = self.the_follow_up(q)
		self.assertEqual((row.status, row.stop_reason), ("Stopped", reason))

	def test_submit_starts_reminders_at_working_day_offsets(self):
		q = self.submitted_quotation()
		row = self.the_follow_up(q)
		self.assertEqual(row.stage, "Quotation")
		self.assertEqual(get_datetime(row.next_due), self.working_days_from(row.enrolled_on, 2))
		# D+2: a ToDo for the quotation's owner, the quotation linked
		make_due(row.name)
		self.assertEqual(run_worker()["touched"], 1)
		todo = frappe.get_doc("ToDo", {"reference_type": "Quotation", "reference_name": q.name})
		self.assertEqual(todo.allocated_to, q.owner)
		self.assertIn(q.name, todo.description)
		self.assertIn("D+2", todo.description)
		# D+7 counts from the submission, not from the touch
		e = frappe.get_doc("Nurture Enrollment", row.name)
		self.assertEqual(get_datetime(e.next_due), self.working_days_from(row.enrolled_on, 7))
		self.assertEqual(api.next_follow_up(quotation=q.name)["task"], "D+7")

	def test_each_step_once_then_before_valid_till(self):
		q = self.submitted_quotation(valid_till=add_days(nowdate(), 40))
		row = self.the_follow_up(q)
		for _step in range(3):
			make_due(row.name)
			run_worker()
		e = frappe.get_doc("Nurture Enrollment", row.name)
		self.assertEqual(e.next_step, 4)
		expected = followup.working_day_on_or_before(
			getdate(add_days(nowdate(), 37)), enrollment.holidays_for(company())
		)
		self.assertEqual(getdate(e.next_due), expected)
		make_due(row.name)
		run_worker()
		self.assertEqual(frappe.db.get_value("Nurture Enrollment", row.name, "status"), "Completed")
		self.assertEqual(
			frappe.db.count("ToDo", {"reference_type": "Quotation", "reference_name": q.name}), 4
		)
		self.assertEqual(frappe.db.count("Nurture Touch", {"enrollment": row.name}), 4)

	def test_offsets_in_working_days_across_a_holiday(self):
		holidays = enrollment.holidays_for(company())
		first_working = followup.add_working_days(now_datetime(), 1, holidays)
		self.holiday_on(first_working.date())
		q = self.submitted_quotation()
		row = self.the_follow_up(q)
		with_holiday = enrollment.holidays_for(company())
		self.assertIn(first_working.date(), with_holiday)
		expected = followup.add_working_days(get_datetime(row.enrolled_on), 2, with_holiday)
		self.assertEqual(get_datetime(row.next_due), expected)
		# one working day later than without the holiday
		self.assertGreater(
			get_datetime(row.next_due), self.working_days_from_without(row.enrolled_on, 2, holidays)
		)

	def working_days_from_without(self, start, days, holidays):
		return followup.add_working_days(get_datetime(start), days, holidays)

	def test_a_quotation_to_a_customer_that_came_from_a_lead(self):
		from erpnext.crm.doctype.lead.lead import make_customer

		lead = make_lead(**COMPLETE_BANT)
		customer = make_customer(lead.name)
		customer.customer_group = frappe.db.get_value("Customer Group", {"is_group": 0})
		customer.territory = frappe.db.get_value("Territory", {"is_group": 0})
		customer.insert()
		q = quotation(customer.name, quotation_to="Customer")
		q.insert()
		q.submit()
		row = self.the_follow_up(q)
		self.assertEqual(frappe.db.get_value("Nurture Enrollment", row.name, "lead"), lead.name)

	def test_a_quotation_to_a_customer_not_from_a_lead_is_not_followed_up(self):
		from lead_qualification.tests.test_gates import make_test_customer

		q = quotation(make_test_customer(), quotation_to="Customer")
		q.insert()
		q.submit()
		self.assertEqual(enrollments(quotation=q.name), [])

	# --- stop rules ---

	def test_sales_order_made_stops_it(self):
		from erpnext.selling.doctype.quotation.quotation import make_sales_order

		sell_to_leads()
		q = self.submitted_quotation()
		make_due(self.the_follow_up(q).name)
		run_worker()  # the D+2 reminder, still open when the order comes
		todo = frappe.db.get_value("ToDo", {"reference_type": "Quotation", "reference_name": q.name})
		so = make_sales_order(q.name)
		so.delivery_date = add_days(nowdate(), 10)
		so.insert()
		so.submit()
		self.assertStopped(q, "Ordered")
		# nothing left to chase: the reminder is cancelled, the quotation no longer assigned
		self.assertEqual(frappe.db.get_value("ToDo", todo, "status"), "Cancelled")
		self.assertFalse(frappe.db.get_value("Quotation", q.name, "_assign"))

	def test_lost_stops_it(self):
		q = self.submitted_quotation()
		q.reload()
		q.declare_enquiry_lost([], [], "Too expensive")
		self.assertStopped(q, "Lost")

	def test_expired_stops_it(self):
		q = self.submitted_quotation()
		row = self.the_follow_up(q)
		# ERPNext's daily job marks it Expired with a plain UPDATE: the worker finds it
		frappe.db.set_value("Quotation", q.name, {"valid_till": add_days(nowdate(), -1)})
		make_due(row.name)
		counts = run_worker()
		self.assertEqual(counts["stopped"], 1)
		self.assertStopped(q, "Expired")
		self.assertFalse(frappe.db.exists("ToDo", {"reference_type": "Quotation", "reference_name": q.name}))

	def test_cancelled_stops_it(self):
		q = self.submitted_quotation()
		q.reload()
		q.cancel()
		self.assertStopped(q, "Cancelled")

	def test_a_reply_stops_it(self):
		q = self.submitted_quotation()
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"sent_or_received": "Received",
				"sender": "someone-else@example.com",
				"subject": f"Re: {q.name}",
				"content": "Can you lower the price?",
				"reference_doctype": "Quotation",
				"reference_name": q.name,
			}
		).insert(ignore_permissions=True)
		self.assertStopped(q, "Replied")

	def test_a_reply_from_the_contact_found_by_the_worker(self):
		q = self.submitted_quotation()
		row = self.the_follow_up(q)
		lead_email = frappe.db.get_value("Lead", q.party_name, "email_id")
		enrollment_settings_off = {"enabled": 0}
		frappe.db.set_single_value("Lead Nurture Settings", enrollment_settings_off)  # no hook
		frappe.clear_document_cache("Lead Nurture Settings", "Lead Nurture Settings")
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"sent_or_received": "Received",
				"sender": lead_email.upper(),
				"subject": "Re: devis",
				"content": "D'accord",
			}
		).insert(ignore_permissions=True)
		frappe.db.set_single_value("Lead Nurture Settings", {"enabled": 1})
		frappe.clear_document_cache("Lead Nurture Settings", "Lead Nurture Settings")
		self.assertEqual(self.the_follow_up(q).status, "Active")
		make_due(row.name)
		run_worker()
		self.assertStopped(q, "Replied")

	def test_a_next_step_logged_by_the_owner_stops_it(self):
		q = self.submitted_quotation()
		q.reload()
		q.lq_next_step = "Customer signs on Friday"
		q.save()  # update after submit
		self.assertTrue(q.lq_next_step_logged_on)
		self.assertStopped(q, "Next Step Logged")

	# --- e-mail ---

	def email_sequence(self):
		make_sequence(
			QUOTE_SEQ,
			"Quotation",
			[
				{
					"channel": "Email",
					"timing": followup.AFTER_START,
					"offset_days": 2,
					"email_template": "Quotation follow-up",
					"email_template_fr": "Relance de devis",
				},
				reminder(followup.AFTER_START, 7, "D+7"),
			],
			auto_enroll=1,
		)

	def test_email_through_email_queue_with_the_quotation_pdf(self):
		from frappe.email.doctype.email_queue.email_queue import SendMailContext

		self.assertTrue(set(QUOTATION_TEMPLATES) <= set(frappe.get_all("Email Template", pluck="name")))
		self.email_sequence()
		lead = make_lead(**COMPLETE_BANT, first_name="Hélène")
		q = self.submitted_quotation(lead)
		row = self.the_follow_up(q)
		make_due(row.name)
		self.assertEqual(run_worker()["touched"], 1)
		queue = frappe.get_doc("Email Queue", {"reference_doctype": "Quotation", "reference_name": q.name})
		self.assertEqual([r.recipient for r in queue.recipients], [lead.email_id])
		self.assertEqual(queue.add_unsubscribe_link, 1)
		self.assertIn(q.name, queue.message)
		(attachment,) = json.loads(queue.attachments)
		self.assertEqual(
			(attachment["print_format_attachment"], attachment["doctype"], attachment["name"]),
			(1, "Quotation", q.name),
		)
		touch = frappe.get_doc("Nurture Touch", {"enrollment": row.name})
		self.assertEqual((touch.outcome, touch.email_queue), ("Sent", queue.name))
		# what Frappe sends: the quotation rendered by its print format, as a PDF
		# (no wkhtmltopdf on this machine: the renderer's output is a blank one-page PDF)
		with patch("frappe.utils.pdf.get_pdf", return_value=blank_pdf()) as get_pdf:
			ctx = SendMailContext(queue)
			message = ctx.build_message(lead.email_id)
		get_pdf.assert_called_once()
		text = message.decode() if isinstance(message, bytes) else message
		self.assertIn(f'filename="{q.name}.pdf"', text)
		self.assertIn("application/pdf", text)

	def test_french_contact_gets_the_french_template(self):
		self.email_sequence()
		lead = make_lead(**COMPLETE_BANT, language="fr")
		q = self.submitted_quotation(lead)
		make_due(self.the_follow_up(q).name)
		run_worker()
		queue = frappe.get_doc("Email Queue", {"reference_doctype": "Quotation", "reference_name": q.name})
		self.assertIn("Bonjour", queue.message)

	def test_unsubscribed_contact_gets_no_email_but_the_owner_still_gets_reminders(self):
		self.email_sequence()
		for unsubscribe in ("global", "quotation"):
			lead = make_lead(**COMPLETE_BANT)
			q = self.submitted_quotation(lead)
			frappe.get_doc(
				{
					"doctype": "Email Unsubscribe",
					"email": lead.email_id,
					"global_unsubscribe": int(unsubscribe == "global"),
					"reference_doctype": None if unsubscribe == "global" else "Quotation",
					"reference_name": None if unsubscribe == "global" else q.name,
				}
			).insert(ignore_permissions=True)
			row = self.the_follow_up(q)
			make_due(row.name)
			run_worker()
			self.assertFalse(
				frappe.db.exists("Email Queue", {"reference_doctype": "Quotation", "reference_name": q.name}),
				unsubscribe,
			)
			touch = frappe.get_doc("Nurture Touch", {"enrollment": row.name, "step": 1})
			self.assertEqual(touch.outcome, "Passed Over", unsubscribe)
			make_due(row.name)
			run_worker()  # the D+7 reminder to the owner still comes
			self.assertTrue(
				frappe.db.exists("ToDo", {"reference_type": "Quotation", "reference_name": q.name})
			)


class TestBatchedReminders(FollowUpTestCase):
	def test_a_batched_reminder_is_the_one_todo_insert_writes(self):
		"""The worker writes a batch's ToDos together: the same ToDo row, the same "Assigned"
		comment on the quotation and the same `_assign` list as ToDo.insert."""
		q = self.submitted_quotation()
		make_due(enrollments(quotation=q.name)[0].name)
		run_worker()
		ours = frappe.get_doc("ToDo", {"reference_type": "Quotation", "reference_name": q.name})
		their_q = self.submitted_quotation()
		theirs = frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": ours.allocated_to,
				"reference_type": "Quotation",
				"reference_name": their_q.name,
				"description": ours.description,
				"date": ours.date,
				"priority": ours.priority,
				"assigned_by": ours.assigned_by,
			}
		).insert(ignore_permissions=True)
		ignore = {"name", "creation", "modified", "reference_name"}
		fields = [f for f in ours.as_dict() if f not in ignore and not f.startswith("_")]
		self.assertEqual({f: ours.get(f) for f in fields}, {f: theirs.get(f) for f in fields})

		def assigned_comment(name):
			return frappe.get_all(
				"Comment",
				filters={
					"reference_doctype": "Quotation",
					"reference_name": name,
					"comment_type": "Assigned",
				},
				fields=["content", "comment_email", "owner"],
			)

		self.assertEqual(assigned_comment(q.name), assigned_comment(their_q.name))
		self.assertEqual(len(assigned_comment(q.name)), 1)
		self.assertEqual(
			frappe.db.get_value("Quotation", q.name, "_assign"),
			frappe.db.get_value("Quotation", their_q.name, "_assign"),
		)
		self.assertEqual(json.loads(frappe.db.get_value("Quotation", q.name, "_assign")), [ours.allocated_to])

	def test_a_failing_follow_up_loses_its_reminder(self):
		good, bad = self.submitted_quotation(), self.submitted_quotation()
		for q in (good, bad):
			make_due(enrollments(quotation=q.name)[0].name)
		real_advance = worker.advance

		def advance(writes, row, *args, **kwargs):
			if row.quotation == bad.name:  # after its ToDo was made for the batch
				raise RuntimeError("disk full")
			return real_advance(writes, row, *args, **kwargs)

		with patch.object(worker, "advance", advance):
			counts = run_worker()
		self.assertEqual((counts["touched"], counts["failed"]), (1, 1))
		self.assertTrue(
			frappe.db.exists("ToDo", {"reference_type": "Quotation", "reference_name": good.name})
		)
		self.assertFalse(
			frappe.db.exists("ToDo", {"reference_type": "Quotation", "reference_name": bad.name})
		)
		self.assertFalse(frappe.db.get_value("Quotation", bad.name, "_assign"))


class TestWherePeopleWork(FollowUpTestCase):
	def test_report_sorted_by_value_and_age_and_card_counts_overdue(self):
		from lead_qualification.lead_nurture.report.quotations_to_follow_up import quotations_to_follow_up

		small = self.submitted_quotation()
		big = self.submitted_quotation(
			items=[{"item_code": item_code(), "qty": 5, "rate": 1000}],
			transaction_date=add_days(nowdate(), -3),
		)
		frappe.db.set_value("Quotation", big.name, "transaction_date", add_days(nowdate(), -3))
		old = self.submitted_quotation()
		frappe.db.set_value("Quotation", old.name, "transaction_date", add_days(nowdate(), -20))

		def ours(sort_by):
			rows = quotations_to_follow_up.execute({"sort_by": sort_by, "company": company()})[1]
			return [r.quotation for r in rows if r.quotation in (small.name, big.name, old.name)]

		self.assertEqual(ours("Value")[0], big.name)
		self.assertEqual(ours("Age"), [old.name, big.name, small.name])
		row = next(
			r for r in quotations_to_follow_up.execute({"company": company()})[1] if r.quotation == small.name
		)
		self.assertTrue(row.next_follow_up)
		self.assertEqual(row.age, 0)

		before = api.overdue_follow_ups()["value"]
		make_due(enrollments(quotation=small.name)[0].name)
		run_worker()
		todo = frappe.db.get_value("ToDo", {"reference_type": "Quotation", "reference_name": small.name})
		self.assertEqual(api.overdue_follow_ups()["value"], before)  # due today: not overdue yet
		frappe.db.set_value("ToDo", todo, "date", add_days(nowdate(), -1))
		self.assertEqual(api.overdue_follow_ups()["value"], before + 1)
		frappe.db.set_value("ToDo", todo, "status", "Closed")
		self.assertEqual(api.overdue_follow_ups()["value"], before)

	def test_funnel_quote_to_order_split_by_follow_up(self):
		from erpnext.selling.doctype.quotation.quotation import make_sales_order

		from lead_qualification.lead_qualification.report.qualification_funnel import qualification_funnel

		sell_to_leads()
		source = frappe.get_doc(
			{"doctype": "Lead Source", "source_name": f"LQ {frappe.generate_hash(length=6)}"}
		).insert()
		leads = [make_lead(**COMPLETE_BANT, source=source.name) for _ in range(3)]
		followed, ordered_without, open_without = (self.submitted_quotation(lead) for lead in leads)
		# one followed up (a reminder done), then ordered 4 days after the quotation
		make_due(enrollments(quotation=followed.name)[0].name)
		run_worker()
		for q, days in ((followed, 4), (ordered_without, 10)):
			so = make_sales_order(q.name)
			so.transaction_date = add_days(nowdate(), days)
			so.delivery_date = add_days(nowdate(), days + 10)
			so.insert()
			so.submit()
		columns, data, *_ = qualification_funnel.execute({"group_by": "Source", "source": source.name})
		(row,) = data
		self.assertEqual((row["quotations"], row["orders"], row["quotes_followed_up"]), (3, 2, 1))
		self.assertEqual((row["order_rate"], row["order_days"]), (66.67, 7.0))
		self.assertEqual((row["order_rate_fu"], row["order_days_fu"]), (100.0, 4.0))
		self.assertEqual((row["order_rate_nfu"], row["order_days_nfu"]), (50.0, 10.0))
		self.assertIn("order_rate_fu", [c["fieldname"] for c in columns])
		_ = open_without
