frappe.query_reports["Leads Past Retention"] = { filters: [] };
