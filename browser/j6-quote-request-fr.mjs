// J6: a visitor fills the public quote-request form in French (no login); then a
// French-speaking Sales User opens the lead it made and finds its BANT filled in, scored,
// with the consent the visitor gave.

import {
	ADMIN,
	BASE_URL,
	FR_MANAGER,
	FR_SALES,
	PASSWORD,
	RUN,
	TIMEOUT,
	api,
	clickGroupItem,
	controlValue,
	expandSection,
	failureShot,
	groupItems,
	log,
	login,
	newPage,
	screenshot,
	scrollToSection,
	waitForForm,
} from "./helpers.mjs";

/** A visitor's browser: French, no session. */
async function visitorPage(browser) {
	const context = await browser.newContext({ viewport: { width: 1100, height: 1300 }, locale: "fr-FR" });
	await context.route(/custom_theme/, (route) => route.abort());
	context.setDefaultTimeout(TIMEOUT);
	const page = await context.newPage();
	page.lqErrors = [];
	page.on("pageerror", (err) => page.lqErrors.push(`[J6-visitor] page error: ${err.message}`));
	return page;
}

async function typeInto(page, fieldname, value) {
	const input = page.locator(`.frappe-control[data-fieldname="${fieldname}"] :is(input, textarea)`).first();
	await input.click();
	await input.fill(value);
	await input.press("Tab");
}

function frenchDate(days) {
	const d = new Date(Date.now() + days * 86400000);
	const pad = (n) => String(n).padStart(2, "0");
	return { iso: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`, d, pad };
}

export async function j6(browser, data, c) {
	const email = `lq-browser-form-${RUN}@example.com`;
	const start = frenchDate(30);
	const visitor = await visitorPage(browser);
	try {
		await visitor.goto(`${BASE_URL}/quote-request/new`, { waitUntil: "networkidle" });
		await visitor.waitForSelector('.frappe-control[data-fieldname="bant_need"] textarea');
		const text = await visitor.evaluate(() => document.body.innerText);
		c.ok(/Demander un devis/.test(text), "the form's title reads Demander un devis");
		c.ok(/Que souhaitez-vous faire réaliser/.test(text), "the project question is in French");
		c.ok(/Parlez-nous de votre projet/.test(text) && /trois ans/.test(text), "the introduction (and its privacy notice) is in French");
		c.ok(/J’accepte de recevoir des e-mails/.test(text), "the consent box is worded in French");
		c.ok(!(await visitor.locator('input[data-fieldname="lqp_consent_given"]').isChecked()), "the consent box is not ticked");
		const honeypot = await visitor.evaluate(() => {
			const r = document.querySelector('[data-fieldname="website"]')?.getBoundingClientRect();
			return r ? r.right <= 0 || r.width <= 1 : true;
		});
		c.ok(honeypot, "the honeypot field is out of sight");

		await typeInto(visitor, "first_name", "Élodie");
		await typeInto(visitor, "last_name", `Marchand (${RUN})`);
		await typeInto(visitor, "email_id", email);
		await typeInto(visitor, "mobile_no", "+33612345678");
		await typeInto(visitor, "city", "Nantes");
		await typeInto(visitor, "bant_need", "Refaire la salle de bains : douche à l’italienne, carrelage");
		await typeInto(visitor, "bant_urgency", "Fuite sous la baignoire, le plafond du dessous est abîmé");
		await visitor.locator('[data-fieldname="lqp_budget_range"] select').selectOption("5,000 to 15,000");
		// the date control takes the system's format (dd-mm-yyyy here) and shows a calendar
		const format = await visitor.evaluate(() => (frappe.boot?.sysdefaults?.date_format || "dd-mm-yyyy").toLowerCase());
		const typed = format
			.replace("dd", start.pad(start.d.getDate()))
			.replace("mm", start.pad(start.d.getMonth() + 1))
			.replace("yyyy", String(start.d.getFullYear()));
		await typeInto(visitor, "bant_expected_start", typed);
		await visitor.keyboard.press("Escape");
		await visitor.locator('[data-fieldname="lqp_decides"] select').selectOption("Yes, I decide");
		await visitor.locator('input[data-fieldname="lqp_consent_given"]').check();
		await visitor.evaluate(() => window.scrollTo(0, 0));
		await screenshot(visitor, "j6-quote-request-fr.png", { fullPage: true });

		await visitor.locator(".submit-btn").first().click();
		await visitor.waitForSelector(".success-page:visible, .web-form-success:visible, .success-message", { timeout: 60000 });
		const done = await visitor.evaluate(() => document.body.innerText);
		c.ok(/Merci ! Nous avons bien reçu votre demande/.test(done), "the confirmation is in French");
		c.ok(!/Submit another response/.test(done), "no English left on the confirmation");
		await screenshot(visitor, "j6-quote-request-sent-fr.png");
		c.ok(!visitor.lqErrors.length, `no error on the public page (${visitor.lqErrors.join("; ") || "none"})`);
	} finally {
		await failureShot(visitor, c, "j6-visitor");
		await visitor.context().close();
	}

	// The lead, as Administrator through the API (to know its name)...
	const admin = await newPage(browser, "J6-admin");
	let lead;
	try {
		await login(admin, ADMIN);
		const found = await api(admin, "frappe.client.get_list", {
			doctype: "Lead",
			filters: { email_id: email },
			fields: ["name"],
		});
		c.must(found.length === 1, `the form made one lead for ${email} (${found.length})`);
		lead = found[0].name;
	} finally {
		await admin.context().close();
	}

	// ... then seen by a French-speaking Sales User.
	const page = await newPage(browser, "J6-sales");
	try {
		await login(page, { user: FR_SALES.user, password: PASSWORD });
		log(`logged in as ${FR_SALES.user} (${FR_SALES.roles.join(", ")}, language ${FR_SALES.language})`);
		await page.goto(`${BASE_URL}/app/lead/${lead}`, { waitUntil: "networkidle" });
		await waitForForm(page, { doctype: "Lead", name: lead });
		const doc = await page.evaluate(() => ({ ...cur_frm.doc }));
		log(
			`lead ${lead}: BANT ${doc.bant_completeness}/4, score ${doc.lq_score} ${doc.lq_score_band}, ` +
				`${doc.qualification_status}, basis ${doc.lqp_lawful_basis}`
		);
		c.ok(doc.bant_need && doc.bant_need.startsWith("Refaire la salle de bains"), "Need: the project as the visitor wrote it");
		c.ok(doc.bant_urgency && doc.bant_urgency.startsWith("Fuite"), "Why now: as the visitor wrote it");
		c.ok(doc.bant_budget_status === "Estimated" && doc.bant_budget_amount === 10000, "Budget: estimated at 10 000 from the range");
		c.ok(doc.bant_authority === "Talking to the Decision Maker", "Authority: the visitor decides");
		c.ok(doc.bant_expected_start === start.iso, `Expected start: ${start.iso} (${doc.bant_expected_start})`);
		c.ok(doc.bant_completeness === 4, `BANT 4/4 (${doc.bant_completeness})`);
		c.ok(doc.lq_score > 0, `scored (${doc.lq_score})`);
		c.ok(doc.lqp_lawful_basis === "Consent" && doc.lqp_consent_on, "the consent is recorded with its moment");

		await expandSection(page, "qualification_tab");
		await scrollToSection(page, "bant_summary_section");
		const completeness = await controlValue(page, "bant_completeness");
		c.ok(completeness === "4", `the form shows BANT completeness 4 (${completeness})`);
		const shown = await page.evaluate(() => $(cur_frm.wrapper).text());
		c.ok(/Projet|Besoin/.test(shown), "the BANT labels are in French");
		await screenshot(page, "j6-lead-from-form-fr-sales.png");
		await expandSection(page, "lqp_privacy_section");
		await scrollToSection(page, "lqp_privacy_section");
		await screenshot(page, "j6-lead-consent-fr-sales.png");
		const items = await groupItems(page, "Données personnelles");
		c.ok(!items.length, `a Sales User gets no Personal Data action (${items.map((i) => i.label).join(", ") || "none"})`);
	} finally {
		await failureShot(page, c, "j6");
		await page.context().close();
	}

	// A French-speaking Sales Manager erases the person's data from the lead.
	const manager = await newPage(browser, "J6-manager");
	try {
		await login(manager, { user: FR_MANAGER.user, password: PASSWORD });
		await manager.goto(`${BASE_URL}/app/lead/${lead}`, { waitUntil: "networkidle" });
		await waitForForm(manager, { doctype: "Lead", name: lead });
		const items = (await groupItems(manager, "Données personnelles")).map((i) => i.label);
		log(`Personal Data actions: ${items.join(", ")}`);
		c.ok(items.includes("Télécharger les données personnelles"), "a Sales Manager may download the person's data");
		c.must(items.includes("Effacer les données personnelles"), "a Sales Manager may erase the person's data");
		await (await clickGroupItem(manager, "Données personnelles", "Effacer les données personnelles")).click();
		const dialog = manager.locator(".modal.show, .modal:visible").last();
		await dialog.waitFor({ state: "visible" });
		c.ok(/journal d’effacement/i.test(await dialog.innerText()), "the confirmation says the erasure is logged");
		await dialog.locator(".btn-primary").click();
		await manager.waitForFunction((name) => cur_frm.doc.name === name && !!cur_frm.doc.lqp_anonymised_on, lead, {
			timeout: 60000,
		});
		const doc = await manager.evaluate(() => ({ ...cur_frm.doc }));
		log(`after erasure: ${doc.first_name} / ${doc.email_id} / ${doc.status}`);
		c.ok(doc.first_name === "REDACTED" && !doc.last_name && !doc.mobile_no, "the name and phone are gone");
		c.ok(!String(doc.email_id).includes("lq-browser-form"), "the e-mail address is gone");
		c.ok(!doc.bant_need && !doc.bant_urgency, "the visitor's own words are gone");
		c.ok(doc.status === "Do Not Contact", `the lead is Do Not Contact (${doc.status})`);
		const logs = await api(manager, "frappe.client.get_list", {
			doctype: "Personal Data Erasure Log",
			filters: { lead },
			fields: ["trigger", "performed_by"],
		});
		c.ok(logs.length === 1 && logs[0].performed_by === FR_MANAGER.user, "the erasure is on the log, with who did it");
		await expandSection(manager, "lqp_privacy_section");
		await scrollToSection(manager, "lqp_privacy_section");
		await screenshot(manager, "j6-lead-erased-fr-manager.png");
	} finally {
		await failureShot(manager, c, "j6-manager");
		await manager.context().close();
	}
}

export default {
	id: "j6",
	title: "A visitor fills the quote-request form in French; a Sales User sees the lead with its BANT filled",
	run: j6,
};
