// BANT qualification on ERPNext's Lead form (loaded through hooks.doctype_js).

frappe.provide("lead_qualification.lead");

lead_qualification.lead = {
	method(name) {
		return `lead_qualification.lead_qualification.api.${name}`;
	},

	refresh(frm) {
		if (frm.is_new()) return;
		frappe
			.call({ method: this.method("get_summary"), args: { lead: frm.doc.name } })
			.then((r) => {
				if (!r.message) return;
				this.show_indicators(frm, r.message);
				this.add_actions(frm, r.message);
			});
	},

	show_indicators(frm, summary) {
		const complete = summary.completeness === summary.total;
		frm.dashboard.add_indicator(
			__("BANT {0}/{1}", [summary.completeness, summary.total]),
			complete ? "green" : summary.completeness ? "orange" : "red"
		);
		summary.criteria.forEach((c) => {
			const label = c.met ? __("{0} met", [c.label]) : __("{0} not met", [c.label]);
			frm.dashboard.add_indicator(label, c.met ? "green" : c.required ? "red" : "gray");
		});
	},

	add_actions(frm, summary) {
		if (!frm.perm[0] || !frm.perm[0].write) return;
		const group = __("Qualification");
		if (summary.status !== "Qualified") {
			frm.add_custom_button(__("Promote to Prospect"), () => this.promote(frm), group);
		} else if (!summary.converted) {
			frm.add_custom_button(__("Back to In Process"), () => this.demote(frm), group);
		}
	},

	promote(frm) {
		frappe
			.call({
				method: this.method("promote"),
				args: { lead: frm.doc.name },
				freeze: true,
				freeze_message: __("Promoting to prospect..."),
			})
			.then(() => frm.reload_doc());
	},

	demote(frm) {
		frappe.prompt(
			{
				fieldname: "reason",
				fieldtype: "Small Text",
				label: __("Why is this lead no longer qualified?"),
				reqd: 1,
			},
			(values) => {
				frappe
					.call({
						method: this.method("demote"),
						args: { lead: frm.doc.name, reason: values.reason },
						freeze: true,
					})
					.then(() => frm.reload_doc());
			},
			__("Back to In Process"),
			__("Confirm")
		);
	},
};

frappe.ui.form.on("Lead", {
	refresh(frm) {
		lead_qualification.lead.refresh(frm);
	},
});
