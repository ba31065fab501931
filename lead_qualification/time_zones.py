"""Moments and the site's time zone: plain, typed functions; no frappe import.

Frappe stores every datetime naive, as the wall-clock time of the site's time zone (System
Settings → Time Zone, read by `frappe.utils.get_system_timezone()`; empty until the setup
wizard sets it, and then Frappe falls back to Asia/Kolkata). That zone can change after
install (the wizard, then a manager), and twice a year the wall clock of most zones goes
back or forward an hour. A stamp taken before such a change keeps its old wall-clock
value: compared with `now_datetime()` after the change it looks hours older, or hours in
the future. See docs/time-zones.md for what the app does about each of its stamps.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# frappe.utils.data.get_system_timezone(): `frappe.get_system_settings("time_zone") or "Asia/Kolkata"`
FRAPPE_FALLBACK_ZONE = "Asia/Kolkata"

# The widest gap between two zones' offsets (UTC-12 to UTC+14): a stamp taken before a
# change of the site's zone can look at most this far in the future afterwards.
MAX_ZONE_GAP = timedelta(hours=26)


def effective_zone(configured: str | None) -> str:
	"""The zone Frappe uses for a System Settings value (empty before the setup wizard)."""
	return (configured or "").strip() or FRAPPE_FALLBACK_ZONE


def zone_info(name: str | None) -> ZoneInfo | timezone:
	"""The zone; an unknown name is UTC, as frappe.utils.convert_utc_to_timezone treats it."""
	try:
		return ZoneInfo(effective_zone(name))
	except (ZoneInfoNotFoundError, ValueError):
		return timezone.utc


def to_utc(local: datetime, zone: str | None) -> datetime:
	"""A naive wall-clock time of `zone` as a naive UTC time (an hour that occurs twice, when
	the clocks go back, is taken as its first occurrence)."""
	if local.tzinfo is not None:
		return local.astimezone(timezone.utc).replace(tzinfo=None)
	return local.replace(tzinfo=zone_info(zone)).astimezone(timezone.utc).replace(tzinfo=None)


def from_utc(utc: datetime, zone: str | None) -> datetime:
	"""A naive UTC time as the naive wall-clock time of `zone`."""
	aware = utc if utc.tzinfo is not None else utc.replace(tzinfo=timezone.utc)
	return aware.astimezone(zone_info(zone)).replace(tzinfo=None)


def convert(local: datetime, from_zone: str | None, to_zone: str | None) -> datetime:
	"""The same moment, as a naive wall-clock time of `to_zone` instead of `from_zone`."""
	return from_utc(to_utc(local, from_zone), to_zone)


def site_moment(value: datetime, site_zone: str | None) -> datetime:
	"""A moment sent by a client, as the site stores it: a time with an offset (ISO 8601
	"…+02:00" or "…Z") is converted to the site's zone; a naive one is taken as site time."""
	if value.tzinfo is None:
		return value
	return from_utc(value.astimezone(timezone.utc), site_zone)


def shift_groups(
	stamps: Iterable[tuple[str, datetime]], old_zone: str | None, new_zone: str | None
) -> dict[int, list[str]]:
	"""Rows (name, naive stamp written in `old_zone`) grouped by the seconds to add to each
	stamp so that it names the same moment in `new_zone` (rows needing no change left out).
	The offset can differ from row to row (summer and winter time)."""
	groups: dict[int, list[str]] = {}
	for name, stamp in stamps:
		if stamp is None:
			continue
		seconds = int((convert(stamp, old_zone, new_zone) - stamp).total_seconds())
		if seconds:
			groups.setdefault(seconds, []).append(name)
	return groups
