// Copyright (c) 2026, lead_qualification contributors
// For license information, please see license.txt

frappe.query_reports["Qualification Funnel"] = {
	filters: [
		{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date", default: frappe.datetime.add_months(frappe.datetime.get_today(), -12) },
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", default: frappe.datetime.get_today() },
		{ fieldname: "period", label: __("Period"), fieldtype: "Select", options: "Monthly\nQuarterly\nYearly", default: "Monthly" },
		{ fieldname: "group_by", label: __("Group By"), fieldtype: "Select", options: "\nSource\nOwner\nTerritory" },
		{ fieldname: "source", label: __("Lead Source"), fieldtype: "Link", options: "Lead Source" },
		{ fieldname: "territory", label: __("Territory"), fieldtype: "Link", options: "Territory" },
		{ fieldname: "owner", label: __("Lead Owner"), fieldtype: "Link", options: "User" },
	],
};
