// Leads per qualification status in funnel order, in the user's language, for the workspace chart Qualification Funnel by Status.
// No filters: the chart counts every lead the user may read.
frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Lead Qualification Status"] = {
	method: "lead_qualification.lead_qualification.dashboard.qualification_funnel",
};
