frappe.listview_settings["Nurture Enrollment"] = {
	add_fields: ["status", "stop_reason", "next_due"],
	get_indicator(doc) {
		const colours = { Active: "green", Paused: "orange", Stopped: "red", Completed: "blue" };
		const label = doc.status === "Stopped" && doc.stop_reason ? __(doc.stop_reason) : __(doc.status);
		return [label, colours[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
