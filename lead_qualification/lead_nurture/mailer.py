"""The nurture run's e-mails: built by Frappe's own QueueBuilder, written to the Email Queue.

Each e-mail is built the way `frappe.sendmail` builds it, by QueueBuilder: the same
wrapper, CSS inlining, unsubscribe link, unsubscribe-list check, MIME message and Email
Queue document. A run makes thousands of them, so a `RunMailer` does once per run what
Frappe would work out again, with the same answer, for every e-mail:

- the outgoing Email Account, and whether it is a row in the database (QueueBuilder loads
  the whole account and its IMAP folders for each e-mail only to learn that);
- the unsubscribe list, read once per batch with QueueBuilder's rule instead of once per
  e-mail (`load_unsubscribed`);
- the Email Templates' Jinja, compiled once per template text (frappe.render_template
  compiles the text again on each call), rendered in Frappe's own Jinja environment;
- what premailer derives from Frappe's e-mail stylesheet (its style rules, compiled
  selectors, parsed declarations, the rules it keeps in a <style> block, the file's text)
  and the Markdown conversion of the empty body that get_email does (`reuse_email_work`);

and it writes the batch's Email Queue documents with one multi-row INSERT (`flush`, in the
batch's transaction) instead of one Document.insert each.

test_nurture checks that the rows are the ones frappe.sendmail writes.
"""

from __future__ import annotations

import copy
import functools
from contextlib import contextmanager

import frappe
from frappe import _
from frappe.email.doctype.email_account.email_account import EmailAccount
from frappe.email.doctype.email_queue.email_queue import QueueBuilder
from frappe.utils.jinja import get_jenv

from lead_qualification.email_address import UnsubscribeEntry, is_unsubscribed
from lead_qualification.lead_nurture import enrollment


class RunMailer:
	"""Queues a run's e-mails; one per run (or per batch), not shared between sites."""

	def __init__(self, reference_doctype: str = "Lead"):
		self.reference_doctype = reference_doctype
		self._account = None
		self._compiled: dict[str, object] = {}
		self._pending: list = []  # Email Queue documents for the next flush
		self._unsubscribed: set[UnsubscribeEntry] = set()
		self._unsubscribe_loaded: set[str] = set()

	def email_account(self):
		"""The account QueueBuilder would pick (same call), with its database check done once.
		A copy: the answer is kept on our instance, not on the one Frappe caches."""
		if self._account is None:
			account = EmailAccount.find_outgoing(
				match_by_doctype=self.reference_doctype, match_by_email="", _raise_error=True
			)
			account = copy.copy(account)
			exists = bool(account.is_exists_in_db())
			account.is_exists_in_db = lambda: exists
			self._account = account
		return self._account

	def for_doctype(self, reference_doctype: str) -> RunMailer:
		"""A mailer for e-mails about another document type (a quotation's follow-up), sharing
		this run's compiled templates."""
		other = RunMailer(reference_doctype)
		other._compiled = self._compiled
		return other

	def load_unsubscribed(self, emails: dict[str, str]) -> None:
		"""Read the unsubscribe list for a batch of references ({reference name: e-mail}) in
		one query, with QueueBuilder's own rule: an address is left out when it unsubscribed
		from this very document or from everything (global). Addresses compare trimmed and
		without case (QueueBuilder finds them without case in its query, then compares what it
		found with case, so it would still send to foo@example.com after FOO@example.com
		unsubscribed; the run does not)."""
		self._unsubscribed = enrollment.unsubscribe_entries(emails, self.reference_doctype)
		self._unsubscribe_loaded = set(emails)

	def unsubscribed_among(self, emails: list[str], reference_name: str) -> list[str] | None:
		"""Which of `emails` (in their own spelling) are unsubscribed for `reference_name`;
		None if its batch's list was not loaded (QueueBuilder then asks the database itself)."""
		if reference_name not in self._unsubscribe_loaded:
			return None
		return [e for e in emails if is_unsubscribed(e, reference_name, self._unsubscribed)]

	def render(self, text: str | None, context) -> str:
		"""frappe.render_template for a template string, compiled once per run."""
		if not text:
			return ""
		compiled = self._compiled.get(text)
		if compiled is None:
			if ".__" in text:  # frappe.render_template's safe_render rule
				frappe.throw(_("Illegal template"))
			compiled = self._compiled[text] = get_jenv().from_string(text)
		return compiled.render(context)

	def queue(
		self,
		template,
		lead,
		recipient: str | None = None,
		reference_name: str | None = None,
		attachments=None,
	) -> str | None:
		"""Render `template` (an Email Template document) for `lead` (a dict of the Lead's
		fields, or of the quotation's) into an Email Queue row, written by the next `flush`;
		returns the row's name, or None when Frappe queues nothing (the address is on the
		unsubscribe list). `attachments` as frappe.sendmail takes them."""
		builder = _RunQueueBuilder(
			self,
			recipients=[recipient or lead.email_id],
			subject=self.render(template.subject, lead),
			message=self.render(template.response_, lead),
			reference_doctype=self.reference_doctype,
			reference_name=reference_name or lead.name,
			add_unsubscribe_link=1,
			unsubscribe_message=_("Don't want these e-mails?"),
			attachments=attachments,
		)
		queue = builder.build()
		if queue is None:
			return None
		self._pending.append(queue)
		return queue.name

	def mark(self) -> int:
		return len(self._pending)

	def discard(self, mark: int) -> None:
		"""Forget the e-mails queued since `mark` (their enrollment failed)."""
		del self._pending[mark:]

	def flush(self) -> int:
		"""Insert the pending Email Queue rows and their recipients, a multi-row INSERT each,
		in the caller's transaction. The rows are QueueBuilder's documents as built above;
		Email Queue has no insert hooks of its own, and nobody edits these rows, so there
		is no Version to keep or list view to notify. Returns how many were written."""
		pending, self._pending = self._pending, []
		bulk_insert_dicts(
			"Email Queue",
			[queue.get_valid_dict(convert_dates_to_str=True, ignore_virtual=True) for queue in pending],
		)
		bulk_insert_dicts(
			"Email Queue Recipient",
			[
				child.get_valid_dict(convert_dates_to_str=True, ignore_virtual=True)
				for queue in pending
				for child in queue.recipients
			],
		)
		return len(pending)


def bulk_insert_dicts(doctype: str, rows: list[dict]) -> None:
	"""frappe.db.bulk_insert for rows given as dicts with the same keys."""
	if not rows:
		return
	fields = list(rows[0])
	frappe.db.bulk_insert(doctype, fields, [[row.get(field) for field in fields] for row in rows])


class _RunQueueBuilder(QueueBuilder):
	"""QueueBuilder with the run's Email Account (see RunMailer.email_account), building its
	one e-mail's Email Queue document as QueueBuilder.process does for a single recipient
	that is not sent now (EmailQueue.new), named and stamped but not yet inserted."""

	def __init__(self, mailer: RunMailer, **kwargs):
		super().__init__(**kwargs)
		self._mailer = mailer

	def get_outgoing_email_account(self):
		return self._mailer.email_account()

	def get_unsubscribed_user_emails(self):
		if self._unsubscribed_user_emails is None:
			self._unsubscribed_user_emails = self._mailer.unsubscribed_among(
				list(set(self.recipients + self.cc + self.bcc)), self.reference_name
			)
		if self._unsubscribed_user_emails is None:
			return super().get_unsubscribed_user_emails()
		return self._unsubscribed_user_emails

	def build(self):
		recipients = self.final_recipients()  # without the unsubscribed
		if not recipients:
			return None
		data = self.as_dict(include_recipients=False)
		if not data:  # an invalid address: QueueBuilder has logged it
			return None
		queue = frappe.new_doc("Email Queue")  # with the DocType's defaults (status Not Sent)
		queue.update(data)
		queue.set_recipients(recipients)
		queue.set_new_name()
		queue.set_user_and_timestamp()
		queue.set_parent_in_children()
		return queue


def _memo(function, key=lambda *args, **kwargs: (args, tuple(sorted(kwargs.items())))):
	cache: dict = {}

	@functools.wraps(function)  # with its attributes: premailer reads csstext_to_pairs._lock
	def memo(*args, **kwargs):
		k = key(*args, **kwargs)
		if k not in cache:
			cache[k] = function(*args, **kwargs)
		return cache[k]

	return memo


@contextmanager
def reuse_email_work():
	"""Work that Frappe's e-mail pipeline repeats for every e-mail with the same input and
	the same result, kept for the length of a run; the e-mails come out the same.

	- premailer, which inlines Frappe's e-mail CSS, reads the stylesheet file, derives its
	  style rules (about 30 ms) and serialises the rules it cannot inline into a <style>
	  block, for every e-mail; all three depend only on the stylesheet.
	- premailer keeps compiled CSS selectors and parsed declarations in one shared cache of
	  128 entries, fewer than Frappe's stylesheet needs, so they are compiled and validated
	  again for every e-mail (cssutils' "ERROR PropertyValue" lines); during the run they are
	  kept whole.
	- Frappe's get_email converts the (empty) message body from Markdown for every e-mail,
	  though QueueBuilder gives it the finished HTML; the conversion of the same text is kept.
	"""
	try:
		import premailer.merge_style
		import premailer.premailer
		from premailer import Premailer
	except ImportError:
		yield
		return
	import frappe.email.email_body

	def parse_style_rules(self, css_body, ruleset_index):
		rules, leftover = parse_style_rules.memo(self, css_body, ruleset_index)
		return list(rules), list(leftover)

	parse_style_rules.memo = _memo(
		Premailer._parse_style_rules,
		key=lambda self, css_body, index: (css_body, index, self.strip_important, self.disable_validation),
	)

	replacements = {
		(Premailer, "_parse_style_rules"): parse_style_rules,
		# the leftover rules are the kept objects above (alive as long as that memo), so
		# their identities name them
		(Premailer, "_css_rules_to_string"): _memo(
			Premailer._css_rules_to_string, key=lambda self, rules: tuple(id(rule) for rule in rules)
		),
		(Premailer, "_load_external"): _memo(Premailer._load_external, key=lambda self, url: url),
		(premailer.premailer, "_create_cssselector"): _memo(premailer.premailer._create_cssselector),
		(premailer.premailer, "csstext_to_pairs"): _memo(premailer.premailer.csstext_to_pairs),
		(premailer.merge_style, "csstext_to_pairs"): _memo(premailer.merge_style.csstext_to_pairs),
		(frappe.email.email_body, "markdown"): _memo(frappe.email.email_body.markdown),
	}
	original = {(owner, name): getattr(owner, name) for owner, name in replacements}
	for (owner, name), replacement in replacements.items():
		setattr(owner, name, replacement)
	try:
		yield
	finally:
		for (owner, name), function in original.items():
			setattr(owner, name, function)
