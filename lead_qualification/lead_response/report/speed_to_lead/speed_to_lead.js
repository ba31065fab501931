// Copyright (c) 2026, lead_qualification contributors
// For license information, please see license.txt

frappe.query_reports["Speed to Lead"] = {
	filters: [
		{
			fieldname: "group_by",
			label: __("Group By"),
			fieldtype: "Select",
			options: [
				{ value: "Band", label: __("Band") },
				{ value: "Lead Owner", label: __("Lead Owner") },
				{ value: "Source", label: __("Source") },
			],
			default: "Band",
			reqd: 1,
		},
		{ fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company" },
		{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date" },
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date" },
	],
};
