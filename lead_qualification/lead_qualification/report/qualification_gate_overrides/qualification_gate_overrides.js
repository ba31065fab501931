// Copyright (c) 2026, lead_qualification contributors
// For license information, please see license.txt

frappe.query_reports["Qualification Gate Overrides"] = {
	filters: [
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
		},
	],
};
