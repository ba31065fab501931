// Copyright (c) 2026, lead_qualification contributors
// For license information, please see license.txt

frappe.ui.form.on("Lead Scoring Rule", {
	setup(frm) {
		frappe
			.call("lead_qualification.lead_scoring.doctype.lead_scoring_rule.lead_scoring_rule.get_lead_fields")
			.then((r) => {
				const options = [""].concat((r.message || []).map((f) => f.value));
				frm.set_df_property("field_name", "options", options);
				frm.refresh_field("field_name");
			});
	},
});
