// "Enroll in Nurture Sequence": one dialog for the Lead form (one lead) and the Lead list
// (the checked leads). Part of lead_qualification.bundle.js.

frappe.provide("lead_qualification.nurture");

Object.assign(lead_qualification.nurture, {
	method(name) {
		return `lead_qualification.lead_nurture.api.${name}`;
	},

	/** Ask for an enabled Nurture Sequence, then call `enroll(sequence)`. */
	choose_sequence(enroll) {
		frappe.prompt(
			{
				fieldname: "sequence",
				fieldtype: "Link",
				options: "Nurture Sequence",
				label: __("Nurture Sequence"),
				reqd: 1,
				// quotations join their sequences when submitted
				get_query: () => ({ filters: { enabled: 1, stage: ["!=", "Quotation"] } }),
			},
			(values) => enroll(values.sequence),
			__("Enroll in Nurture Sequence"),
			__("Enroll")
		);
	},

	/** The Lead form's action: enroll this lead, then show its enrollment. */
	enroll_lead(frm) {
		this.choose_sequence((sequence) =>
			frappe
				.call({
					method: this.method("enroll"),
					args: { lead: frm.doc.name, sequence },
					freeze: true,
				})
				.then(() => {
					frappe.show_alert({ message: __("Enrolled"), indicator: "green" });
					frm.reload_doc();
				})
		);
	},

	/** The Lead list's action: enroll the checked leads; says how many were skipped. */
	enroll_leads(listview) {
		const leads = listview.get_checked_items(true);
		if (!leads.length) return;
		this.choose_sequence((sequence) =>
			frappe
				.call({
					method: this.method("enroll_many"),
					args: { leads, sequence },
					freeze: true,
				})
				.then((r) => {
					const { enrolled, skipped } = r.message;
					frappe.msgprint(
						__(
							"{0} enrolled, {1} skipped (already prospects, customers, unsubscribed...)",
							[enrolled.length, skipped.length]
						)
					);
					listview.refresh();
				})
		);
	},
});
