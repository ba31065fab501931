// BANT qualification on ERPNext's Lead form (loaded through hooks.doctype_js).

frappe.provide("lead_qualification.lead");

lead_qualification.lead = {
	method(name) {
		return `lead_qualification.lead_qualification.api.${name}`;
	},

	refresh(frm) {
		if (frm.is_new()) return;
		// A save can refresh the form twice: only the latest refresh's answers are shown.
		const token = (frm.__lq_token = (frm.__lq_token || 0) + 1);
		frm.__lq_quotation_gate = null;
		frappe
			.call({ method: this.method("get_summary"), args: { lead: frm.doc.name } })
			.then((r) => {
				if (token !== frm.__lq_token || !r.message) return;
				frm.__lq_quotation_gate = r.message.quotation_gate;
				this.show_indicators(frm, r.message);
				this.add_actions(frm, r.message);
				this.lock_quotation(frm);
			});
		this.show_breakdown(frm, token);
	},

	source_label(source) {
		// field rules record "fieldname operator": show the field's label instead
		const match = (source || "").match(/^([a-z0-9_]+) (.+)$/);
		if (match && frappe.meta.has_field("Lead", match[1])) {
			return frappe.utils.escape_html(
				`${__(frappe.meta.get_label("Lead", match[1]))}: ${__(match[2])}`
			);
		}
		return frappe.utils.escape_html(source || "");
	},

	band_colour(band) {
		return { Hot: "red", Warm: "orange", Cold: "blue" }[band] || "gray";
	},

	show_breakdown(frm, token) {
		const field = frm.get_field("lq_score_breakdown");
		if (!field) return;
		frappe
			.call({
				method: "lead_qualification.lead_scoring.api.get_breakdown",
				args: { lead: frm.doc.name },
			})
			.then((r) => {
				const data = r.message;
				if (!data || token !== frm.__lq_token) return;
				const fmt = (v) => format_number(v || 0, null, 2);
				const rows = (data.rows || [])
					.map(
						(row) => `<tr>
							<td>${frappe.utils.escape_html(row.rule || "")}</td>
							<td>${__(row.dimension || "")}</td>
							<td>${this.source_label(row.source)}</td>
							<td>${row.occurred_on ? frappe.datetime.str_to_user(row.occurred_on) : ""}</td>
							<td class="text-right">${fmt(row.points)}${
							row.capped ? ` <span class="text-muted">(${__("capped")})</span>` : ""
						}</td>
						</tr>`
					)
					.join("");
				field.$wrapper.html(`
					<div class="lq-score-breakdown">
						<p>
							<span class="indicator-pill ${this.band_colour(data.band)}">${__(data.band || "Cold")}</span>
							<b>${__("Score")}: ${fmt(data.score)}</b>
							&nbsp;(${__("Fit")}: ${fmt(data.fit)}, ${__("Engagement")}: ${fmt(data.engagement)})
						</p>
						${
							rows
								? `<table class="table table-bordered table-sm">
							<thead><tr>
								<th>${__("Rule")}</th><th>${__("Dimension")}</th><th>${__("Source")}</th>
								<th>${__("When")}</th><th class="text-right">${__("Points")}</th>
							</tr></thead>
							<tbody>${rows}</tbody>
							<tfoot><tr><td colspan="4"><b>${__("Total")}</b></td>
								<td class="text-right"><b>${fmt(data.score)}</b></td></tr></tfoot>
						</table>`
								: `<p class="text-muted">${__("No scoring rule applies to this lead yet.")}</p>`
						}
					</div>`);
			});
	},

	show_indicators(frm, summary) {
		// The dashboard (shown in the Connections tab) and an intro line on every tab.
		if (frm.doc.lq_score_band) {
			frm.dashboard.add_indicator(
				__("{0}: {1} points", [__(frm.doc.lq_score_band), format_number(frm.doc.lq_score || 0, null, 0)]),
				this.band_colour(frm.doc.lq_score_band)
			);
		}
		const complete = summary.completeness === summary.total;
		frm.dashboard.add_indicator(
			__("BANT {0}/{1}", [summary.completeness, summary.total]),
			complete ? "green" : summary.completeness ? "orange" : "red"
		);
		summary.criteria.forEach((c) => {
			const label = c.met ? __("{0} met", [c.label]) : __("{0} not met", [c.label]);
			frm.dashboard.add_indicator(label, c.met ? "green" : c.required ? "red" : "gray");
		});
		this.set_intro(frm, summary);
	},

	set_intro(frm, summary) {
		const esc = frappe.utils.escape_html;
		const criteria = summary.criteria
			.map((c) => `${c.met ? "✓" : "✗"} ${esc(c.label)}`)
			.join(" · ");
		let text = `<b>${__("BANT {0}/{1}", [summary.completeness, summary.total])}</b>: ${criteria}`;
		if (frm.doc.lq_score_band) {
			text += ` — ${__("Score")} <b>${format_number(frm.doc.lq_score || 0, null, 0)}</b> (${__(
				frm.doc.lq_score_band
			)})`;
		}
		if (summary.status !== "Qualified" && summary.missing.length) {
			text += `<br>${__("Missing for promotion: {0}", [summary.missing.map(esc).join(", ")])}`;
		}
		(summary.nurture || []).forEach((e) => {
			const when = e.next_due ? frappe.datetime.str_to_user(e.next_due) : __("not planned");
			if (e.stage === "Quotation") {
				text += `<br>${__("Quotation {0}: next follow-up {1}", [esc(e.quotation), when])}`;
			} else if (e.stage === "Prospect") {
				text += `<br>${__("Prospect follow-up: {0}, next follow-up {1}", [esc(e.sequence), when])}`;
			} else {
				text += `<br>${__("Nurture: {0}, step {1}, next touch {2}", [esc(e.sequence), e.next_step, when])}`;
			}
		});
		const response = this.response_line(summary.response);
		if (response) text += `<br>${response}`;
		const colour = summary.status === "Qualified" ? "green" : summary.eligible ? "blue" : "orange";
		frm.set_intro(text, summary.response && summary.response.overdue ? "red" : colour);
	},

	response_line(r) {
		// the first-response clock (lead_response/response.py form_state)
		if (!r) return "";
		const when = (v) => frappe.datetime.str_to_user(v);
		if (r.first_responded_on) {
			return __("First response: {0} on {1}, after {2} working hours ({3})", [
				__(r.first_response || ""),
				when(r.first_responded_on),
				format_number(r.hours || 0, null, 1),
				r.in_time ? __("in time") : __("late"),
			]);
		}
		return r.overdue
			? `<b>${__("Response overdue: was due by {0}", [when(r.respond_by)])}</b>`
			: __("Respond by {0}", [when(r.respond_by)]);
	},

	add_actions(frm, summary) {
		if (!frm.perm[0] || !frm.perm[0].write) return;
		const group = __("Qualification");
		if (summary.status !== "Qualified") {
			frm.add_custom_button(__("Promote to Prospect"), () => this.promote(frm), group);
			frm.add_custom_button(
				__("Enroll in Nurture Sequence"),
				() => lead_qualification.nurture.enroll_lead(frm), // lead_qualification.bundle.js
				group
			);
		} else if (!summary.converted) {
			frm.add_custom_button(__("Back to In Process"), () => this.demote(frm), group);
		}
	},

	lock_quotation(frm) {
		// ERPNext adds Create > Quotation; while the gate holds, show it locked with the reason.
		const gate = frm.__lq_quotation_gate;
		if (!gate || !gate.locked) return;
		const create = __("Create");
		frm.remove_custom_button(__("Quotation"), create);
		frm.remove_custom_button(`${__("Quotation")} 🔒`, create);
		frm.add_custom_button(`${__("Quotation")} 🔒`, () => this.show_lock(gate), create);
	},

	show_lock(gate) {
		frappe.msgprint({ title: __("Lead not qualified"), indicator: "orange", message: gate.message });
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

// ERPNext's Lead controller adds Create > Quotation in its own refresh, which Frappe runs
// after this app's handlers and their server calls: lock the button again right after it.
// And whatever reaches ERPNext's "make quotation" while the gate holds gets the reason
// instead (the server refuses such a Quotation anyway).
(() => {
	const proto = window.erpnext && erpnext.LeadController && erpnext.LeadController.prototype;
	if (!proto || proto.__lq_gated) return;
	const refresh = proto.refresh;
	proto.refresh = function (...args) {
		const out = refresh.apply(this, args);
		if (this.frm) lead_qualification.lead.lock_quotation(this.frm);
		return out;
	};
	const make_quotation = proto.make_quotation;
	proto.make_quotation = function (...args) {
		const gate = this.frm && this.frm.__lq_quotation_gate;
		if (gate && gate.locked) return lead_qualification.lead.show_lock(gate);
		return make_quotation.apply(this, args);
	};
	proto.__lq_gated = true;
})();

frappe.ui.form.on("Lead", {
	refresh(frm) {
		lead_qualification.lead.refresh(frm);
	},
});

// Personal data (GDPR): access and erasure for a person who may not be a User
lead_qualification.lead_privacy = {
	method(name) {
		return `lead_qualification.privacy.api.${name}`;
	},

	refresh(frm) {
		if (frm.is_new()) return;
		if (!frappe.user.has_role("Sales Manager") && !frappe.user.has_role("System Manager")) return;
		const group = __("Personal Data");
		frm.add_custom_button(__("Download Personal Data"), () => this.download(frm), group);
		if (!frm.doc.lqp_anonymised_on) {
			frm.add_custom_button(__("Erase Personal Data"), () => this.erase(frm), group);
		}
	},

	download(frm) {
		frappe.call({ method: this.method("download_personal_data"), args: { lead: frm.doc.name } }).then((r) => {
			if (!r.message) return;
			const blob = new Blob([r.message], { type: "application/json" });
			const link = document.createElement("a");
			link.href = URL.createObjectURL(blob);
			link.download = `personal-data-${frm.doc.name}.json`;
			link.click();
		});
	},

	erase(frm) {
		frappe.confirm(
			__(
				"Erase the personal data of this person from this lead and every lead with the same e-mail address? This cannot be undone; it is recorded on the Personal Data Erasure Log."
			),
			() =>
				frappe
					.call({
						method: this.method("erase_personal_data"),
						args: { lead: frm.doc.name },
						freeze: true,
					})
					.then(() => frm.reload_doc())
		);
	},
};

frappe.ui.form.on("Lead", {
	refresh(frm) {
		lead_qualification.lead_privacy.refresh(frm);
	},
});
