// J8: the gate override on a Quotation is offered only to the role that may use it.
// A French-speaking Sales User opens a quotation made for a lead: no "Override Qualification
// Gate" field, no reason. A French-speaking Sales Manager opens the same quotation: both
// fields are there, in French, and can be set (Frappe's field-level permissions, level 5).

import { ADMIN, BASE_URL, FR_MANAGER, FR_SALES, PASSWORD, api, failureShot, log, login, newPage, openForm, screenshot } from "./helpers.mjs";

const ITEM = "LQ-BROWSER-ITEM";

async function quotationForLead(browser, lead) {
	const page = await newPage(browser, "J8 setup");
	try {
		await login(page, ADMIN);
		const items = await api(page, "frappe.client.get_list", { doctype: "Item", filters: { name: ITEM }, fields: ["name"] });
		if (!items.length) {
			const group = (await api(page, "frappe.client.get_list", { doctype: "Item Group", filters: { is_group: 0 }, fields: ["name"], limit_page_length: 1 }))[0].name;
			await api(page, "frappe.client.insert", {
				doc: { doctype: "Item", item_code: ITEM, item_name: "Travaux de rénovation", item_group: group, stock_uom: "Nos", is_stock_item: 0 },
			});
		}
		const company = await api(page, "frappe.client.get_single_value", { doctype: "Global Defaults", field: "default_company" });
		const q = await api(page, "frappe.client.insert", {
			doc: {
				doctype: "Quotation",
				quotation_to: "Lead",
				party_name: lead,
				company,
				order_type: "Sales",
				items: [{ item_code: ITEM, qty: 1, rate: 1500 }],
			},
		});
		log(`quotation ${q.name} for lead ${lead} (${company})`);
		return q.name;
	} finally {
		await page.context().close();
	}
}

/** What the open Quotation form shows of the override fields. */
function overrideFields(page) {
	return page.evaluate(() =>
		["lq_gate_override", "lq_gate_override_reason"].map((f) => {
			const field = cur_frm.fields_dict[f];
			return {
				fieldname: f,
				status: field ? field.disp_status : "absent",
				visible: field ? $(field.wrapper).is(":visible") : false,
				label: field ? $(field.wrapper).find(".label-area, .control-label").first().text().trim() : "",
			};
		})
	);
}

export async function j8(browser, data, c) {
	// the hot lead of the setup is a prospect: a quotation for it can be made
	const name = await quotationForLead(browser, data.hot.name);

	const sales = await newPage(browser, "J8 sales");
	try {
		await login(sales, { user: FR_SALES.user, password: PASSWORD });
		await openForm(sales, `/app/quotation/${name}`, { doctype: "Quotation", name });
		const fields = await overrideFields(sales);
		log(`Sales User sees: ${JSON.stringify(fields)}`);
		for (const f of fields) {
			c.ok(f.status === "None" && !f.visible, `a Sales User neither sees nor can set ${f.fieldname} (${f.status})`);
		}
		await sales.evaluate(() => window.scrollTo(0, 0));
		await screenshot(sales, "j8-quotation-sales-user-fr.png");
	} finally {
		await failureShot(sales, c, "j8-sales");
		await sales.context().close();
	}

	const manager = await newPage(browser, "J8 manager");
	try {
		await login(manager, { user: FR_MANAGER.user, password: PASSWORD });
		await openForm(manager, `/app/quotation/${name}`, { doctype: "Quotation", name });
		let fields = await overrideFields(manager);
		c.ok(fields[0].status === "Write" && fields[0].visible, `the Sales Manager sees the override (${fields[0].status})`);
		c.ok(fields[0].label === "Lever le verrou de qualification" || /verrou/i.test(fields[0].label), `its label is French ("${fields[0].label}")`);
		// ticking it shows the reason, which the manager may fill
		await manager.evaluate(() => cur_frm.set_value("lq_gate_override", 1));
		await manager.waitForFunction(() => $(cur_frm.fields_dict.lq_gate_override_reason.wrapper).is(":visible"));
		fields = await overrideFields(manager);
		log(`Sales Manager sees: ${JSON.stringify(fields)}`);
		c.ok(fields[1].status === "Write" && fields[1].visible, `the Sales Manager can give a reason (${fields[1].status})`);
		await manager.evaluate(() => {
			const top = $(cur_frm.fields_dict.party_name.wrapper).offset().top - 120;
			window.scrollTo(0, Math.max(0, top));
		});
		await screenshot(manager, "j8-quotation-sales-manager-fr.png");
	} finally {
		await failureShot(manager, c, "j8-manager");
		await manager.context().close();
	}
}

export default {
	id: "j8",
	title: "Quotation: the gate override is offered to the Sales Manager only (field-level permission)",
	run: j8,
};
