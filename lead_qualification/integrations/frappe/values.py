"""Frappe field values read often: parsed once."""

from datetime import time
from functools import lru_cache

from frappe.utils import get_time


@lru_cache(maxsize=256)
def time_of(value) -> time:
	"""A Time field's value as a time: frappe.utils.get_time parses a text with dateutil
	(about 0.1 ms), and the working hours are read on every new lead."""
	return get_time(value)
