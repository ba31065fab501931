"""E-mail addresses compared the way people mean them: without case and surrounding spaces.

MariaDB compares Frappe's text columns without case (utf8mb4_unicode_ci) and ignores trailing
spaces, so a query for foo@example.com also finds " FOO@Example.com"; Python's `==`, `in` and
dict keys do not. Frappe's own QueueBuilder shows the trap: it finds the unsubscribed
addresses without case, then drops recipients with a case-sensitive `not in`. Every time the
app compares two addresses, or looks one up in a set or dict, it uses `normalise_email`.

No Frappe import: these are plain rules, tested site-free.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# An unsubscribe entry: (normalised address, reference name), reference name None when the
# address left everything (global unsubscribe).
UnsubscribeEntry = tuple[str, str | None]


def normalise_email(address: str | None) -> str:
	"""The form in which two addresses are compared: trimmed and lower case ("" for none)."""
	return (address or "").strip().lower()


def normalised_emails(addresses: Iterable[str | None]) -> set[str]:
	"""The distinct normalised addresses, blanks left out."""
	return {n for n in map(normalise_email, addresses) if n}


def unsubscribe_entry(email: str | None, reference_name: str | None, is_global) -> UnsubscribeEntry:
	"""One Email Unsubscribe row, in the form `is_unsubscribed` reads."""
	return (normalise_email(email), None if is_global else reference_name)


def is_unsubscribed(address: str | None, reference_name: str | None, entries: set[UnsubscribeEntry]) -> bool:
	"""Frappe's rule (QueueBuilder.get_unsubscribed_user_emails), compared without case or
	spaces: the address left everything, or left this very document."""
	key = normalise_email(address)
	return bool(key) and ((key, None) in entries or (key, reference_name) in entries)


def by_email(names_and_addresses: Mapping[str, str | None]) -> dict[str, list[str]]:
	"""{normalised address: names}, e.g. the leads that have each address."""
	out: dict[str, list[str]] = {}
	for name, address in names_and_addresses.items():
		key = normalise_email(address)
		if key:
			out.setdefault(key, []).append(name)
	return out
