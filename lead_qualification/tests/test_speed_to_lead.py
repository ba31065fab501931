"""Integration tests on a real ERPNext site: the Speed to Lead report on a small seeded set,
figures worked out by hand, and only the leads the user may read."""

from datetime import datetime, timedelta

import frappe

from lead_qualification.lead_response import response
from lead_qualification.lead_response.report.speed_to_lead import speed_to_lead
from lead_qualification.tests.test_response_clock import clock_at, reset_response_settings, sec
from lead_qualification.tests.utils import (
	LeadQualificationTestCase,
	make_lead,
	make_user,
	reset_settings,
	use_rules,
)

# Monday 3 March 2025, 09:00: every lead arrives then (working day 09:00-18:00)
ARRIVAL = datetime(2025, 3, 3, 9, 0)
DAY = {"from_date": "2025-03-03", "to_date": "2025-03-03"}
SELLER = "lr-seller@example.com"
READER = "lr-reader@example.com"


def hours_later(h: float) -> datetime:
	"""`h` working hours after the arrival (09:00 Monday; 9 h a day)."""
	days, rest = divmod(h, 9)
	return ARRIVAL + timedelta(days=days, hours=rest)


# (band, working hours to the first response or None, prospect?)
# Hot: due Monday 10:00 (1 h). Warm: due Tuesday 09:00 (1 working day = 9 h).
SEED = {
	"H1": ("Hot", 0.5, True),  # in time, prospect
	"H2": ("Hot", 2, False),  # late
	"H3": ("Hot", None, True),  # never answered, past due: late, prospect
	"W1": ("Warm", 3, True),  # in time, prospect
	"W2": ("Warm", 5, False),  # in time
	"W3": ("Warm", 7, False),  # in time
	"W4": ("Warm", 10, False),  # late (Tuesday 10:00)
}


class TestSpeedToLead(LeadQualificationTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		reset_settings()
		reset_response_settings(use_holiday_list=0)
		use_rules(
			{"field_name": "company_name", "operator": "is set", "points": 80},  # Hot
			{"field_name": "bant_need", "operator": "is set", "points": 30},  # Warm
		)
		make_user(SELLER, ["Sales User"])
		self.leads = {}
		with clock_at(ARRIVAL):
			for key, (band, _, _) in SEED.items():
				values = {"company_name": f"{key} SARL"} if band == "Hot" else {"bant_need": "Porch"}
				lead = make_lead(first_name=key, **values)
				self.assertEqual(lead.lq_score_band, band)
				self.leads[key] = lead.name
		for key, (_, hours, prospect) in SEED.items():
			if hours is not None:
				response.record_response([self.leads[key]], hours_later(hours), "E-mail")
			if prospect:
				frappe.db.set_value("Lead", self.leads[key], "qualification_status", "Qualified")
		# H1 and W4 are the seller's
		for key in ("H1", "W4"):
			frappe.db.set_value("Lead", self.leads[key], "lead_owner", SELLER)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		from lead_qualification.lead_scoring import scoring

		scoring.clear_rules_cache()

	def run_report(self, **filters):
		columns, data, _, chart = speed_to_lead.execute({"group_by": "Band", **DAY, **filters})
		return {row["group"]: row for row in data}, chart

	def assert_row(self, row, **expected):
		for key, value in expected.items():
			if isinstance(value, float):
				self.assertAlmostEqual(row[key], value, places=2, msg=key)
			else:
				self.assertEqual(row[key], value, key)

	def test_seeded_deadlines(self):
		deadlines = dict(
			frappe.get_all(
				"Lead",
				filters={"name": ("in", list(self.leads.values()))},
				fields=["name", "lr_respond_by"],
				as_list=1,
			)
		)
		self.assertEqual(sec(deadlines[self.leads["H1"]]), datetime(2025, 3, 3, 10, 0))
		self.assertEqual(sec(deadlines[self.leads["W1"]]), datetime(2025, 3, 4, 9, 0))

	def test_figures_by_band_worked_out_by_hand(self):
		rows, chart = self.run_report()
		self.assertEqual(set(rows), {"Hot", "Warm", "Total"})
		# Hot: answered after 0.5 and 2 h; median 1.25; p90 0.5 + 0.9 * 1.5 = 1.85
		self.assert_row(
			rows["Hot"],
			leads=3,
			answered=2,
			waiting=1,
			median_hours=1.25,
			p90_hours=1.85,
			in_time=1,
			late=2,
			share_in_time=33.33,
			conversion_in_time=100.0,
			conversion_late=50.0,
		)
		# Warm: 3, 5, 7, 10 h; median 6; p90 rank 2.7 -> 7 + 0.7 * 3 = 9.1
		self.assert_row(
			rows["Warm"],
			leads=4,
			answered=4,
			waiting=0,
			median_hours=6.0,
			p90_hours=9.1,
			in_time=3,
			late=1,
			share_in_time=75.0,
			conversion_in_time=33.33,
			conversion_late=0.0,
		)
		# All: 0.5, 2, 3, 5, 7, 10 h; median 4; p90 rank 4.5 -> 7 + 0.5 * 3 = 8.5;
		# in time H1 W1 W2 W3 (prospects H1 W1), late H2 H3 W4 (prospect H3)
		self.assert_row(
			rows["Total"],
			leads=7,
			answered=6,
			median_hours=4.0,
			p90_hours=8.5,
			in_time=4,
			late=3,
			share_in_time=57.14,
			conversion_in_time=50.0,
			conversion_late=33.33,
		)
		self.assertEqual(chart["data"]["labels"], ["Hot", "Warm"])
		self.assertEqual(chart["data"]["datasets"][0]["values"], [1.25, 6.0])
		self.assertEqual(chart["data"]["datasets"][1]["values"], [1.85, 9.1])

	def test_by_owner(self):
		rows, _ = self.run_report(group_by="Lead Owner")
		# H1 (0.5 h, in time) and W4 (10 h, late)
		self.assert_row(rows[SELLER], leads=2, answered=2, median_hours=5.25, in_time=1, late=1)
		others = [row["leads"] for group, row in rows.items() if group not in (SELLER, "Total")]
		self.assertEqual(sum(others), 5)  # ERPNext gives the others their creator as owner

	def test_a_sales_user_counts_only_the_leads_they_may_read(self):
		make_user(READER, ["Sales User"])
		for key in ("H2", "W1"):
			frappe.get_doc(
				{
					"doctype": "User Permission",
					"user": READER,
					"allow": "Lead",
					"for_value": self.leads[key],
					"apply_to_all_doctypes": 1,
				}
			).insert(ignore_permissions=True)
		frappe.set_user(READER)
		rows, _ = self.run_report()
		self.assert_row(rows["Hot"], leads=1, answered=1, median_hours=2.0, late=1)
		self.assert_row(rows["Warm"], leads=1, answered=1, median_hours=3.0, in_time=1)
		self.assertEqual(rows["Total"]["leads"], 2)


class TestWaitingCard(LeadQualificationTestCase):
	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		from lead_qualification.lead_scoring import scoring

		scoring.clear_rules_cache()

	def card_count(self) -> int:
		from frappe.desk.doctype.number_card.number_card import get_result

		card = frappe.get_doc("Number Card", "Hot Leads Waiting for a First Response")
		return get_result(card.as_dict(), card.filters_json)  # as the desk asks for it

	def test_a_hot_lead_waits_until_someone_answers(self):
		reset_settings()
		reset_response_settings(use_holiday_list=0)
		use_rules({"field_name": "company_name", "operator": "is set", "points": 80})
		before = self.card_count()
		hot = make_lead(company_name="Waiting SARL")
		make_lead()  # a cold one does not count
		self.assertEqual(hot.lq_score_band, "Hot")
		self.assertEqual(self.card_count(), before + 1)
		hot.add_comment("Comment", "Called back")
		self.assertEqual(self.card_count(), before)
