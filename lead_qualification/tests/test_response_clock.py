"""Integration tests on a real ERPNext site: the first-response clock. Respond By in working
hours across a weekend and a company holiday; each kind of first response (e-mail sent, call,
meeting, note or comment) stops the clock; a hotter band tightens it; overdue leads are
flagged and their owner reminded once."""

from contextlib import contextmanager
from datetime import datetime, time, timedelta
from unittest.mock import patch

import frappe
from frappe.utils import get_datetime, get_time

from lead_qualification import lead_events
from lead_qualification.lead_nurture import enrollment
from lead_qualification.lead_response import response
from lead_qualification.tests.utils import (
	LeadQualificationTestCase,
	make_lead,
	make_user,
	reset_settings,
	update_single,
	use_rules,
)

# Friday 4 December 2026, Monday 7 December a company holiday for these tests
FRIDAY = datetime(2026, 12, 4)
MONDAY = datetime(2026, 12, 7)
TUESDAY = datetime(2026, 12, 8)
OWNER = "lr-owner@example.com"


def at(day: datetime, hour: int, minute: int = 0) -> datetime:
	return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def sec(value) -> datetime:
	"""To the second (the frozen clock runs a microsecond past the whole second)."""
	return get_datetime(value).replace(microsecond=0)


@contextmanager
def clock_at(moment: datetime):
	"""The site's clock (creation stamps, Communication dates, the job's "now") stands at
	`moment`, in the site's time zone. A microsecond past it: Frappe compares `modified`
	as text, and a whole second is written without its ".000000" by the database."""
	moment = moment + timedelta(microseconds=1)
	with (
		patch("frappe.utils.data.now_datetime", return_value=moment),
		patch("frappe.utils.now_datetime", return_value=moment),
		patch("frappe.model.create_new.now_datetime", return_value=moment),
		patch("lead_qualification.lead_response.response.now_datetime", return_value=moment),
	):
		yield


def reset_response_settings(**values):
	update_single(
		response.SETTINGS_DOCTYPE,
		**{
			"enabled": 1,
			"hot_target": 1,
			"hot_target_unit": "Working Hours",
			"warm_target": 1,
			"warm_target_unit": "Working Days",
			"cold_target": 3,
			"cold_target_unit": "Working Days",
			"work_start": "09:00:00",
			"work_end": "18:00:00",
			"use_holiday_list": 1,
			"remind_owner": 1,
			**{f"work_on_{d}": int(i < 5) for i, d in enumerate(response.WEEKDAYS)},
			**values,
		},
	)


def make_holiday_list(*days: datetime) -> str:
	name = f"LR Test Holidays {frappe.generate_hash(length=6)}"
	frappe.get_doc(
		{
			"doctype": "Holiday List",
			"holiday_list_name": name,
			"from_date": "2026-01-01",
			"to_date": "2027-12-31",
			"holidays": [{"holiday_date": d.date(), "description": "Test holiday"} for d in days],
		}
	).insert()
	return name


class ResponseClockTestCase(LeadQualificationTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		reset_settings()
		reset_response_settings()
		use_rules({"field_name": "company_name", "operator": "is set", "points": 80})  # Hot if set
		self.company = frappe.defaults.get_global_default("company")
		frappe.db.set_value("Company", self.company, "default_holiday_list", make_holiday_list(MONDAY))
		frappe.clear_document_cache("Company", self.company)
		enrollment.clear_holiday_cache()
		make_user(OWNER, ["Sales User"])

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		enrollment.clear_holiday_cache()
		from lead_qualification.lead_scoring import scoring

		scoring.clear_rules_cache()

	def lead_at(self, moment: datetime, hot: bool = False, **values):
		with clock_at(moment):
			lead = make_lead(company=self.company, company_name="Hot Roofs SARL" if hot else None, **values)
		lead.reload()
		return lead

	def clock_of(self, lead) -> frappe._dict:
		return frappe.db.get_value(
			"Lead",
			lead.name,
			list(response.CLOCK_FIELDS),
			as_dict=True,
		)


class TestRespondBy(ResponseClockTestCase):
	def test_hot_lead_on_friday_evening_is_due_after_the_weekend_and_the_holiday(self):
		lead = self.lead_at(at(FRIDAY, 17, 30), hot=True)
		self.assertEqual(lead.lq_score_band, "Hot")
		self.assertEqual(sec(lead.creation), at(FRIDAY, 17, 30))
		# Friday 17:30-18:00 is half an hour; Saturday, Sunday and Monday (holiday) count for
		# nothing; the other half hour ends Tuesday 09:30
		self.assertEqual(sec(lead.lr_respond_by), at(TUESDAY, 9, 30))

	def test_cold_lead_three_working_days(self):
		lead = self.lead_at(at(FRIDAY, 17))
		self.assertEqual(lead.lq_score_band, "Cold")
		# 27 working hours: Friday 1 h, Tuesday 9 h, Wednesday 9 h, Thursday 8 h
		self.assertEqual(sec(lead.lr_respond_by), at(TUESDAY + timedelta(days=2), 17))

	def test_without_the_holiday_list_monday_counts(self):
		reset_response_settings(use_holiday_list=0)
		lead = self.lead_at(at(FRIDAY, 17, 30), hot=True)
		self.assertEqual(sec(lead.lr_respond_by), at(MONDAY, 9, 30))

	def test_clock_off_sets_nothing(self):
		reset_response_settings(enabled=0)
		lead = self.lead_at(at(FRIDAY, 10), hot=True)
		self.assertIsNone(lead.lr_respond_by)

	def test_a_lead_turning_hot_gets_a_tighter_deadline_never_a_looser_one(self):
		lead = self.lead_at(at(FRIDAY, 10))
		cold_deadline = sec(lead.lr_respond_by)
		with clock_at(at(TUESDAY, 17, 30)):
			lead_events.announce([lead_events.LeadChange(lead.name, lead_events.BAND, "Hot", "Cold")])
		self.assertEqual(sec(self.clock_of(lead).lr_respond_by), at(TUESDAY + timedelta(days=1), 9, 30))
		self.assertLess(at(TUESDAY + timedelta(days=1), 9, 30), cold_deadline)
		with clock_at(at(TUESDAY, 17, 45)):
			lead_events.announce([lead_events.LeadChange(lead.name, lead_events.BAND, "Cold", "Hot")])
		self.assertEqual(sec(self.clock_of(lead).lr_respond_by), at(TUESDAY + timedelta(days=1), 9, 30))

	def test_a_lead_saved_hot_gets_the_tighter_deadline(self):
		"""The whole way: a Lead save re-scores it, the band change is announced, the clock
		listens (hooks.lead_change_listeners)."""
		lead = self.lead_at(at(FRIDAY, 10))
		self.assertEqual(lead.lq_score_band, "Cold")
		with clock_at(at(TUESDAY, 17, 30)):
			doc = frappe.get_doc("Lead", lead.name)
			doc.company_name = "Hot Roofs SARL"
			doc.save()
		self.assertEqual(doc.lq_score_band, "Hot")
		self.assertEqual(sec(self.clock_of(lead).lr_respond_by), at(TUESDAY + timedelta(days=1), 9, 30))

	def test_a_band_change_after_the_first_response_changes_nothing(self):
		lead = self.lead_at(at(FRIDAY, 10))
		deadline = self.clock_of(lead).lr_respond_by
		response.record_response([lead.name], at(FRIDAY, 11), "Call")
		with clock_at(at(FRIDAY, 12)):
			lead_events.announce([lead_events.LeadChange(lead.name, lead_events.BAND, "Hot", "Cold")])
		self.assertEqual(self.clock_of(lead).lr_respond_by, deadline)

	def test_a_stale_form_does_not_wipe_the_clock(self):
		lead = self.lead_at(at(FRIDAY, 10), hot=True)
		stale = frappe.get_doc("Lead", lead.name)
		response.record_response([lead.name], at(FRIDAY, 10, 20), "E-mail")
		stale.lr_respond_by = None  # what an old form or an API call might send
		stale.save()
		clock = self.clock_of(lead)
		self.assertEqual(sec(clock.lr_first_responded_on), at(FRIDAY, 10, 20))
		self.assertEqual(clock.lr_first_response, "E-mail")
		self.assertEqual(sec(clock.lr_respond_by), at(FRIDAY, 11))


class TestDefaults(ResponseClockTestCase):
	def test_fresh_settings_keep_the_default_working_hours(self):
		"""Frappe v15 puts the current time in a new document's Time fields; install stores
		the defaults (09:00-18:00, Monday to Friday, Hot 1 h, Warm 1 day, Cold 3 days)."""
		from lead_qualification.setup import install

		frappe.db.delete("Singles", {"doctype": response.SETTINGS_DOCTYPE})
		frappe.clear_cache(doctype=response.SETTINGS_DOCTYPE)
		install.make_default_settings()
		settings = frappe.get_single(response.SETTINGS_DOCTYPE)
		self.assertEqual((get_time(settings.work_start), get_time(settings.work_end)), (time(9), time(18)))
		working = response.get_working_time(self.company)
		self.assertEqual(working.weekdays, frozenset(range(5)))
		self.assertEqual(response.get_targets().warm.hours(working), 9)


class TestFirstResponse(ResponseClockTestCase):
	def assert_first_response(self, lead, moment, kind):
		clock = self.clock_of(lead)
		self.assertEqual(sec(clock.lr_first_responded_on), moment)
		self.assertEqual(clock.lr_first_response, kind)
		self.assertEqual(clock.lr_response_overdue, 0)

	def test_an_email_sent_from_the_lead_stops_the_clock(self):
		from frappe.core.doctype.communication.email import make

		lead = self.lead_at(at(FRIDAY, 10), hot=True)
		with clock_at(at(FRIDAY, 10, 40)):
			make(
				doctype="Lead",
				name=lead.name,
				recipients=lead.email_id,
				subject="Your roof",
				content="We can come on Monday.",
				send_email=False,
			)
		self.assert_first_response(lead, at(FRIDAY, 10, 40), "E-mail")
		self.assertEqual(response.form_state(frappe.get_doc("Lead", lead.name))["hours"], 0.7)

	def test_an_email_linked_through_the_timeline_counts_too(self):
		lead = self.lead_at(at(FRIDAY, 10), hot=True)
		comm = frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": "Sent",
				"subject": "Quote",
				"recipients": lead.email_id,
				"communication_date": at(FRIDAY, 15),
				"timeline_links": [{"link_doctype": "Lead", "link_name": lead.name}],
			}
		).insert(ignore_permissions=True)
		self.assertTrue(comm.name)
		self.assert_first_response(lead, at(FRIDAY, 15), "E-mail")

	def test_an_email_received_from_the_lead_does_not(self):
		lead = self.lead_at(at(FRIDAY, 10), hot=True)
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": "Received",
				"sender": lead.email_id,
				"subject": "Any news?",
				"reference_doctype": "Lead",
				"reference_name": lead.name,
				"communication_date": at(FRIDAY, 11),
			}
		).insert(ignore_permissions=True)
		self.assertIsNone(self.clock_of(lead).lr_first_responded_on)

	def test_a_logged_call_stops_the_clock(self):
		lead = self.lead_at(at(FRIDAY, 10), hot=True, mobile_no="+33612345678")
		call = frappe.get_doc(
			{
				"doctype": "Call Log",
				"id": frappe.generate_hash(length=10),
				"from": "+33100000000",
				"to": "+33612345678",
				"type": "Outgoing",
				"status": "Ringing",
				"start_time": at(FRIDAY, 10, 30),
				"links": [{"link_doctype": "Lead", "link_name": lead.name}],
			}
		).insert(ignore_permissions=True)
		self.assert_first_response(lead, at(FRIDAY, 10, 30), "Call")
		call.status = "Completed"
		call.save(ignore_permissions=True)
		self.assert_first_response(lead, at(FRIDAY, 10, 30), "Call")

	def test_an_unanswered_incoming_call_is_no_response(self):
		lead = self.lead_at(at(FRIDAY, 10), hot=True)
		frappe.get_doc(
			{
				"doctype": "Call Log",
				"id": frappe.generate_hash(length=10),
				"from": "+33612345678",
				"to": "+33100000000",
				"type": "Incoming",
				"status": "No Answer",
				"start_time": at(FRIDAY, 10, 30),
				"links": [{"link_doctype": "Lead", "link_name": lead.name}],
			}
		).insert(ignore_permissions=True)
		self.assertIsNone(self.clock_of(lead).lr_first_responded_on)

	def test_a_meeting_with_the_lead_stops_the_clock(self):
		lead = self.lead_at(at(FRIDAY, 10), hot=True)
		with clock_at(at(FRIDAY, 11)):
			event = frappe.get_doc(
				{
					"doctype": "Event",
					"subject": "Site visit",
					"event_category": "Meeting",
					"event_type": "Private",
					"starts_on": at(TUESDAY, 14),  # arranged on Friday 11:00 for Tuesday
				}
			).insert()
			event = frappe.get_doc("Event", event.name)
			event.add_participant("Lead", lead.name)
			event.save()
		self.assert_first_response(lead, at(FRIDAY, 11), "Meeting")

	def test_an_appointment_booked_by_staff_counts_one_booked_by_the_lead_does_not(self):
		lead = self.lead_at(at(FRIDAY, 10), hot=True)
		values = {
			"doctype": "Appointment",
			"scheduled_time": at(FRIDAY, 9),  # held before it was logged
			"customer_name": lead.lead_name,
			"customer_email": lead.email_id,
			"appointment_with": "Lead",
			"party": lead.name,
		}
		with clock_at(at(FRIDAY, 11)):
			frappe.set_user("Guest")
			try:
				frappe.get_doc(values).insert(ignore_permissions=True)
			finally:
				frappe.set_user("Administrator")
			self.assertIsNone(self.clock_of(lead).lr_first_responded_on)
			frappe.get_doc(values).insert(ignore_permissions=True)
		self.assert_first_response(lead, at(FRIDAY, 9), "Meeting")

	def test_a_comment_by_staff_stops_the_clock(self):
		lead = self.lead_at(at(FRIDAY, 10), hot=True)
		with clock_at(at(FRIDAY, 12)):
			comment = lead.add_comment("Comment", "Called from my mobile, will send a quote")
		self.assert_first_response(lead, sec(comment.creation), "Note")
		self.assertEqual(sec(comment.creation), at(FRIDAY, 12))

	def test_a_lead_note_stops_the_clock(self):
		lead = self.lead_at(at(FRIDAY, 10), hot=True)
		with clock_at(at(FRIDAY, 13)):
			doc = frappe.get_doc("Lead", lead.name)
			doc.add_note("Spoke at the trade fair")  # ERPNext's Lead notes (CRM Note rows)
		self.assert_first_response(lead, at(FRIDAY, 13), "Note")
		self.assertEqual(doc.lr_first_response, "Note")

	def test_the_earliest_response_wins_whatever_the_order_they_are_logged(self):
		lead = self.lead_at(at(FRIDAY, 10), hot=True)
		with clock_at(at(FRIDAY, 16)):
			lead.add_comment("Comment", "Sent the brochure")
		self.assert_first_response(lead, at(FRIDAY, 16), "Note")
		# a call made at 11:00, logged afterwards
		frappe.get_doc(
			{
				"doctype": "Call Log",
				"id": frappe.generate_hash(length=10),
				"type": "Outgoing",
				"status": "Completed",
				"start_time": at(FRIDAY, 11),
				"links": [{"link_doctype": "Lead", "link_name": lead.name}],
			}
		).insert(ignore_permissions=True)
		self.assert_first_response(lead, at(FRIDAY, 11), "Call")
		with clock_at(at(FRIDAY, 17)):
			lead.add_comment("Comment", "Followed up")
		self.assert_first_response(lead, at(FRIDAY, 11), "Call")


class TestOverdue(ResponseClockTestCase):
	def notifications(self, lead) -> list:
		return frappe.get_all(
			"Notification Log",
			filters={"document_type": "Lead", "document_name": lead.name, "for_user": OWNER},
			pluck="subject",
		)

	def test_overdue_flagged_and_the_owner_reminded_once_in_their_language(self):
		frappe.db.set_value("User", OWNER, "language", "fr")
		lead = self.lead_at(at(FRIDAY, 10), hot=True, lead_owner=OWNER)
		self.assertEqual(sec(lead.lr_respond_by), at(FRIDAY, 11))

		with clock_at(at(FRIDAY, 10, 45)):
			response.run_overdue()
		self.assertEqual(self.clock_of(lead).lr_response_overdue, 0)
		self.assertEqual(self.notifications(lead), [])

		with clock_at(at(FRIDAY, 11, 15)):
			response.run_overdue()
			response.run_overdue()  # the job runs again: no second reminder
		clock = self.clock_of(lead)
		self.assertEqual((clock.lr_response_overdue, clock.lr_response_reminder_sent), (1, 1))
		subjects = self.notifications(lead)
		self.assertEqual(len(subjects), 1)
		self.assertIn("attend une première réponse", subjects[0])
		self.assertIn(lead.name, frappe.get_all("Lead", filters={"lr_response_overdue": 1}, pluck="name"))
		state = response.form_state(frappe.get_doc("Lead", lead.name))
		self.assertTrue(state["overdue"])

		# answered late: the flag goes, the lead counts as late
		with clock_at(at(FRIDAY, 12)):
			lead.add_comment("Comment", "Sorry for the delay")
		clock = self.clock_of(lead)
		self.assertEqual(clock.lr_response_overdue, 0)
		with clock_at(at(FRIDAY, 12, 15)):
			response.run_overdue()
		self.assertEqual(len(self.notifications(lead)), 1)
		self.assertFalse(response.form_state(frappe.get_doc("Lead", lead.name))["in_time"])

	def test_answered_leads_and_closed_leads_are_not_flagged(self):
		answered = self.lead_at(at(FRIDAY, 10), hot=True, lead_owner=OWNER)
		response.record_response([answered.name], at(FRIDAY, 10, 30), "Call")
		closed = self.lead_at(at(FRIDAY, 10), hot=True, lead_owner=OWNER)
		frappe.db.set_value("Lead", closed.name, "status", "Do Not Contact")
		with clock_at(at(TUESDAY, 12)):
			response.run_overdue()
		for lead in (answered, closed):
			self.assertEqual(self.clock_of(lead).lr_response_overdue, 0)
			self.assertEqual(self.notifications(lead), [])

	def test_no_owner_reminds_the_assigned_users(self):
		lead = self.lead_at(at(FRIDAY, 10), hot=True)
		frappe.db.set_value("Lead", lead.name, {"lead_owner": None, "_assign": frappe.as_json([OWNER])})
		with clock_at(at(FRIDAY, 12)):
			response.run_overdue()
		self.assertEqual(len(self.notifications(lead)), 1)
