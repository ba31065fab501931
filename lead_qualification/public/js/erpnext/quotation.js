// Quotation form: the quotation's next follow-up (Lead Nurture, Quotation stage), at the top.
frappe.ui.form.on("Quotation", {
	refresh(frm) {
		if (frm.is_new() || frm.doc.docstatus !== 1) return;
		frappe
			.call({
				method: "lead_qualification.lead_nurture.api.next_follow_up",
				args: { quotation: frm.doc.name },
			})
			.then((r) => {
				const next = r.message;
				if (!next) return;
				const esc = frappe.utils.escape_html;
				const when = frappe.datetime.str_to_user(next.next_due);
				let text = __("Next follow-up: {0}", [when]);
				if (next.task) text += ` — ${esc(next.task)}`;
				if (next.channel === "Email") text += ` (${__("e-mail to the contact")})`;
				text += `<br><span class="text-muted">${__(
					"Log a next step under Follow-up to stop the automatic reminders."
				)}</span>`;
				frm.set_intro(text, "blue");
			});
	},
});
