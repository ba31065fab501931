// Leads per band (Hot, Warm, Cold), in the user's language, for the workspace chart Lead Score Distribution.
// No filters: the chart counts every lead the user may read.
frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Lead Temperature"] = {
	method: "lead_qualification.lead_qualification.dashboard.lead_temperature",
};
