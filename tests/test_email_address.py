"""Addresses compare trimmed and without case, wherever the app compares them."""

import pytest

from lead_qualification.email_address import (
	by_email,
	is_unsubscribed,
	normalise_email,
	normalised_emails,
	unsubscribe_entry,
)


@pytest.mark.parametrize(
	"raw, expected",
	[
		("foo@x.com", "foo@x.com"),
		("FOO@X.com", "foo@x.com"),
		("  Foo@X.COM \n", "foo@x.com"),
		("\tÉlodie@Exemple.FR", "élodie@exemple.fr"),
		("", ""),
		("   ", ""),
		(None, ""),
	],
)
def test_normalise_email(raw, expected):
	assert normalise_email(raw) == expected


def test_normalised_emails_are_distinct_and_leave_out_blanks():
	assert normalised_emails(["a@x.com", " A@X.COM", None, "", " ", "b@x.com"]) == {"a@x.com", "b@x.com"}


def test_global_unsubscribe_matches_any_case_and_spaces():
	entries = {unsubscribe_entry(" FOO@X.com ", "LEAD-1", 1)}
	assert entries == {("foo@x.com", None)}
	for address in ("foo@x.com", "Foo@X.Com", " foo@x.com"):
		assert is_unsubscribed(address, "LEAD-2", entries)
	assert not is_unsubscribed("bar@x.com", "LEAD-2", entries)


def test_unsubscribe_from_one_document_is_for_that_document_only():
	entries = {unsubscribe_entry("FOO@X.COM", "LEAD-1", 0)}
	assert is_unsubscribed("foo@x.com", "LEAD-1", entries)
	assert not is_unsubscribed("foo@x.com", "LEAD-2", entries)


def test_no_address_is_never_unsubscribed():
	entries = {unsubscribe_entry("", "LEAD-1", 0), unsubscribe_entry(None, None, 1)}
	assert not is_unsubscribed("", "LEAD-1", entries)
	assert not is_unsubscribed(None, "LEAD-1", entries)


def test_by_email_groups_names_under_the_normalised_address():
	assert by_email({"L1": "Foo@X.com", "L2": " foo@x.com ", "L3": "bar@x.com", "L4": None, "L5": " "}) == {
		"foo@x.com": ["L1", "L2"],
		"bar@x.com": ["L3"],
	}
