"""The time-zone maths the app uses when the site's zone changes, site-free."""

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from lead_qualification import time_zones
from lead_qualification.time_zones import (
	convert,
	effective_zone,
	from_utc,
	shift_groups,
	site_moment,
	to_utc,
)
from tests._source import ROOT

WINTER = datetime(2026, 11, 26, 10, 0)
SUMMER = datetime(2026, 7, 1, 10, 0)


def test_the_zone_before_the_setup_wizard_is_frappes_fallback():
	assert effective_zone(None) == effective_zone("") == "Asia/Kolkata"
	assert effective_zone("Europe/Paris") == "Europe/Paris"


def test_to_utc_follows_summer_and_winter_time():
	assert to_utc(WINTER, "Europe/Paris") == datetime(2026, 11, 26, 9, 0)
	assert to_utc(SUMMER, "Europe/Paris") == datetime(2026, 7, 1, 8, 0)
	assert to_utc(WINTER, None) == datetime(2026, 11, 26, 4, 30)  # Asia/Kolkata
	assert to_utc(WINTER, "Nowhere/Atlantis") == WINTER  # unknown: UTC, as Frappe does


def test_convert_keeps_the_moment():
	assert convert(WINTER, "Asia/Kolkata", "Europe/Paris") == datetime(2026, 11, 26, 5, 30)
	assert convert(WINTER, "Europe/Paris", "America/New_York") == datetime(2026, 11, 26, 4, 0)
	assert convert(SUMMER, "Europe/Paris", "America/New_York") == datetime(2026, 7, 1, 4, 0)


@pytest.mark.parametrize(
	"sent, stored",
	[
		("2026-11-26T10:00:00+00:00", datetime(2026, 11, 26, 11, 0)),
		("2026-11-26T10:00:00Z", datetime(2026, 11, 26, 11, 0)),
		("2026-11-26T10:00:00-05:00", datetime(2026, 11, 26, 16, 0)),
		("2026-07-01T10:00:00+02:00", datetime(2026, 7, 1, 10, 0)),
	],
)
def test_a_client_time_with_an_offset_is_stored_in_the_sites_zone(sent, stored):
	assert site_moment(datetime.fromisoformat(sent.replace("Z", "+00:00")), "Europe/Paris") == stored


def test_a_naive_client_time_is_taken_as_site_time():
	assert site_moment(WINTER, "Europe/Paris") == WINTER


def test_shift_groups_by_offset_of_each_stamp():
	rows = [("winter", WINTER), ("summer", SUMMER), ("none", None)]
	# Asia/Kolkata (+5:30) to Europe/Paris (+1 in winter, +2 in summer)
	assert shift_groups(rows, "", "Europe/Paris") == {
		-int(timedelta(hours=4, minutes=30).total_seconds()): ["winter"],
		-int(timedelta(hours=3, minutes=30).total_seconds()): ["summer"],
	}
	assert shift_groups(rows, "Europe/Paris", "Europe/Paris") == {}


@given(
	st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)),
	st.sampled_from(["Asia/Kolkata", "Europe/Paris", "America/New_York", "Pacific/Kiritimati", "UTC"]),
	st.sampled_from(["Asia/Kolkata", "Europe/Paris", "America/Los_Angeles", "Pacific/Pago_Pago", "UTC"]),
)
def test_a_shifted_stamp_names_the_same_moment(stamp, old, new):
	groups = shift_groups([("x", stamp)], old, new)
	seconds = next(iter(groups)) if groups else 0
	shifted = stamp + timedelta(seconds=seconds)
	# wall times that do not exist or occur twice (when the clocks change) have no single moment
	assume(from_utc(to_utc(stamp, old), old) == stamp)
	assume(from_utc(to_utc(shifted, new), new) == shifted)
	assert to_utc(shifted, new) == to_utc(stamp, old)
	assert abs(shifted - stamp) <= time_zones.MAX_ZONE_GAP


def test_aware_values_convert_through_utc():
	aware = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
	assert to_utc(aware, "Europe/Paris") == datetime(2026, 11, 26, 10, 0)


def test_time_zones_module_is_site_free():
	code = "import sys\nimport lead_qualification.time_zones\nassert 'frappe' not in sys.modules\n"
	result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
	assert result.returncode == 0, result.stderr
