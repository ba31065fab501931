"""Scoring service: loads rules, leads and activity events, runs the pure engine, and
writes scores and ledger rows back, for one lead (on save) or many (bulk, set-based).
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import create_batch, cstr, flt, get_datetime, now_datetime

from lead_qualification.integrations.frappe.documents import keep_stored
from lead_qualification.lead_scoring import engine

SETTINGS_DOCTYPE = "Lead Scoring Settings"
RULE_DOCTYPE = "Lead Scoring Rule"
ENTRY_DOCTYPE = "Lead Score Entry"
RUN_DOCTYPE = "Lead Scoring Run"
RULES_CACHE_KEY = "lead_qualification:scoring_rules:v2"
BATCH_SIZE = 5000
# rows per multi-row statement
CHUNK = 5000


class ScoringRuleError(frappe.ValidationError):
	pass


# --- settings and rules -------------------------------------------------------------


def get_settings():
	return frappe.get_cached_doc(SETTINGS_DOCTYPE)


def is_enabled() -> bool:
	return bool(get_settings().enabled)


def get_bands(settings=None) -> engine.Bands:
	settings = settings or get_settings()
	return engine.Bands(
		hot=Decimal(str(flt(settings.hot_threshold))), warm=Decimal(str(flt(settings.warm_threshold)))
	)


def promotion_min_score(settings=None) -> float:
	return flt((settings or get_settings()).promotion_min_score)


def lead_fieldtypes() -> dict[str, str]:
	meta = frappe.get_meta("Lead")
	types = {df.fieldname: df.fieldtype for df in meta.fields}
	types.update({"name": "Data", "creation": "Datetime", "modified": "Datetime", "owner": "Link"})
	return types


def rule_error_message(e: engine.RuleError) -> str:
	label = _(frappe.get_meta(RULE_DOCTYPE).get_label(e.fieldname))
	value = frappe.bold(cstr(e.value))
	messages = {
		"unknown_field": _("The Lead has no field {0}. Choose a field of the Lead.").format(value),
		"field_type_not_scorable": _(
			"Lead field {0} cannot be scored: choose a text, number or date field."
		).format(value),
		"operator_not_for_field": _(
			"Operator {0} does not fit this field. For text use equals, in list or contains; for numbers and dates, greater than, less than or between."
		).format(value),
		"value_required": _("{0} is required for this operator.").format(label),
		"not_a_number": _("{0} must be a number, not {1}.").format(label, value),
		"not_a_date": _("{0} must be a date (YYYY-MM-DD), not {1}.").format(label, value),
		"range_reversed": _("{0} must not be lower than the lower bound.").format(label),
		"zero_points": _(
			"Points must not be 0: give positive points to raise the score or negative points to lower it."
		),
		"cap_not_positive": _("Cap must be greater than 0, or empty for no cap."),
		"half_life_not_positive": _("Half-Life must be greater than 0, or empty for no decay."),
		"decay_only_for_engagement": _(
			"Only engagement rules decay: clear Half-Life or choose the Engagement dimension."
		),
		"activity_only_for_engagement": _(
			"Rules on activities measure engagement: choose the Engagement dimension."
		),
		"min_count_below_one": _("At Least (Times) must be 1 or more."),
		"window_not_positive": _("Within (Days) must be 1 or more, or empty for any time."),
	}
	return messages.get(e.code) or _("{0} cannot be {1}.").format(label, value)


def parse_rule_doc(doc) -> engine.Rule:
	try:
		return engine.parse_rule(doc.as_dict(), lead_fieldtypes())
	except engine.RuleError as e:
		frappe.throw(rule_error_message(e), exc=ScoringRuleError, title=_("Invalid Scoring Rule"))


def rules_version() -> str:
	"""What the rules are, as this transaction sees them (count, last change, enabled);
	asked once per request (a rule saved in this request forgets it)."""
	if not frappe.flags.lq_rules_version:
		count, modified, enabled = frappe.db.sql(
			"select count(*), max(modified), sum(enabled) from `tabLead Scoring Rule`"
		)[0]
		frappe.flags.lq_rules_version = f"{count}:{modified}:{enabled}"
	return frappe.flags.lq_rules_version


def load_rules() -> list[engine.Rule]:
	"""Enabled rules, parsed; cached per version of the rules, so a request never uses rules
	other than those its own transaction sees (even while another one is changing them).
	A rule that no longer parses (its Lead field was removed since) is left out and logged."""
	key = f"{RULES_CACHE_KEY}:{rules_version()}"
	cached = frappe.cache.get_value(key)
	if cached is not None:
		return cached
	fieldtypes = lead_fieldtypes()
	rules = []
	for raw in frappe.get_all(RULE_DOCTYPE, filters={"enabled": 1}, fields=["*"], order_by="name asc"):
		try:
			rules.append(engine.parse_rule(raw, fieldtypes))
		except engine.RuleError as e:
			frappe.log_error(
				title=_("Lead scoring rule {0} skipped").format(raw.name), message=rule_error_message(e)
			)
	frappe.cache.set_value(key, rules, expires_in_sec=24 * 3600)
	return rules


def clear_rules_cache(*args) -> None:
	frappe.flags.lq_rules_version = None
	frappe.cache.delete_keys(RULES_CACHE_KEY)


# --- events -----------------------------------------------------------------------


def events_for(
	leads: Sequence[str], activity_types: Iterable[str], *, first: str | None = None, last: str | None = None
) -> dict[str, list[engine.Event]]:
	"""The activity events of these leads, by lead, each lead's in the order they were recorded.
	A batch of leads read in name order passes its first and last name too: the events are
	then read by range of the lead index (no list of names to send), and those of leads
	outside `leads` are left out.

	Each lead's events come as one text (GROUP_CONCAT), split here: the database driver
	decodes every column of every row in Python, and one column per lead instead of three
	per event halves the time of this read in a bulk re-score. A lead whose text does not
	hold all its events (longer than the server's group_concat_max_len) is read row by row."""
	activity_types = tuple(activity_types)
	out: dict[str, list[engine.Event]] = defaultdict(list)
	if not leads or not activity_types:
		return out
	by_range = first is not None and last is not None
	where = f"""{"lead >= %(first)s and lead <= %(last)s" if by_range else "lead in %(leads)s"}
		and activity_type in %(types)s"""
	values = {"first": first, "last": last, "leads": tuple(leads), "types": activity_types}
	rows = frappe.db.sql(
		f"""select lead, count(*), group_concat(
			activity_type, char(31 using utf8mb4), occurred_on, char(31 using utf8mb4),
			hex(coalesce(source, '')) order by name separator %(records)s)
		from `tabLead Activity` where {where} group by lead""",
		{**values, "records": RECORDS},
	)
	wanted = set(leads) if by_range else None
	Event, from_iso, from_hex = engine.Event, datetime.fromisoformat, bytes.fromhex
	incomplete = []
	for lead, count, text in rows:
		if wanted is not None and lead not in wanted:
			continue
		records = text.split(RECORDS) if text else []
		if len(records) != count:
			incomplete.append(lead)
			continue
		events = out[lead]
		for record in records:
			activity_type, occurred_on, source = record.split(FIELDS)
			events.append(Event(activity_type, from_iso(occurred_on), from_hex(source).decode()))
	if incomplete:
		for lead, activity_type, occurred_on, source in frappe.db.sql(
			"""select lead, activity_type, occurred_on, coalesce(source, '') from `tabLead Activity`
			where lead in %(incomplete)s and activity_type in %(types)s order by lead, name""",
			{"incomplete": tuple(incomplete), "types": activity_types},
		):
			out[lead].append(Event(activity_type, get_datetime(occurred_on), source))
	return out


# separators of events_for's text: one event's fields (the source is sent in hex, so that no
# text of a user's can hold them), and its events
FIELDS, RECORDS = "\x1f", "\x1e"


# --- one lead, on save ----------------------------------------------------------------


def needs_rescore(doc, rules: Sequence[engine.Rule]) -> bool:
	if doc.is_new() or doc.flags.lq_force_rescore or not doc.get("lq_scored_on"):
		return True
	before = doc.get_doc_before_save()
	if not before:
		return True
	return any(
		engine.normalized(doc.get(r.fieldname), r.kind) != engine.normalized(before.get(r.fieldname), r.kind)
		for r in rules
		if r.fieldname
	)


def score_doc(doc) -> engine.Score | None:
	"""On Lead validate: recompute the score when a field that rules read has changed.
	The ledger rows are written after the save (write_after_save)."""
	keep_stored_score(doc)
	rules = load_rules()
	if not needs_rescore(doc, rules):
		return None
	now = now_datetime()
	has_events = not doc.is_new() and doc.get("lq_has_activity")
	events = events_for([doc.name], engine.activity_types_used(rules))[doc.name] if has_events else []
	score = engine.score_lead(doc, events, rules, now, get_bands())  # a Document answers .get()
	set_score_fields(doc, score, now)
	doc.flags.lq_score = score
	return score


# the Lead's score columns a re-score writes, those it reads back (a StoredScore's, and
# whether the lead has events), and those a save keeps
SCORE_COLUMNS = ("lq_score", "lq_fit_score", "lq_engagement_score", "lq_score_band", "lq_ledger_keys")
STORED_COLUMNS = ("lq_score", "lq_score_band", "lq_ledger_keys", "lq_has_activity")
SCORE_FIELDS = (*SCORE_COLUMNS, "lq_has_activity", "lq_scored_on")


def keep_stored_score(doc) -> None:
	"""A save starts from the stored score: a re-score or an activity that committed while
	this document was open (the daily decay, an e-mail received) must not be undone by the
	save writing the values the document was loaded with. These fields are the app's alone;
	a save that re-scores then sets them anew."""
	keep_stored(doc, SCORE_FIELDS)


def set_score_fields(doc, score: engine.Score, now) -> None:
	doc.lq_score = float(score.total)
	doc.lq_fit_score = float(score.fit)
	doc.lq_engagement_score = float(score.engagement)
	doc.lq_score_band = score.band
	doc.lq_scored_on = now
	doc.lq_ledger_keys = score.keys_text


def write_after_save(doc, new: bool = False) -> None:
	"""The ledger of the score computed on validate (once: the flag is cleared)."""
	score = doc.flags.lq_score
	doc.flags.lq_score = None
	if score is not None:
		replace_ledger(doc.name, score, new=new)


# --- ledger -----------------------------------------------------------------------
#
# A lead's ledger rows are named after the lead and each row's slot (engine.LedgerRow.slot:
# what the row counts), and the Lead keeps its rows' "<slot>:<content>" keys in
# lq_ledger_keys (Score.keys_text: "v2 <key> <key> ..."). A bulk re-score compares the keys
# it computes with the stored ones and writes only the difference: new rows, rows whose
# content changed (rewritten in place: the decay, a rule's points edited), and deletes of
# rows that are gone.
# The keys and the rows are written in one transaction, with the Lead row locked.

ENTRY_COLUMNS = (
	"name",
	"lead",
	"rule",
	"dimension",
	"category",
	"points",
	"base_points",
	"capped",
	"source",
	"occurred_on",
	"owner",
	"modified_by",
	"creation",
	"modified",
)
# what an existing row takes from a new one with its name (its slot: same rule and event).
# Not `modified`: it is indexed, and rewriting that index for each row the daily decay moves
# costs a quarter of the write; a row's `modified` says when it was first written.
ENTRY_UPDATES = ("dimension", "category", "points", "base_points", "capped")


def stored_keys(text: str | None) -> dict[str, str] | None:
	"""The slots a Lead's lq_ledger_keys lists, with their contents; None when unknown (never
	written, or by an older version): then its rows are replaced by lead."""
	parts = (text or "").split()
	if not parts or parts[0] != engine.KEYS_FORMAT:
		return None
	return dict(part.split(":", 1) for part in parts[1:])


def entry_name(lead: str, slot: str) -> str:
	"""Ledger rows are named after their lead, so a lead's rows sit together in the table."""
	name = f"{lead}-{slot}"
	return name if len(name) <= 140 else f"{hashlib.sha1(lead.encode()).hexdigest()[:32]}-{slot}"


def replace_ledger(lead: str, score: engine.Score, new: bool = False) -> None:
	"""One lead's ledger becomes the score's rows, whatever was stored: other rows are
	deleted, the score's written (in place where there). Used on a Lead save."""
	if not new:
		names = tuple(entry_name(lead, slot) for slot in score.slots)
		if names:
			frappe.db.sql(
				"delete from `tabLead Score Entry` where lead = %(lead)s and name not in %(names)s",
				{"lead": lead, "names": names},
			)
		else:
			frappe.db.sql("delete from `tabLead Score Entry` where lead = %(lead)s", {"lead": lead})
	write_entries([(lead, slot, row) for slot, row in zip(score.slots, score.rows)])


def write_ledger_changes(scores: dict[str, engine.Score], stored: dict[str, StoredScore]) -> tuple[int, int]:
	"""Write the rows of these scores that the stored ledger does not have as they are, and
	delete the stored rows they no longer have. Returns (rows deleted, rows written)."""
	unknown: list[str] = []
	deletes: list[str] = []
	writes: list[tuple[str, str, engine.LedgerRow]] = []
	for lead, score in scores.items():
		before = stored.get(lead)
		old = stored_keys(before.keys) if before else None
		if old is None:
			unknown.append(lead)
			writes.extend((lead, slot, row) for slot, row in zip(score.slots, score.rows))
			continue
		for slot, row in zip(score.slots, score.rows):
			if old.get(slot) != row.content:
				writes.append((lead, slot, row))
		# the same number of slots, all stored: the same slots, nothing to delete
		if len(old) != len(score.slots) or any(slot not in old for slot in score.slots):
			deletes.extend(entry_name(lead, slot) for slot in old.keys() - set(score.slots))
	for leads in create_batch(unknown, CHUNK):
		frappe.db.sql("delete from `tabLead Score Entry` where lead in %(leads)s", {"leads": tuple(leads)})
	for names in create_batch(deletes, CHUNK):
		frappe.db.sql("delete from `tabLead Score Entry` where name in %(names)s", {"names": tuple(names)})
	write_entries(writes)
	return len(deletes), len(writes)


def write_entries(entries: Sequence[tuple[str, str, engine.LedgerRow]]) -> None:
	"""Multi-row upserts of ledger rows (lead, slot, row): a new row is inserted, a row already
	there under its name (same rule and event) takes the new content in place.

	The VALUES text is built here with literals escaped once per distinct value: this is
	the hot loop of a bulk re-score."""
	if not entries:
		return
	lit = SqlLiterals()
	now = now_datetime()
	user = lit(frappe.session.user)
	tail = f"{user}, {user}, {lit(now)}, {lit(now)})"
	row_parts: dict = {}
	values = []
	for lead, slot, r in entries:
		# a field rule's row is one object shared by every lead it hits: its part once
		part = row_parts.get(id(r))
		if part is None:
			part = row_parts[id(r)] = (
				f"{lit(r.rule)}, {lit(r.dimension)}, {lit(r.category)}, {r.points}, {r.base_points}, "
				f"{1 if r.capped else 0}, {lit(r.source[:140])}, {lit(r.occurred_on)}, {tail}"
			)
		lead_literal = lit(lead)
		name = entry_name(lead, slot)
		# the name is the lead's name plus "-<slot>": reuse the lead's escaped literal
		name_literal = f"{lead_literal[:-1]}-{slot}'" if name.startswith(lead) else lit(name)
		values.append(f"({name_literal}, {lead_literal}, {part}")
	insert_values("tabLead Score Entry", ENTRY_COLUMNS, values, update=ENTRY_UPDATES)


class SqlLiterals:
	"""SQL literals for bulk statements, escaping each distinct string once (rule names,
	categories, sources repeat across thousands of rows)."""

	def __init__(self):
		self.cache: dict = {}

	def __call__(self, value) -> str:
		cached = self.cache.get(value)
		if cached is not None:
			return cached
		if value is None:
			return "NULL"
		if isinstance(value, bool):
			return "1" if value else "0"
		if isinstance(value, int | Decimal):
			return str(value)
		if isinstance(value, float):
			return repr(value)
		text = value.isoformat(sep=" ") if hasattr(value, "isoformat") else str(value)
		cached = self.cache[value] = frappe.db.escape(text, percent=False)
		return cached


def insert_rows(
	table: str,
	columns: Sequence[str],
	rows: list[tuple],
	chunk: int = CHUNK,
	first: str | None = None,
	update: Sequence[str] = (),
) -> None:
	"""Multi-row INSERTs with literal values. `first`, if given, is an SQL expression for
	the `name` column (e.g. the next value of an autoincrement DocType's sequence); `update`,
	the columns a row already there (same key) takes from the new one."""
	literal = SqlLiterals()
	prefix = f"({first}, " if first else "("
	values = [prefix + ", ".join(map(literal, row)) + ")" for row in rows]
	insert_values(table, ("name", *columns) if first else columns, values, chunk, update)


def insert_values(
	table: str, columns: Sequence[str], values: list[str], chunk: int = CHUNK, update: Sequence[str] = ()
) -> None:
	"""INSERT statements of `chunk` rows each, from rows already written as SQL ("(…, …)");
	with `update`, ON DUPLICATE KEY UPDATE of those columns."""
	cols = ", ".join(f"`{c}`" for c in columns)
	upsert = (
		(" on duplicate key update " + ", ".join(f"`{c}` = values(`{c}`)" for c in update)) if update else ""
	)
	for part in create_batch(values, chunk):
		frappe.db.sql(f"insert into `{table}` ({cols}) values {', '.join(part)}{upsert}")


def ledger(lead: str) -> list[dict]:
	return frappe.get_all(
		ENTRY_DOCTYPE,
		filters={"lead": lead},
		fields=["rule", "dimension", "category", "points", "base_points", "capped", "source", "occurred_on"],
		order_by="dimension asc, points desc",
	)


# --- many leads: bulk, set-based ---------------------------------------------------------


@dataclass(frozen=True)
class StoredScore:
	"""A lead's score as stored before a re-score: promotion and nurture react to a change,
	and the ledger is written as the difference from `keys`."""

	total: float
	band: str | None
	keys: str | None


def read_leads(
	rules: Sequence[engine.Rule],
	*,
	names: Sequence[str] | None = None,
	after: str = "",
	upto: str | None = None,
	limit: int = BATCH_SIZE,
	only_with_activity: bool = False,
) -> list[dict]:
	"""The stored score and the fields the rules read: of these leads (`names`), or of the
	next `limit` leads after `after` (and up to `upto`) in name order (a batch read by key: no
	list of every lead is held, however many there are). The Lead rows are locked until the transaction
	ends, so a Lead save cannot change a ledger between this read and the batch's writes."""
	columns = ("name", *STORED_COLUMNS, *sorted(engine.fields_used(rules) - {"name", *STORED_COLUMNS}))
	select = ", ".join(f"`{c}`" for c in columns)
	if names is not None:
		if not names:
			return []
		return frappe.db.sql(
			f"select {select} from `tabLead` where name in %(names)s order by name for update",
			{"names": tuple(names)},
			as_dict=True,
		)
	values = {"after": after, "upto": upto, "limit": int(limit)}
	below = "and name <= %(upto)s" if upto is not None else ""
	if not only_with_activity:
		return frappe.db.sql(
			f"select {select} from `tabLead` where name > %(after)s {below} "
			"order by name limit %(limit)s for update",
			values,
			as_dict=True,
		)
	# Leads with activities: the batch's names first, by range of the (lq_has_activity, name)
	# index, which that query covers; then their rows by range of the primary key, locked. One
	# locking query by lq_has_activity alone would be planned as a scan of every lead with
	# activities from the first (with name as a pushed-down filter), locking as it goes, so the
	# parts of a re-score would lock each other's leads and wait on one another.
	while True:
		names = frappe.db.sql(
			f"select name from `tabLead` where lq_has_activity = 1 and name > %(after)s {below} "
			"order by name limit %(limit)s",
			values,
		)
		if not names:
			return []
		rows = frappe.db.sql(
			f"select {select} from `tabLead` force index (primary) "
			"where name >= %(first)s and name <= %(last)s and lq_has_activity = 1 order by name for update",
			{"first": names[0][0], "last": names[-1][0]},
			as_dict=True,
		)
		if rows:
			return rows
		# every lead of the batch deleted between the two reads: the next ones (an empty
		# batch would end the part)
		values["after"] = names[-1][0]


def score_rows(
	rows: Sequence[dict], rules: Sequence[engine.Rule], bands: engine.Bands, now, batch: bool = False
) -> tuple[dict[str, engine.Score], dict[str, StoredScore]]:
	"""Scores of these leads (rows of read_leads), and what they had before. `batch`: the
	rows are a batch read by key (read_leads with `after`), so their events are read by range."""
	types = engine.activity_types_used(rules)
	active = [r["name"] for r in rows if r["lq_has_activity"]] if types else []
	if not active:
		events = {}
	elif batch:
		# every lead between the batch's first and last name is in the batch
		events = events_for(active, types, first=rows[0]["name"], last=rows[-1]["name"])
	else:
		events = events_for(active, types)
	stored = {
		r["name"]: StoredScore(flt(r["lq_score"]), r["lq_score_band"], r["lq_ledger_keys"]) for r in rows
	}
	return engine.score_many(rows, events, rules, now, bands), stored


def changed_scores(
	scores: dict[str, engine.Score], stored: dict[str, StoredScore]
) -> dict[str, engine.Score]:
	"""The scores that differ from the stored ones: ledger rows that moved (their keys), or
	another band or total. Equal keys mean equal rows, hence equal fit and engagement, which
	are written with the keys; the daily decay leaves most leads alone."""
	out = {}
	for name, score in scores.items():
		before = stored.get(name)
		if (
			before is None
			or before.keys != score.keys_text
			or before.band != score.band
			or round(before.total, 2) != float(score.total)
		):
			out[name] = score
	return out


def write_scores(scores: dict[str, engine.Score], now, stored: dict[str, StoredScore]) -> tuple[int, int]:
	"""Write these (changed) scores: their ledger rows that changed, then the Lead's score
	columns. Returns (ledger rows deleted, ledger rows written)."""
	if not scores:
		return 0, 0
	counts = write_ledger_changes(scores, stored)
	update_leads(scores, now)
	return counts


def update_leads(scores: dict[str, engine.Score], now) -> None:
	"""The Lead's score columns, by multi-row INSERT ... ON DUPLICATE KEY UPDATE: every
	lead exists and is locked (read_leads reads them FOR UPDATE), so each row updates one
	lead in place; much faster than one UPDATE per lead or per CASE. Leads alike share one
	Score: its part of the row is written once (a fifth of this function's time)."""
	literal = SqlLiterals()
	stamp = literal(now)
	parts: dict[int, str] = {}
	values = []
	for name, s in scores.items():
		part = parts.get(id(s))
		if part is None:
			part = parts[id(s)] = (
				f"{s.total}, {s.fit}, {s.engagement}, {literal(s.band)}, {literal(s.keys_text)}, {stamp})"
			)
		values.append(f"({literal(name)}, {part}")
	columns = ("name", *SCORE_COLUMNS, "lq_scored_on")
	insert_values("tabLead", columns, values, update=columns[1:])


def rescore_leads(names: Sequence[str], now=None) -> dict[str, engine.Score]:
	"""Score these leads with the bulk path (used for one lead after an activity, too)."""
	now = now or now_datetime()
	rules = load_rules()
	scores, stored = score_rows(read_leads(rules, names=names), rules, get_bands(), now)
	changed = changed_scores(scores, stored)
	write_scores(changed, now, stored)
	after_scores_changed(changed, stored)
	return scores


def after_scores_changed(
	scores: dict[str, engine.Score], stored: dict[str, StoredScore], bulk: bool = False
) -> None:
	"""Announce what the re-score changed (band, score); the features that react to it listen
	through hooks.py's lead_change_listeners, so scoring knows none of them."""
	from lead_qualification import lead_events

	if not scores:
		return
	lead_events.announce(
		lead_events.rescored_changes(
			{n: (float(s.total), s.band) for n, s in scores.items()},
			{n: (stored[n].total, stored[n].band) for n in scores if n in stored},
		),
		bulk=bulk,
	)


MIN_LEADS_PER_PART = 5_000
MAX_PARTS = 32


def rescore_all(
	reason: str = "",
	only_with_activity: bool = False,
	batch_size: int = BATCH_SIZE,
	run=None,
	now=None,
	parts: int = 1,
	min_leads_per_part: int = MIN_LEADS_PER_PART,
) -> str:
	"""Re-score every lead (or those with activities: the daily decay) and write what changed.
	Progress is kept on a Lead Scoring Run; returns its name. `now` is the time the scores
	are computed for (now by default).

	With `parts` > 1 (and at least MIN_LEADS_PER_PART leads a part), the leads are split by
	name into that many ranges, each re-scored by its own job on the long queue
	(rescore_part_job): Frappe's ordinary scale-out, one part per long-queue worker, on this
	machine or others sharing the database and Redis. With one part it runs here."""
	run = run or new_run(reason)
	now = now or now_datetime()
	try:
		condition = "where lq_has_activity = 1" if only_with_activity else ""
		total = frappe.db.sql(f"select count(*) from `tabLead` {condition}")[0][0]
		ranges = split_ranges(parts, total, only_with_activity, min_leads_per_part)
		frappe.db.set_value(
			RUN_DOCTYPE,
			run,
			{"status": "Running", "total": total, "parts": len(ranges), "started_on": now_datetime()},
			update_modified=False,
		)
		frappe.db.commit()
	except Exception:
		run_failed(run)
		raise
	if len(ranges) == 1:
		rescore_part(run, "", None, only_with_activity, batch_size, now)
		return run
	for after, upto in ranges:
		frappe.enqueue(
			"lead_qualification.lead_scoring.scoring.rescore_part_job",
			queue="long",
			timeout=3600,
			run=run,
			after=after,
			upto=upto,
			only_with_activity=only_with_activity,
			batch_size=batch_size,
			# not `now`: frappe.enqueue's own argument (run at once, here)
			scored_at=str(now),
		)
	return run


def split_ranges(
	parts: int, total: int, only_with_activity: bool = False, min_leads_per_part: int = MIN_LEADS_PER_PART
) -> list[tuple[str, str | None]]:
	"""Ranges of lead names, (after, up to] (None: to the end), of about equal numbers of
	leads; their bounds are read by offset on the name index, once per part."""
	parts = max(1, min(int(parts or 1), MAX_PARTS, total // max(1, min_leads_per_part)))
	if parts == 1:
		return [("", None)]
	condition = "where lq_has_activity = 1" if only_with_activity else ""
	step = -(-total // parts)
	bounds = []
	for k in range(1, parts):
		name = frappe.db.sql(
			f"select name from `tabLead` {condition} order by name limit 1 offset %(offset)s",
			{"offset": step * k - 1},
		)
		# (names are compared by the database's collation, never in Python: "_T" and "CRM"
		# sort one way there and the other way here)
		if name and name[0][0] not in bounds:
			bounds.append(name[0][0])
	ranges, after = [], ""
	for bound in bounds:
		ranges.append((after, bound))
		after = bound
	ranges.append((after, None))
	return ranges


def rescore_part_job(
	run: str, after: str, upto: str | None, only_with_activity: bool, batch_size: int, scored_at: str
):
	rescore_part(run, after, upto, only_with_activity, batch_size, get_datetime(scored_at))


BATCH_ATTEMPTS = 3


def rescore_part(
	run: str, after: str, upto: str | None, only_with_activity: bool, batch_size: int, now
) -> None:
	"""Re-score the leads named in (after, upto] in batches read by key, committing after each
	batch (a deliberate commit: this runs in a background job, and per-batch commits keep row
	locks short). The run's counters are added to, so parts running at once share one run.
	A batch that meets a deadlock or a lock wait timeout (a Lead save, another part's listener)
	is rolled back and done again, up to BATCH_ATTEMPTS times."""
	try:
		rules, bands = load_rules(), get_bands()
		while True:
			for attempt in range(1, BATCH_ATTEMPTS + 1):
				try:
					last = rescore_batch(run, rules, bands, now, after, upto, only_with_activity, batch_size)
					break
				except (frappe.QueryDeadlockError, frappe.QueryTimeoutError):
					frappe.db.rollback()
					if attempt == BATCH_ATTEMPTS:
						raise
					time.sleep(0.2 * attempt)
			if last is None:
				break
			after = last
		part_done(run)
		frappe.db.commit()
	except Exception:
		run_failed(run)
		raise


def rescore_batch(
	run: str, rules, bands, now, after: str, upto: str | None, only_with_activity: bool, batch_size: int
) -> str | None:
	"""One batch, committed: the next `batch_size` leads after `after`. Returns the last lead's
	name, or None when there were none left."""
	rows = read_leads(rules, after=after, upto=upto, limit=batch_size, only_with_activity=only_with_activity)
	if not rows:
		return None
	scores, stored = score_rows(rows, rules, bands, now, batch=True)
	changed = changed_scores(scores, stored)
	rows_deleted, rows_written = write_scores(changed, now, stored)
	after_scores_changed(changed, stored, bulk=True)
	processed, total = count_progress(run, len(rows), len(changed), rows_written, rows_deleted)
	frappe.db.commit()
	frappe.publish_progress(
		min(100, 100 * processed / total) if total else 100,
		title=_("Re-scoring leads"),
		description=f"{processed}/{total}",
	)
	return rows[-1]["name"]


def count_progress(run: str, processed: int, changed: int, written: int, deleted: int) -> tuple[int, int]:
	"""Add a batch to the run's counters (one atomic UPDATE: parts may run at once); returns
	the run's processed and total leads."""
	frappe.db.sql(
		"""update `tabLead Scoring Run` set
			processed = processed + %(processed)s, changed = changed + %(changed)s,
			rows_written = rows_written + %(written)s, rows_deleted = rows_deleted + %(deleted)s,
			progress = least(100, 100 * processed / greatest(total, 1)),
			peak_memory_mb = greatest(coalesce(peak_memory_mb, 0), %(memory)s)
		where name = %(run)s""",
		{
			"processed": processed,
			"changed": changed,
			"written": written,
			"deleted": deleted,
			"memory": peak_memory_mb(),
			"run": run,
		},
	)
	done, total = frappe.db.get_value(RUN_DOCTYPE, run, ["processed", "total"])
	return done, total


def peak_memory_mb() -> float:
	"""The peak resident memory of this process (a worker runs one job at a time)."""
	import resource

	return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def part_done(run: str) -> None:
	"""The last part to finish completes the run (its count is read after its own increment,
	which waited for the others' to commit)."""
	frappe.db.sql(
		"update `tabLead Scoring Run` set parts_done = parts_done + 1 where name = %(run)s", {"run": run}
	)
	parts_done, parts, status, started_on, processed = frappe.db.get_value(
		RUN_DOCTYPE, run, ["parts_done", "parts", "status", "started_on", "processed"]
	)
	if parts_done < (parts or 1) or status != "Running":
		return
	finished = now_datetime()
	elapsed = (finished - get_datetime(started_on)).total_seconds() if started_on else 0
	frappe.db.set_value(
		RUN_DOCTYPE,
		run,
		{
			"status": "Completed",
			"progress": 100,
			"finished_on": finished,
			"leads_per_second": processed / elapsed if elapsed else 0,
		},
		update_modified=False,
	)


def run_failed(run: str) -> None:
	frappe.db.rollback()
	frappe.db.set_value(
		RUN_DOCTYPE,
		run,
		{"status": "Failed", "error": frappe.get_traceback(), "finished_on": now_datetime()},
		update_modified=False,
	)
	frappe.db.commit()
	frappe.log_error(title=_("Lead re-scoring failed"))


def long_queue_workers() -> int:
	"""How many workers listen on the long queue (at least 1): a re-score runs in as many parts."""
	from frappe.utils.background_jobs import get_queue, get_workers

	try:
		return max(1, len(get_workers(get_queue("long"))))
	except Exception:  # no Redis to ask: one part
		return 1


def new_run(reason: str) -> str:
	run = frappe.get_doc({"doctype": RUN_DOCTYPE, "status": "Queued", "reason": reason})
	run.insert(ignore_permissions=True)
	return run.name


def enqueue_rescore_all(reason: str) -> str:
	"""Queue a bulk re-score on the long queue, after the current transaction commits; it
	runs in as many parts as the long queue has workers."""
	run = new_run(reason)
	frappe.enqueue(
		"lead_qualification.lead_scoring.scoring.rescore_all_job",
		queue="long",
		timeout=3600,
		enqueue_after_commit=True,
		run=run,
		reason=reason,
		parts=0,
	)
	return run


def rescore_all_job(run: str, reason: str = "", parts: int = 1):
	"""parts=0: one per long-queue worker."""
	rescore_all(reason=reason, run=run, parts=parts or long_queue_workers())


def daily_decay():
	"""Scheduler (daily): engagement points decay with time, so leads with activities are
	re-scored every day, in as many parts as the long queue has workers."""
	if not is_enabled():
		return
	rescore_all(reason=_("Daily decay"), only_with_activity=True, parts=long_queue_workers())
