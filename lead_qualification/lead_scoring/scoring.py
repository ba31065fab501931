"""Scoring service: loads rules, leads and activity events, runs the pure engine, and
writes scores and ledger rows back, for one lead (on save) or many (bulk, set-based).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import cstr, flt, get_datetime, now_datetime

from lead_qualification.lead_scoring import engine

SETTINGS_DOCTYPE = "Lead Scoring Settings"
RULE_DOCTYPE = "Lead Scoring Rule"
ENTRY_DOCTYPE = "Lead Score Entry"
RUN_DOCTYPE = "Lead Scoring Run"
RULES_CACHE_KEY = "lead_qualification:scoring_rules:v2"
BATCH_SIZE = 5000


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


def events_for(leads: Sequence[str], activity_types: Iterable[str]) -> dict[str, list[engine.Event]]:
	activity_types = tuple(activity_types)
	out: dict[str, list[engine.Event]] = defaultdict(list)
	if not leads or not activity_types:
		return out
	rows = frappe.db.sql(
		"""select lead, activity_type, occurred_on, coalesce(source, '')
		from `tabLead Activity`
		where lead in %(leads)s and activity_type in %(types)s""",
		{"leads": tuple(leads), "types": activity_types},
	)
	for lead, activity_type, occurred_on, source in rows:
		out[lead].append(engine.Event(activity_type, get_datetime(occurred_on), source))
	return out


# --- one lead, on save ----------------------------------------------------------------


def needs_rescore(doc, rules: Sequence[engine.Rule]) -> bool:
	if doc.is_new() or not doc.get("lq_scored_on"):
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


def set_score_fields(doc, score: engine.Score, now) -> None:
	doc.lq_score = float(score.total)
	doc.lq_fit_score = float(score.fit)
	doc.lq_engagement_score = float(score.engagement)
	doc.lq_score_band = score.band
	doc.lq_scored_on = now


def write_after_save(doc) -> None:
	score = doc.flags.lq_score
	doc.flags.lq_score = None
	if score is not None:
		write_ledger({doc.name: score.rows})


# --- ledger -----------------------------------------------------------------------

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


def entry_name(lead: str, index: int) -> str:
	"""Ledger rows are named after their lead, so a lead's rows sit together in the table."""
	name = f"{lead}-{index:03d}"
	return name if len(name) <= 140 else f"{frappe.generate_hash(length=20)}-{index:03d}"


def write_ledger(rows_by_lead: dict[str, Sequence[engine.LedgerRow]]) -> None:
	"""Replace the ledger rows of these leads: one delete, then multi-row inserts.

	The VALUES text is built here with literals escaped once per distinct value: this is
	the hot loop of a bulk re-score (about ten rows per lead)."""
	if not rows_by_lead:
		return
	frappe.db.sql("delete from `tabLead Score Entry` where lead in %(leads)s", {"leads": tuple(rows_by_lead)})
	lit = SqlLiterals()
	now = now_datetime()
	user = lit(frappe.session.user)
	tail = f"{user}, {user}, {lit(now)}, {lit(now)})"
	rule_parts: dict = {}
	values = []
	for lead, rows in rows_by_lead.items():
		lead_literal = lit(lead)
		for i, r in enumerate(rows):
			key = (r.rule, r.dimension, r.category, r.base_points)
			rule_part = rule_parts.get(key)
			if rule_part is None:
				rule_part = rule_parts[key] = (
					f"{lit(r.rule)}, {lit(r.dimension)}, {lit(r.category)}, {{points}}, {r.base_points}"
				)
			name = entry_name(lead, i)
			# the name is the lead's name plus "-NNN": reuse the lead's escaped literal
			name_literal = f"{lead_literal[:-1]}-{i:03d}'" if name.startswith(lead) else lit(name)
			values.append(
				f"({name_literal}, {lead_literal}, {rule_part.format(points=r.points)}, "
				f"{1 if r.capped else 0}, {lit(r.source[:140])}, {lit(r.occurred_on)}, {tail}"
			)
	columns = ", ".join(f"`{c}`" for c in ENTRY_COLUMNS)
	for i in range(0, len(values), 5000):
		frappe.db.sql(
			f"insert into `tabLead Score Entry` ({columns}) values {', '.join(values[i : i + 5000])}"
		)


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
	table: str, columns: Sequence[str], rows: list[tuple], chunk: int = 5000, first: str | None = None
) -> None:
	"""Multi-row INSERTs with literal values. `first`, if given, is an SQL expression for
	the `name` column (e.g. the next value of an autoincrement DocType's sequence)."""
	literal = SqlLiterals()
	cols = ", ".join(f"`{c}`" for c in (("name", *columns) if first else columns))
	prefix = f"({first}, " if first else "("
	for i in range(0, len(rows), chunk):
		values = ", ".join(prefix + ", ".join(map(literal, row)) + ")" for row in rows[i : i + chunk])
		frappe.db.sql(f"insert into `{table}` ({cols}) values {values}")


def ledger(lead: str) -> list[dict]:
	return frappe.get_all(
		ENTRY_DOCTYPE,
		filters={"lead": lead},
		fields=["rule", "dimension", "category", "points", "base_points", "capped", "source", "occurred_on"],
		order_by="dimension asc, points desc",
	)


# --- many leads: bulk, set-based ---------------------------------------------------------


def score_batch(
	names: Sequence[str], rules: Sequence[engine.Rule], bands: engine.Bands, now
) -> tuple[dict[str, engine.Score], dict[str, float]]:
	"""Scores of these leads, and the (score, band) they had before: promotion and nurture
	react to a change."""
	fields = sorted(
		{
			"name",
			"lq_score",
			"lq_fit_score",
			"lq_engagement_score",
			"lq_score_band",
			*engine.fields_used(rules),
		}
	)
	values = frappe.get_all(
		"Lead", filters={"name": ("in", list(names))}, fields=fields, order_by="name asc", limit_page_length=0
	)
	previous = {
		v.name: (flt(v.lq_score), v.lq_score_band, flt(v.lq_fit_score), flt(v.lq_engagement_score))
		for v in values
	}
	events = events_for(names, engine.activity_types_used(rules))
	return engine.score_many(values, events, rules, now, bands), previous


def unchanged(score: engine.Score, before: tuple | None) -> bool:
	"""Same total, band, fit and engagement as stored: the stored ledger still adds up to
	the score, so a bulk run leaves the lead alone (most leads, on a daily decay run)."""
	if not before:
		return False
	total, band, fit, engagement = before
	return (
		band == score.band
		and round(total, 2) == float(score.total)
		and round(fit, 2) == float(score.fit)
		and round(engagement, 2) == float(score.engagement)
	)


def write_scores(scores: dict[str, engine.Score], now, previous: dict[str, tuple] | None = None) -> None:
	"""One UPDATE ... CASE statement per chunk for the score columns, then the ledger;
	with `previous`, only the leads whose score changed are written."""
	if previous:
		scores = {n: s for n, s in scores.items() if not unchanged(s, previous.get(n))}
	if not scores:
		return
	literal = SqlLiterals()
	names = list(scores)
	for i in range(0, len(names), 1000):
		chunk = names[i : i + 1000]
		keys = [literal(n) for n in chunk]
		sets = []
		for column, getter in (
			("lq_score", lambda s: s.total),
			("lq_fit_score", lambda s: s.fit),
			("lq_engagement_score", lambda s: s.engagement),
			("lq_score_band", lambda s: s.band),
		):
			cases = " ".join(f"when {k} then {literal(getter(scores[n]))}" for k, n in zip(keys, chunk))
			sets.append(f"`{column}` = case `name` {cases} end")
		frappe.db.sql(
			f"update `tabLead` set {', '.join(sets)}, `lq_scored_on` = {literal(now)} "
			f"where `name` in ({', '.join(keys)})"
		)
	write_ledger({n: s.rows for n, s in scores.items()})


def rescore_leads(names: Sequence[str], now=None) -> dict[str, engine.Score]:
	"""Score these leads with the bulk path (used for one lead after an activity, too)."""
	now = now or now_datetime()
	scores, previous = score_batch(names, load_rules(), get_bands(), now)
	write_scores(scores, now, previous)
	after_scores_changed(scores, previous)
	return scores


def after_scores_changed(
	scores: dict[str, engine.Score], previous: dict[str, tuple], bulk: bool = False
) -> None:
	"""Announce what the re-score changed (band, score); the features that react to it listen
	through hooks.py's lead_change_listeners, so scoring knows none of them."""
	from lead_qualification import lead_events

	lead_events.announce(
		lead_events.rescored_changes(
			{n: (float(s.total), s.band) for n, s in scores.items()},
			{n: (flt(p[0]), p[1]) for n, p in previous.items()},
		),
		bulk=bulk,
	)


def rescore_all(
	reason: str = "", only_with_activity: bool = False, batch_size: int = BATCH_SIZE, run=None
) -> str:
	"""Re-score every lead in batches, committing after each batch (a deliberate commit:
	this runs in a background job, and per-batch commits keep row locks short).
	Progress is kept on a Lead Scoring Run. Returns the run's name."""
	run = run or new_run(reason)
	started = time.monotonic()
	try:
		condition = "where lq_has_activity = 1" if only_with_activity else ""
		total = frappe.db.sql(f"select count(*) from `tabLead` {condition}")[0][0]
		frappe.db.set_value(
			RUN_DOCTYPE,
			run,
			{"status": "Running", "total": total, "started_on": now_datetime()},
			update_modified=False,
		)
		frappe.db.commit()
		rules, bands, now = load_rules(), get_bands(), now_datetime()
		done = 0
		for batch in lead_batches(batch_size, only_with_activity):
			scores, previous = score_batch(batch, rules, bands, now)
			write_scores(scores, now, previous)
			after_scores_changed(scores, previous, bulk=True)
			done += len(batch)
			progress = min(100, 100 * done / total) if total else 100
			frappe.db.set_value(
				RUN_DOCTYPE, run, {"processed": done, "progress": progress}, update_modified=False
			)
			frappe.db.commit()
			frappe.publish_progress(progress, title=_("Re-scoring leads"), description=f"{done}/{total}")
		elapsed = time.monotonic() - started
		frappe.db.set_value(
			RUN_DOCTYPE,
			run,
			{
				"status": "Completed",
				"processed": done,
				"progress": 100,
				"finished_on": now_datetime(),
				"leads_per_second": done / elapsed if elapsed else 0,
			},
			update_modified=False,
		)
		frappe.db.commit()
	except Exception:
		frappe.db.rollback()
		frappe.db.set_value(
			RUN_DOCTYPE,
			run,
			{"status": "Failed", "error": frappe.get_traceback(), "finished_on": now_datetime()},
			update_modified=False,
		)
		frappe.db.commit()
		frappe.log_error(title=_("Lead re-scoring failed"))
		raise
	return run


def lead_batches(batch_size: int, only_with_activity: bool = False) -> Iterator[list[str]]:
	"""The leads' names in batches, in name order, read a batch at a time (by key, after the
	last name of the previous batch): no list of every lead is held, however many there are,
	and a lead added during the run is still reached."""
	condition = "and lq_has_activity = 1" if only_with_activity else ""
	last = ""
	while True:
		names = frappe.db.sql_list(
			f"select name from `tabLead` where name > %(last)s {condition} order by name limit %(limit)s",
			{"last": last, "limit": int(batch_size)},
		)
		if not names:
			return
		yield names
		last = names[-1]


def new_run(reason: str) -> str:
	run = frappe.get_doc({"doctype": RUN_DOCTYPE, "status": "Queued", "reason": reason})
	run.insert(ignore_permissions=True)
	return run.name


def enqueue_rescore_all(reason: str) -> str:
	"""Queue a bulk re-score on the long queue, after the current transaction commits."""
	run = new_run(reason)
	frappe.enqueue(
		"lead_qualification.lead_scoring.scoring.rescore_all_job",
		queue="long",
		timeout=3600,
		enqueue_after_commit=True,
		run=run,
		reason=reason,
	)
	return run


def rescore_all_job(run: str, reason: str = ""):
	rescore_all(reason=reason, run=run)


def daily_decay():
	"""Scheduler (daily): engagement points decay with time, so leads with activities are
	re-scored every day."""
	if not is_enabled():
		return
	rescore_all(reason=_("Daily decay"), only_with_activity=True)
