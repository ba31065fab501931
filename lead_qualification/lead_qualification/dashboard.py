"""Data behind the workspace's charts and custom number card.

The charts are Dashboard Charts of type Custom (a Dashboard Chart Source whose method is
here) rather than Group By: a Group By chart labels its bars with the raw stored values
(Hot, In Process...), whereas these labels go through _() in the user's language, the bands
and statuses always come in the same order, and the band chart can give each band its colour.
Not cached: Frappe's cache_source keys the data by chart, not by language, and both queries
are one GROUP BY on an indexed column.
"""

import frappe
from frappe import _
from frappe.utils import get_first_day, getdate, nowdate

from lead_qualification.lead_qualification.analytics import (
	BANDS,
	STATUSES,
	band_counts,
	rate,
	status_counts,
)


def _counts_by(fieldname: str) -> dict:
	"""Leads the user may read, counted per value of `fieldname`."""
	rows = frappe.get_list(
		"Lead",
		fields=[f"{fieldname} as value", "count(*) as count"],
		group_by=f"`tabLead`.`{fieldname}`",
		order_by="count desc",
	)
	return {row.value: row.count for row in rows}


@frappe.whitelist()
def lead_temperature(chart_name: str | None = None, filters: str | dict | list | None = None) -> dict:
	"""Chart "Lead Score Distribution": leads per band (Hot, Warm, Cold), labels in the user's language."""
	frappe.has_permission("Lead", "read", throw=True)
	return {
		"labels": [_(band) for band in BANDS],
		"datasets": [{"name": _("Leads"), "values": band_counts(_counts_by("lq_score_band"))}],
	}


@frappe.whitelist()
def qualification_funnel(chart_name: str | None = None, filters: str | dict | list | None = None) -> dict:
	"""Chart "Qualification Funnel by Status": leads per qualification status, in funnel order."""
	frappe.has_permission("Lead", "read", throw=True)
	return {
		"labels": [_(status) for status in STATUSES],
		"datasets": [{"name": _("Leads"), "values": status_counts(_counts_by("qualification_status"))}],
	}


@frappe.whitelist()
def lead_to_prospect_rate(filters: str | dict | list | None = None) -> dict:
	"""Share of the leads created in the last 12 months that are prospects now."""
	frappe.has_permission("Lead", "read", throw=True)
	since = get_first_day(getdate(nowdate()).replace(year=getdate(nowdate()).year - 1))
	leads = frappe.db.count("Lead", {"creation": (">=", since)})
	prospects = frappe.db.count("Lead", {"creation": (">=", since), "qualification_status": "Qualified"})
	return {
		"value": rate(prospects, leads),
		"fieldtype": "Percent",
		"precision": 1,  # 0 would fall back to the system's float precision: "25,000 %"
		"route": ["query-report", "Qualification Funnel"],
	}
