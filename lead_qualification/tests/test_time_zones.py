"""Integration tests on a real site: the site's time zone (System Settings) is set to one
zone, state is created, the zone is changed (to Europe/Paris, east, or to a zone west of
it), and every stamp the app compares must still behave (docs/time-zones.md).

Frappe reads the zone through frappe.get_system_settings("time_zone"): the System Settings
document cached in `frappe.local.system_settings` and in Redis. Saving System Settings
clears both (Document.clear_cache → frappe.clear_document_cache), so `set_time_zone` saves
through the controller, as the setup wizard and a manager do. A rollback does not clear
`frappe.local.system_settings` nor the defaults cache, so tearDown clears them and checks
the zone is back."""

from datetime import timedelta

import frappe
from frappe.cache_manager import clear_defaults_cache
from frappe.utils import get_datetime, get_system_timezone, now_datetime

from lead_qualification import time_zones
from lead_qualification.lead_nurture import cadence, enrollment, worker
from lead_qualification.lead_qualification.report.time_in_status import time_in_status
from lead_qualification.lead_scoring import activities, api, scoring
from lead_qualification.tests.utils import (
	COMPLETE_BANT,
	LeadQualificationTestCase,
	make_lead,
	reset_settings,
	set_nurture_settings,
	use_rules,
)

PARIS = "Europe/Paris"
KOLKATA = "Asia/Kolkata"  # Frappe's zone before the setup wizard sets one
NEW_YORK = "America/New_York"  # west of Paris
SEQUENCE = "LQ Time Zone Sequence"
VISIT_RULE = {
	"rule_name": "TZ visit",
	"dimension": "Engagement",
	"category": "Engagement",
	"condition_type": "Activity",
	"activity_type": "Page Viewed",
	"points": 10,
	"half_life_days": 7,
}


def set_time_zone(zone: str) -> None:
	settings = frappe.get_single("System Settings")
	settings.time_zone = zone
	settings.save()


def forget_cached_time_zone() -> None:
	frappe.clear_document_cache("System Settings", "System Settings")  # local + Redis
	frappe.cache.delete_value("time_zone")
	clear_defaults_cache()


def make_sequence(steps):
	if frappe.db.exists("Nurture Sequence", SEQUENCE):
		frappe.delete_doc("Nurture Sequence", SEQUENCE, force=True)
	return frappe.get_doc(
		{"doctype": "Nurture Sequence", "sequence_name": SEQUENCE, "enabled": 1, "steps": steps}
	).insert()


def lead_without_email(**values):
	return make_lead(email_id="", **values)  # no Gravatar look-up (it times out here)


class TimeZoneTestCase(LeadQualificationTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		self.original_zone = frappe.db.get_single_value("System Settings", "time_zone")
		reset_settings()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		forget_cached_time_zone()
		scoring.clear_rules_cache()
		enrollment.clear_holiday_cache()
		self.assertEqual(get_system_timezone(), time_zones.effective_zone(self.original_zone))

	def assertClose(self, first, second, within=timedelta(minutes=2)):
		self.assertLessEqual(abs(get_datetime(first) - get_datetime(second)), within, (first, second))


class TestTheSitesZone(TimeZoneTestCase):
	def test_saving_system_settings_changes_now_at_once(self):
		set_time_zone(KOLKATA)
		kolkata = now_datetime()
		set_time_zone(PARIS)
		self.assertEqual(get_system_timezone(), PARIS)
		paris = now_datetime()
		self.assertGreater(kolkata - paris, timedelta(hours=3))  # 4h30 in winter, 3h30 in summer
		self.assertClose(time_zones.to_utc(kolkata, KOLKATA), time_zones.to_utc(paris, PARIS))

	def test_frappes_zone_before_the_wizard_is_the_apps_fallback(self):
		frappe.db.set_single_value("System Settings", "time_zone", "")
		forget_cached_time_zone()
		self.assertEqual(get_system_timezone(), time_zones.FRAPPE_FALLBACK_ZONE)


class TestNurtureDueTimes(TimeZoneTestCase):
	def setUp(self):
		super().setUp()
		make_sequence([{"channel": "Call Task", "task": "Call about the project"}])

	def enroll_due_in(self, lead, delay: timedelta) -> str:
		name = enrollment.enroll(lead.name, SEQUENCE)
		frappe.db.set_value("Nurture Enrollment", name, "next_due", now_datetime() + delay)
		return name

	def due_names(self, now) -> list[str]:
		return [r.name for r in worker.due_batch(now, 1000)]

	def check_due_keeps_its_moment(self, old_zone, new_zone):
		set_time_zone(old_zone)
		name = self.enroll_due_in(lead_without_email(), timedelta(hours=2))
		set_time_zone(new_zone)
		now = now_datetime()
		# the same moment, two hours from now, in the new zone's wall-clock time
		self.assertClose(
			frappe.db.get_value("Nurture Enrollment", name, "next_due"), now + timedelta(hours=2)
		)
		self.assertNotIn(name, self.due_names(now + timedelta(hours=1, minutes=55)))
		self.assertIn(name, self.due_names(now + timedelta(hours=2, minutes=5)))

	def test_due_time_keeps_its_moment_when_the_wizard_sets_paris(self):
		self.check_due_keeps_its_moment(KOLKATA, PARIS)

	def test_due_time_keeps_its_moment_when_the_zone_moves_west(self):
		self.check_due_keeps_its_moment(PARIS, NEW_YORK)

	def test_stopped_enrollments_and_an_unchanged_zone_are_left_alone(self):
		set_time_zone(PARIS)
		active = self.enroll_due_in(lead_without_email(), timedelta(hours=2))
		stopped = self.enroll_due_in(lead_without_email(), timedelta(hours=2))
		frappe.db.set_value("Nurture Enrollment", stopped, "status", "Stopped")
		before = {n: frappe.db.get_value("Nurture Enrollment", n, "next_due") for n in (active, stopped)}
		set_time_zone(PARIS)  # saved again, same zone
		self.assertEqual(frappe.db.get_value("Nurture Enrollment", active, "next_due"), before[active])
		set_time_zone(NEW_YORK)
		self.assertEqual(frappe.db.get_value("Nurture Enrollment", stopped, "next_due"), before[stopped])
		self.assertEqual(
			get_datetime(frappe.db.get_value("Nurture Enrollment", active, "next_due")),
			time_zones.convert(get_datetime(before[active]), PARIS, NEW_YORK),
		)

	def test_quiet_hours_are_those_of_the_new_zone(self):
		set_time_zone(NEW_YORK)
		paris_now = time_zones.from_utc(time_zones.to_utc(now_datetime(), NEW_YORK), PARIS)
		start, end = paris_now - timedelta(hours=1), paris_now + timedelta(hours=1)
		set_nurture_settings(
			quiet_hours_start=start.strftime("%H:%M:%S"), quiet_hours_end=end.strftime("%H:%M:%S")
		)
		limits = enrollment.get_limits()
		self.assertFalse(cadence.in_quiet_hours(now_datetime(), limits))  # 6 hours earlier in New York
		lead = lead_without_email()
		name = self.enroll_due_in(lead, -timedelta(minutes=1))

		set_time_zone(PARIS)
		self.assertTrue(cadence.in_quiet_hours(now_datetime(), limits))
		self.assertIn(name, self.due_names(now_datetime()))
		counts = worker.process_due(commit=False)
		self.assertEqual((counts["touched"], counts["postponed"]), (0, 1))
		due = get_datetime(frappe.db.get_value("Nurture Enrollment", name, "next_due"))
		self.assertEqual(due.time(), end.replace(microsecond=0).time())
		self.assertClose(due, end.replace(microsecond=0))

	def test_weekly_cap_counts_touches_stamped_before_the_zone_moved_west(self):
		set_nurture_settings(max_touches_per_week=1)
		make_sequence(
			[
				{"channel": "Call Task", "task": "First call"},
				{"channel": "Call Task", "task": "Second call", "wait_days": 1},
			]
		)
		set_time_zone(PARIS)
		lead = lead_without_email()
		name = self.enroll_due_in(lead, -timedelta(minutes=1))
		self.assertEqual(worker.process_due(commit=False)["touched"], 1)

		set_time_zone(NEW_YORK)  # the touch's stamp now looks 6 hours ahead
		touch = frappe.db.get_value("Nurture Touch", {"enrollment": name}, "done_on")
		self.assertGreater(get_datetime(touch), now_datetime() + timedelta(hours=5))
		frappe.db.set_value("Nurture Enrollment", name, "next_due", now_datetime() - timedelta(minutes=1))
		counts = worker.process_due(commit=False)
		self.assertEqual((counts["touched"], counts["postponed"]), (0, 1))
		self.assertEqual(frappe.db.count("Nurture Touch", {"enrollment": name}), 1)
		self.assertGreater(
			get_datetime(frappe.db.get_value("Nurture Enrollment", name, "next_due")),
			now_datetime() + timedelta(days=6),
		)


class TestScoringAcrossAChange(TimeZoneTestCase):
	def setUp(self):
		super().setUp()
		use_rules(dict(VISIT_RULE))

	def test_recent_activity_still_counts_in_full_after_the_zone_moves_west(self):
		set_time_zone(PARIS)
		lead = lead_without_email()
		activities.record(lead.name, "Page Viewed", now_datetime(), event_id=f"tz-{lead.name}")
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "lq_score"), 10)

		set_time_zone(NEW_YORK)  # the visit's stamp now looks 6 hours ahead
		scoring.rescore_leads([lead.name])
		# decay factor 1: not more, and not dropped
		self.assertEqual([row.points for row in scoring.ledger(lead.name)], [10])
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "lq_score"), 10)

	def test_older_activity_decays_a_little_more_after_the_zone_moves_east(self):
		set_time_zone(NEW_YORK)
		lead = lead_without_email()
		activities.record(
			lead.name, "Page Viewed", now_datetime() - timedelta(days=7), event_id=f"tz-{lead.name}"
		)
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "lq_score"), 5)  # one half-life
		set_time_zone(PARIS)
		scoring.rescore_leads([lead.name])
		score = frappe.db.get_value("Lead", lead.name, "lq_score")
		self.assertLess(score, 5)
		self.assertGreater(score, 4.8)  # six hours more of a 7-day half-life

	def test_pushed_time_with_an_offset_is_stored_in_the_sites_zone(self):
		set_time_zone(PARIS)
		lead = lead_without_email()
		utc_hour_ago = time_zones.to_utc(now_datetime(), PARIS) - timedelta(hours=1)
		sent = utc_hour_ago.replace(microsecond=0).isoformat() + "Z"
		result = api.push_event("Page Viewed", lead=lead.name, occurred_at=sent, event_id="tz-utc")
		stored = frappe.db.get_value("Lead Activity", result["activity"], "occurred_on")
		self.assertEqual(
			get_datetime(stored), time_zones.from_utc(utc_hour_ago.replace(microsecond=0), PARIS)
		)

		# the same moment written with a -05:00 offset
		sent = (utc_hour_ago - timedelta(hours=5)).replace(microsecond=0).isoformat() + "-05:00"
		result = api.push_event("Page Viewed", lead=lead.name, occurred_at=sent, event_id="tz-minus-5")
		stored = get_datetime(frappe.db.get_value("Lead Activity", result["activity"], "occurred_on"))
		self.assertEqual(stored, time_zones.from_utc(utc_hour_ago.replace(microsecond=0), PARIS))
		self.assertClose(stored, now_datetime() - timedelta(hours=1))

	def test_naive_pushed_time_is_site_time(self):
		set_time_zone(PARIS)
		lead = lead_without_email()
		sent = (now_datetime() - timedelta(hours=2)).replace(microsecond=0)
		result = api.push_event("Page Viewed", lead=lead.name, occurred_at=str(sent), event_id="tz-naive")
		self.assertEqual(
			get_datetime(frappe.db.get_value("Lead Activity", result["activity"], "occurred_on")), sent
		)


class TestTimeInStatusAcrossAChange(TimeZoneTestCase):
	def setUp(self):
		super().setUp()
		use_rules()

	def test_order_and_durations_survive_the_wizard_setting_paris(self):
		set_time_zone(KOLKATA)
		lead = lead_without_email(bant_need="Roof")
		self.assertEqual(lead.qualification_status, "In Process")

		set_time_zone(PARIS)  # Kolkata stamps now look 4h30 ahead
		lead.reload()
		lead.update(COMPLETE_BANT)
		lead.save()
		self.assertEqual(lead.qualification_status, "Qualified")

		_columns, data = time_in_status.execute({"lead": lead.name, "kind": "Qualification Status"})
		self.assertEqual([r["value"] for r in data], ["In Process", "Qualified"])
		self.assertIsNone(data[-1]["to"])
		for row in data:
			self.assertGreaterEqual(row["days"], 0)
			self.assertLess(row["days"], 0.01)
		# shown in the site's zone of today
		self.assertClose(data[-1]["from"], now_datetime())
		self.assertClose(data[0]["from"], now_datetime())

	def test_logs_written_before_the_utc_field_get_it_from_the_sites_zone(self):
		from lead_qualification.patches.v1_0 import fill_status_log_utc

		set_time_zone(PARIS)
		lead = lead_without_email(bant_need="Roof")
		frappe.db.sql("update `tabLead Status Log` set changed_on_utc = null where lead = %s", lead.name)
		fill_status_log_utc.execute()
		logs = frappe.get_all(
			"Lead Status Log", filters={"lead": lead.name}, fields=["changed_on", "changed_on_utc"]
		)
		self.assertEqual(len(logs), 2)  # qualification status and band
		for log in logs:
			self.assertEqual(
				get_datetime(log.changed_on_utc), time_zones.to_utc(get_datetime(log.changed_on), PARIS)
			)
		set_time_zone(NEW_YORK)
		_columns, data = time_in_status.execute({"lead": lead.name, "kind": "Qualification Status"})
		self.assertClose(data[0]["from"], now_datetime())
