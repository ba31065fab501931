// Copyright (c) 2026, lead_qualification contributors
// For license information, please see license.txt

frappe.query_reports["Qualification Impact"] = {
	filters: [
		{
			fieldname: "compare",
			label: __("Compare"),
			fieldtype: "Select",
			options: ["Before and After the App", "Qualified vs Unqualified Leads"],
			default: "Before and After the App",
			reqd: 1,
		},
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			default: frappe.datetime.add_months(frappe.datetime.get_today(), -24),
		},
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", default: frappe.datetime.get_today() },
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
	],
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (column.fieldname === "note" && data && data.note) {
			value = `<span class="text-warning">${value}</span>`;
		}
		return value;
	},
};
