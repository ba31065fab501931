// Copyright (c) 2026, lead_qualification contributors
// For license information, please see license.txt

frappe.ui.form.on("Lead Qualification Settings", {
	refresh(frm) {
		frm.set_intro(
			__("A lead becomes a prospect when every required criterion below is met."),
			"blue"
		);
	},
});
