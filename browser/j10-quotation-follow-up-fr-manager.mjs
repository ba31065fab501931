// J10: a quotation to a prospect is submitted; a French-speaking Sales Manager sees its next
// follow-up at the top of the Quotation form, and the quotation in "Devis à relancer" (the
// Quotations to Follow Up report) with its value, age and next follow-up, headed in French.

import {
	ADMIN,
	BASE_URL,
	FR_MANAGER,
	PASSWORD,
	RUN,
	api,
	failureShot,
	log,
	login,
	newPage,
	openForm,
	screenshot,
	waitForIntro,
} from "./helpers.mjs";

const ITEM = "LQ-BROWSER-ITEM";

/** As Administrator: a prospect (complete BANT) and a submitted quotation to it. */
async function submittedQuotation(browser) {
	const page = await newPage(browser, "J10 setup");
	try {
		await login(page, ADMIN);
		const company = await api(page, "frappe.client.get_value", {
			doctype: "Global Defaults",
			fieldname: "default_company",
		}).then((r) => r.default_company);
		const currency = await api(page, "frappe.client.get_value", {
			doctype: "Company",
			filters: company,
			fieldname: "default_currency",
		}).then((r) => r.default_currency);
		const have = await api(page, "frappe.client.get_count", { doctype: "Item", filters: { name: ITEM } });
		if (!have) {
			const group = await api(page, "frappe.client.get_value", {
				doctype: "Item Group",
				filters: { is_group: 0 },
				fieldname: "name",
			});
			await api(page, "frappe.client.insert", {
				doc: {
					doctype: "Item",
					item_code: ITEM,
					item_name: "Rénovation de toiture",
					item_group: group.name,
					stock_uom: "Nos",
					is_stock_item: 0,
				},
			});
		}
		const lead = await api(page, "frappe.client.insert", {
			doc: {
				doctype: "Lead",
				first_name: "Hélène",
				last_name: `(run ${RUN})`,
				email_id: `lq-browser-followup-${RUN}@example.com`,
				company_name: `LQ Browser ${RUN}`,
				language: "fr",
				bant_need: "Refaire la toiture de l'atelier",
				bant_urgency: "Fuites depuis la dernière tempête",
				bant_budget_status: "Confirmed",
				bant_budget_amount: 12000,
				bant_authority: "Talking to the Decision Maker",
				bant_decision_maker: "Hélène Martin",
				bant_horizon: "Under a Month",
			},
		});
		log(`lead ${lead.name}: ${lead.qualification_status}`);
		const today = new Date().toISOString().slice(0, 10);
		const validTill = new Date(Date.now() + 30 * 86400000).toISOString().slice(0, 10);
		const draft = await api(page, "frappe.client.insert", {
			doc: {
				doctype: "Quotation",
				quotation_to: "Lead",
				party_name: lead.name,
				company,
				currency,
				conversion_rate: 1,
				plc_conversion_rate: 1,
				transaction_date: today,
				valid_till: validTill,
				order_type: "Sales",
				items: [{ item_code: ITEM, qty: 1, rate: 12000 }],
			},
		});
		const quotation = await api(page, "frappe.client.submit", { doc: draft });
		log(`quotation ${quotation.name} submitted (${quotation.grand_total} ${currency})`);
		return { lead: lead.name, quotation: quotation.name };
	} finally {
		await page.context().close();
	}
}

async function run(browser, data, c) {
	let quotation;
	try {
		({ quotation } = await submittedQuotation(browser));
	} catch (e) {
		// recorded here: the runner counts only other errors as failures
		c.must(false, `the quotation could be made and submitted: ${e.message.split("\n")[0]}`);
	}
	const page = await newPage(browser, "J10");
	try {
		await login(page, { user: FR_MANAGER.user, password: PASSWORD });
		log(`logged in as ${FR_MANAGER.user} (${FR_MANAGER.roles.join(", ")}, language ${FR_MANAGER.language})`);

		await openForm(page, `/app/quotation/${encodeURIComponent(quotation)}`, { doctype: "Quotation", name: quotation });
		const intro = await waitForIntro(page, /Prochaine relance/);
		log(`Quotation form intro: ${intro.replace(/\s+/g, " ")}`);
		c.ok(/Prochaine relance : \d/.test(intro), "the Quotation form shows the next follow-up, in French");
		c.ok(/Vérifier que le devis est bien arrivé/.test(intro), "… with the reminder's task, in French");
		c.ok(/Notez une prochaine étape sous Relance/.test(intro), "… and how to stop the reminders");
		await page.evaluate(() => window.scrollTo(0, 0));
		await screenshot(page, "j10-quotation-next-follow-up-fr.png");

		await page.goto(`${BASE_URL}/app/query-report/Quotations to Follow Up`, { waitUntil: "networkidle" });
		await page.waitForFunction(
			(name) => document.querySelector(".dt-scrollable") && document.body.innerText.includes(name),
			quotation,
			{ timeout: 60000 }
		);
		const headers = await page.evaluate(() =>
			[...document.querySelectorAll(".dt-header .dt-cell__content")].map((e) => e.innerText.trim()).filter(Boolean)
		);
		log(`report columns: ${headers.join(" | ")}`);
		for (const title of ["Devis", "Valeur", "Âge (jours)", "Prochaine relance", "Prochaine étape convenue"]) {
			c.ok(headers.includes(title), `the report has the column ${title}`);
		}
		const title = await page.evaluate(() => document.querySelector(".page-title .title-text")?.innerText.trim());
		c.ok(title === "Devis à relancer", `the report is titled in French (${title})`);
		await screenshot(page, "j10-quotations-to-follow-up-fr.png");
		c.ok(!page.lqErrors.length, `no page error (${page.lqErrors.join("; ")})`);
	} finally {
		await failureShot(page, c, "j10");
		await page.context().close();
	}
}

export default {
	id: "j10",
	title: "A French-speaking Sales Manager sees a quotation's next follow-up and the quotations to follow up",
	run,
};
