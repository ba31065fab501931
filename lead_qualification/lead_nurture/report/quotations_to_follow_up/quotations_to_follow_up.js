// Copyright (c) 2026, lead_qualification contributors
// For license information, please see license.txt

frappe.query_reports["Quotations to Follow Up"] = {
	filters: [
		{ fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company" },
		{ fieldname: "owner", label: __("Owner"), fieldtype: "Link", options: "User" },
		{
			fieldname: "sort_by",
			label: __("Sort By"),
			fieldtype: "Select",
			options: [
				{ value: "Value", label: __("Value") },
				{ value: "Age", label: __("Age") },
			],
			default: "Value",
		},
		{ fieldname: "overdue_only", label: __("Overdue Follow-ups Only"), fieldtype: "Check" },
	],
};
