// Copyright (c) 2026, lead_qualification contributors
// For license information, please see license.txt

frappe.query_reports["Time in Status"] = {
	filters: [
		{ fieldname: "lead", label: __("Lead"), fieldtype: "Link", options: "Lead" },
		{ fieldname: "kind", label: __("Kind"), fieldtype: "Select", options: "\nQualification Status\nBand" },
		{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date" },
	],
};
