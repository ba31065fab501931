# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

"""How fast leads were first answered (working hours, as the targets), by band, owner or
source; the share answered within target; and how often the leads answered in time became
prospects compared with the late ones. Only leads the user may read are counted (Lead
permissions through frappe.get_list), and only leads that had a Respond By."""

import frappe
from frappe import _
from frappe.utils import add_days, get_datetime, getdate, now_datetime

from lead_qualification.lead_response import response, speed

GROUP_FIELDS = {"Band": "lq_score_band", "Lead Owner": "lead_owner", "Source": "source"}


def execute(filters=None):
	filters = frappe._dict(filters or {})
	rows = get_data(filters)
	return get_columns(filters), rows, None, get_chart(rows)


def lead_filters(filters) -> list:
	conditions = [["lr_respond_by", "is", "set"]]
	if filters.company:
		conditions.append(["company", "=", filters.company])
	if filters.from_date:
		conditions.append(["creation", ">=", getdate(filters.from_date)])
	if filters.to_date:
		conditions.append(["creation", "<", add_days(getdate(filters.to_date), 1)])
	return conditions


def get_data(filters) -> list[dict]:
	group_field = GROUP_FIELDS.get(filters.group_by or "Band")
	if not group_field:
		frappe.throw(_("Group the report by Band, Lead Owner or Source."))
	leads = frappe.get_list(
		"Lead",
		filters=lead_filters(filters),
		fields=[
			"name",
			"creation",
			"company",
			"qualification_status",
			"lr_respond_by",
			"lr_first_responded_on",
			f"{group_field} as grp",
		],
		order_by="creation asc",
		limit_page_length=0,
	)
	working_times: dict = {}

	def working_time(company):
		if company not in working_times:
			working_times[company] = response.get_working_time(company)
		return working_times[company]

	timings = [
		speed.LeadTiming(
			group=lead.grp or _("Not Set"),
			arrived=get_datetime(lead.creation),
			respond_by=get_datetime(lead.lr_respond_by),
			responded=get_datetime(lead.lr_first_responded_on) if lead.lr_first_responded_on else None,
			qualified=lead.qualification_status == "Qualified",
			company=lead.company,
		)
		for lead in leads
	]

	def hours(timing):
		return response.clock.working_hours_between(
			timing.arrived, timing.responded, working_time(timing.company)
		)

	now = now_datetime()
	groups = speed.by_group(timings, now, hours)
	if len(groups) > 1:
		groups.append(speed.figures(_("Total"), timings, now, hours))
	return [as_row(g, filters.group_by or "Band") for g in groups]


def as_row(g: speed.GroupFigures, group_by: str) -> dict:
	group = _(g.group) if group_by == "Band" else g.group
	return {
		"group": group,
		"leads": g.leads,
		"answered": g.answered,
		"waiting": g.waiting,
		"median_hours": g.median_hours,
		"p90_hours": g.p90_hours,
		"in_time": g.in_time,
		"late": g.late,
		"share_in_time": g.share_in_time,
		"conversion_in_time": g.conversion_in_time,
		"conversion_late": g.conversion_late,
	}


def get_columns(filters) -> list[dict]:
	group_label = {"Band": _("Band"), "Lead Owner": _("Lead Owner"), "Source": _("Source")}
	return [
		{
			"fieldname": "group",
			"label": group_label.get(filters.group_by or "Band", _("Band")),
			"fieldtype": "Data",
			"width": 180,
		},
		{"fieldname": "leads", "label": _("Leads"), "fieldtype": "Int", "width": 80},
		{"fieldname": "answered", "label": _("Answered"), "fieldtype": "Int", "width": 90},
		{"fieldname": "waiting", "label": _("Not Answered"), "fieldtype": "Int", "width": 110},
		{
			"fieldname": "median_hours",
			"label": _("Median First Response (Working Hours)"),
			"fieldtype": "Float",
			"precision": 2,
			"width": 150,
		},
		{
			"fieldname": "p90_hours",
			"label": _("90th Percentile (Working Hours)"),
			"fieldtype": "Float",
			"precision": 2,
			"width": 150,
		},
		{"fieldname": "in_time", "label": _("Answered in Time"), "fieldtype": "Int", "width": 120},
		{"fieldname": "late", "label": _("Late"), "fieldtype": "Int", "width": 80},
		{"fieldname": "share_in_time", "label": _("Within Target %"), "fieldtype": "Percent", "width": 120},
		{
			"fieldname": "conversion_in_time",
			"label": _("Became Prospects, in Time %"),
			"fieldtype": "Percent",
			"width": 170,
		},
		{
			"fieldname": "conversion_late",
			"label": _("Became Prospects, Late %"),
			"fieldtype": "Percent",
			"width": 170,
		},
	]


def get_chart(rows: list[dict]) -> dict | None:
	rows = [r for r in rows if r["group"] != _("Total")]
	if not rows:
		return None
	return {
		"data": {
			"labels": [r["group"] for r in rows],
			"datasets": [
				{"name": _("Median (Working Hours)"), "values": [r["median_hours"] or 0 for r in rows]},
				{"name": _("90th Percentile (Working Hours)"), "values": [r["p90_hours"] or 0 for r in rows]},
			],
		},
		"type": "bar",
		"colors": ["#4463F0", "#ECAD4B"],
	}
