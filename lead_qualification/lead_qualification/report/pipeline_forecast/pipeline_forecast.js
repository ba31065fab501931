// Copyright (c) 2026, lead_qualification contributors
// For license information, please see license.txt

frappe.query_reports["Pipeline Forecast"] = {
	filters: [
		{
			fieldname: "company",
			label: __("Company"),
			fieldtype: "Link",
			options: "Company",
			default: frappe.defaults.get_user_default("Company"),
			reqd: 1,
		},
		{ fieldname: "territory", label: __("Territory"), fieldtype: "Link", options: "Territory" },
		{ fieldname: "owner", label: __("Lead Owner"), fieldtype: "Link", options: "User" },
		{ fieldname: "source", label: __("Lead Source"), fieldtype: "Link", options: "Lead Source" },
		{ fieldname: "months", label: __("Months Ahead"), fieldtype: "Int", default: 12 },
		{ fieldname: "back_test_months", label: __("Back-Test Months"), fieldtype: "Int", default: 6 },
		{ fieldname: "min_cases", label: __("Minimum Past Cases"), fieldtype: "Int", default: 20 },
	],
};
