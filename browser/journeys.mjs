// Real-browser user journeys for the lead_qualification app, on ERPNext's desk.
//
// Drives Debian's chromium (/usr/bin/chromium) through playwright-core against a running
// site and checks what a user sees:
//   J1  a Sales User creates a Lead, fills BANT and sees completeness, score and band;
//   J2  a Sales Manager opens the Lead list: sorted by score, bands as coloured pills;
//   J3  Create > Quotation is locked on an unqualified lead and opens a Quotation once the
//       lead is promoted;
//   J4  a French-speaking Sales Manager (and Sales User) sees the workspace in French
//       (j4-workspace-fr-manager.mjs);
//   J5  a French-speaking Sales Manager sees the Lead list in French (j5-lead-list-fr-manager.mjs);
//   J6  a visitor fills the quote-request form in French, a French-speaking Sales User sees
//       the lead with its BANT filled (j6-quote-request-fr.mjs);
//   J7  a Sales User sends an e-mail from a hot lead; the lead shows First Responded On
//       (j7-first-response-sales.mjs);
//   J8  the gate override on a Quotation is offered to the Sales Manager only
//       (j8-quotation-override-fr.mjs);
//   J9  a French-speaking Sales Manager reads the Pipeline Forecast and the Qualification Impact
//       (j9-forecast-reports-fr-manager.mjs);
//   J10 after a quotation to a prospect is submitted, a French-speaking Sales Manager sees
//       its next follow-up and the Quotations to Follow Up report (j10-quotation-follow-up-fr-manager.mjs);
//   J11 a French-speaking Sales Manager re-scores every lead and reads the Lead Scoring Run,
//       which the long queue's worker completes (j11-scoring-run-fr-manager.mjs).
//
// This file is the runner (test data, J1-J3, main); shared helpers are in helpers.mjs, and
// each new journey goes in its own file.
//
// Usually started by bin/browser-journeys (which serves the site on loopback). Environment:
//   BASE_URL         desk address, e.g. http://lq.localhost:8011 (required)
//   LQ_RESOLVE_HOST  host name that chromium must resolve to 127.0.0.1 (optional; set by
//                    bin/browser-journeys so that any site name works without /etc/hosts)
//   LQ_ADMIN_USER / LQ_ADMIN_PASSWORD   Administrator / admin by default (creates test data)
//   LQ_SCREENSHOTS   where to write the PNGs (default: <repo>/docs/screenshots)
//   LQ_ARTIFACTS     where to write failure screenshots (default: a temp directory)
//   LQ_SUMMARY_FILE  if set, {"passed":n,"failed":n,"results":[...]} is written there
//   CHROMIUM         browser binary (default /usr/bin/chromium)
//   LQ_KNOWN_BUGS    "warn" reports the checks that known app bugs break as warnings
//                    instead of failures (default: they fail)
// Arguments: journey ids to run (j1 ... j8); all by default.
//
// Re-runnable: test users are created once and reused (password reset each run), leads get
// a unique run tag in their names, e-mails and organisation. The leads (lq-browser-*@example.com)
// and "LQ Browser ..." prospects of earlier runs are deleted at the start of a run.

import fs from "node:fs";
import {
	ADMIN,
	BASE_URL,
	CHROMIUM,
	Checks,
	FR_MANAGER,
	FR_SALES,
	JourneyError,
	MANAGER,
	PASSWORD,
	RUN,
	SALES,
	api,
	clearListFilters,
	clickGroupItem,
	controlValue,
	ensureUser,
	expandSection,
	failureShot,
	fillField,
	groupItems,
	insertLead,
	introCount,
	launch,
	listRows,
	log,
	login,
	newPage,
	openForm,
	rgb,
	screenshot,
	scrollToSection,
	toNumber,
	waitForDocValue,
	waitForForm,
	waitForIntro,
	waitForList,
} from "./helpers.mjs";
import j4 from "./j4-workspace-fr-manager.mjs";
import j5 from "./j5-lead-list-fr-manager.mjs";
import j6 from "./j6-quote-request-fr.mjs";
import j7 from "./j7-first-response-sales.mjs";
import j8 from "./j8-quotation-override-fr.mjs";
import j9 from "./j9-forecast-reports-fr-manager.mjs";
import j10 from "./j10-quotation-follow-up-fr-manager.mjs";
import j11 from "./j11-scoring-run-fr-manager.mjs";


/** Remove what earlier runs left: their leads (every e-mail of this suite is
 * lq-browser-*@example.com) and the Prospects the app made for their organisations
 * ("LQ Browser ..."). Keeps the Lead list readable run after run; this run's records stay
 * for inspection until the next run. */
async function cleanupEarlierRuns(page) {
	const leads = await api(page, "frappe.client.get_list", {
		doctype: "Lead",
		filters: [["email_id", "like", "lq-browser-%@example.com"]],
		fields: ["name"],
		limit_page_length: 0,
	});
	let removed = 0;
	for (const { name } of leads) {
		try {
			await api(page, "frappe.client.delete", { doctype: "Lead", name });
			removed++;
		} catch (e) {
			log(`could not remove lead ${name} of an earlier run: ${e.message.slice(0, 160)}`);
		}
	}
	const prospects = await api(page, "frappe.client.get_list", {
		doctype: "Prospect",
		filters: [["name", "like", "LQ Browser %"]],
		fields: ["name"],
		limit_page_length: 0,
	});
	let removedProspects = 0;
	for (const { name } of prospects) {
		try {
			await api(page, "frappe.client.delete", { doctype: "Prospect", name });
			removedProspects++;
		} catch (e) {
			log(`could not remove prospect ${name} of an earlier run: ${e.message.slice(0, 160)}`);
		}
	}
	log(`removed ${removed} lead(s) and ${removedProspects} prospect(s) left by earlier runs`);
}

async function setup(browser) {
	const page = await newPage(browser, "setup");
	try {
		await login(page, ADMIN);
		await ensureUser(page, SALES);
		await ensureUser(page, MANAGER);
		await ensureUser(page, FR_MANAGER);
		await ensureUser(page, FR_SALES);
		await cleanupEarlierRuns(page);
		const org = `LQ Browser ${RUN}`;
		const base = (key, first) => ({
			first_name: first,
			last_name: `(run ${RUN})`,
			email_id: `lq-browser-${key}-${RUN}@example.com`,
			company_name: org,
		});
		// Three leads, one per band, sharing one organisation so that J2 can narrow the list.
		const hot = await insertLead(page, {
			...base("hot", "Hana Hot"),
			request_type: "Product Enquiry",
			bant_need: "Roof insulation of a 200 m² workshop",
			bant_urgency: "Heating bills doubled this winter",
			bant_budget_status: "Confirmed",
			bant_budget_amount: 18000,
			bant_authority: "Talking to the Decision Maker",
			bant_horizon: "Immediate",
		});
		const warm = await insertLead(page, {
			...base("warm", "Walt Warm"),
			bant_need: "New kitchen",
			bant_budget_status: "Confirmed",
		});
		const cold = await insertLead(page, { ...base("cold", "Cody Cold") });
		// J3's lead: three criteria of four (the contact is only an influencer).
		const locked = await insertLead(page, {
			first_name: "Quinn Quote",
			last_name: `(run ${RUN})`,
			email_id: `lq-browser-quote-${RUN}@example.com`,
			company_name: `LQ Browser Quote ${RUN}`,
			bant_need: "Replace 12 office windows",
			bant_urgency: "Building inspection in two months",
			bant_budget_status: "Confirmed",
			bant_budget_amount: 9500,
			bant_authority: "Talking to an Influencer",
			bant_horizon: "1-3 Months",
		});
		return { org, hot, warm, cold, locked, errors: page.lqErrors };
	} finally {
		await page.context().close();
	}
}

// ---------------------------------------------------------------------------------------
// J1: a Sales User records a new lead with its BANT and sees completeness, score and band

async function j1(browser, data, c) {
	const page = await newPage(browser, "J1");
	try {
		await login(page, { user: SALES.user, password: PASSWORD });
		log(`logged in as ${SALES.user}`);
		await page.goto(`${BASE_URL}/app/lead/new`, { waitUntil: "networkidle" });
		await waitForForm(page, { doctype: "Lead", saved: false });
		c.must(await page.evaluate(() => cur_frm.is_new()), "/app/lead/new opens a new Lead form");

		const first = `Jade J1 ${RUN}`;
		const org = `LQ Browser J1 ${RUN}`;
		await fillField(page, "first_name", first);
		await fillField(page, "email_id", `lq-browser-j1-${RUN}@example.com`);
		await fillField(page, "company_name", org);

		// BANT, in the Qualification part of the Details tab.
		await expandSection(page, "qualification_tab");
		await fillField(page, "bant_need", "Insulate the attic of a 1930s house");
		await fillField(page, "bant_urgency", "Energy audit due before the sale in spring");
		await fillField(page, "bant_budget_status", "Confirmed");
		await fillField(page, "bant_authority", "Talking to an Influencer");
		await fillField(page, "bant_horizon", "Under a Month");
		await waitForDocValue(page, "bant_horizon", "Under a Month");
		c.must(
			await page.evaluate(
				() =>
					cur_frm.doc.bant_need && cur_frm.doc.bant_urgency && cur_frm.doc.bant_budget_status === "Confirmed" &&
					cur_frm.doc.bant_authority === "Talking to an Influencer"
			),
			"the BANT fields typed in are on the form"
		);

		await page.keyboard.press("Control+s");
		await page.waitForURL(/\/app\/lead\/(?!new)[^/?#]+/, { timeout: 60000 });
		await waitForForm(page, { doctype: "Lead" });
		const name = await page.evaluate(() => cur_frm.doc.name);
		c.ok(/^\S+$/.test(name) && !/^new-lead/.test(name), `Ctrl+S saved the lead (${name})`);

		const intro = await waitForIntro(page, /BANT \d\/\d[\s\S]*Score/);
		log(`intro line: ${intro.replace(/\s+/g, " ")}`);
		const doc = await page.evaluate(() => ({
			score: cur_frm.doc.lq_score,
			band: cur_frm.doc.lq_score_band,
			completeness: cur_frm.doc.bant_completeness,
			status: cur_frm.doc.qualification_status,
		}));
		log(`saved lead: ${JSON.stringify(doc)}`);
		c.ok(/BANT 3\/4/.test(intro), "intro line shows BANT 3/4");
		await page.waitForTimeout(500);
		const intros = await introCount(page);
		c.bug(intros === 1, `the BANT intro line is shown once after saving the new lead (shown ${intros} times)`);
		// The same indicators on the form dashboard (Connections tab).
		const indicators = await page.evaluate(() =>
			$(cur_frm.wrapper).find(".form-dashboard .indicator-pill, .form-dashboard .indicator").map((_, e) => e.innerText.trim()).get()
		);
		const bantPills = indicators.filter((t) => /^BANT \d\/\d$/.test(t)).length;
		c.bug(bantPills === 1, `the dashboard shows one "BANT n/4" indicator after saving (shows ${bantPills}: ${indicators.join(", ")})`);
		c.ok(/✓ Budget/.test(intro) && /✗ Authority/.test(intro) && /✓ Need/.test(intro) && /✓ Timing/.test(intro),
			"intro line shows ✓ Budget, ✗ Authority, ✓ Need, ✓ Timing");
		// Project +10, budget confirmed +15, under a month +10, organisation +5 (+5 if a
		// territory is defaulted): a Warm lead with the default rules.
		c.ok(doc.band === "Warm" && doc.score >= 25 && doc.score < 60, `the lead is scored Warm (score ${doc.score}, band ${doc.band})`);
		const shown = new RegExp(`Score ${Math.round(doc.score)} \\(${doc.band}\\)`);
		c.ok(shown.test(intro), `intro line shows "Score ${Math.round(doc.score)} (${doc.band})"`);
		c.ok(/Missing for promotion: Authority/.test(intro), "intro line says Authority is missing for promotion");
		c.ok(doc.status === "In Process", `qualification status is In Process (${doc.status})`);

		// The fields themselves.
		await expandSection(page, "qualification_tab");
		const fields = {
			bant_completeness: await controlValue(page, "bant_completeness"),
			lq_score: await controlValue(page, "lq_score"),
			lq_score_band: await controlValue(page, "lq_score_band"),
			qualification_status: await page.evaluate(() =>
				$(cur_frm.wrapper).find('.frappe-control[data-fieldname="qualification_status"]:visible select').val()
			),
		};
		log(`fields shown: ${JSON.stringify(fields)}`);
		c.ok(fields.bant_completeness === "3", "BANT Completeness field shows 3");
		c.ok(fields.lq_score === String(Math.round(doc.score)), `Score field shows ${Math.round(doc.score)}`);
		c.ok(fields.lq_score_band === doc.band, `Band field shows ${doc.band}`);
		// Read-only checks are drawn by Frappe as a disabled checkbox with the class
		// disabled-selected / disabled-deselected (the tick comes from CSS).
		const ticks = await page.evaluate(() =>
			Object.fromEntries(
				["bant_need_met", "bant_budget_met", "bant_authority_met", "bant_timing_met"].map((f) => {
					const box = $(cur_frm.wrapper).find(`.frappe-control[data-fieldname="${f}"]:visible input[type=checkbox]:visible`).get(0);
					return [f, box ? box.checked || box.classList.contains("disabled-selected") : null];
				})
			)
		);
		c.ok(
			ticks.bant_need_met && ticks.bant_budget_met && !ticks.bant_authority_met && ticks.bant_timing_met,
			`criterion ticks: Need, Budget, Timing met, Authority not (${JSON.stringify(ticks)})`
		);
		await page.waitForFunction(() => $(cur_frm.wrapper).find(".lq-score-breakdown table").length, null, { timeout: 10000 }).catch(() => {});
		const breakdown = await page.evaluate(() => $(cur_frm.wrapper).find(".lq-score-breakdown").text().replace(/\s+/g, " "));
		c.ok(/Project described/.test(breakdown) && /Budget confirmed/.test(breakdown) && /Starts within 3 months/.test(breakdown),
			"Why This Score lists Project described, Budget confirmed, Starts within 3 months");

		// Screenshot: intro line and the Qualification + BANT + Score sections.
		await page.evaluate(() => window.scrollTo(0, 0));
		await page.setViewportSize({ width: 1400, height: 1000 });
		await screenshot(page, "j1-new-lead-bant.png", { fullPage: true });
		return { lead: name };
	} finally {
		await failureShot(page, c, "j1");
		await page.context().close();
	}
}

// ---------------------------------------------------------------------------------------
// J2: a Sales Manager opens the Lead list, sorted by score, with coloured band pills


function checkPills(c, rows) {
	const expected = { Hot: "red", Warm: "orange", Cold: "blue" };
	const colours = {};
	for (const r of rows.filter((r) => r.band)) {
		c.ok(
			r.pillClass.split(/\s+/).includes(expected[r.band]),
			`${r.name}: ${r.band} pill has the ${expected[r.band]} indicator class (${r.pillClass})`
		);
		colours[r.band] = r.pillFg;
	}
	const [hr, hg, hb] = rgb(colours.Hot);
	const [wr, wg, wb] = rgb(colours.Warm);
	const [cr, cg, cb] = rgb(colours.Cold);
	if (colours.Hot) c.ok(hr > hg && hr > hb, `Hot pill is drawn in red (${colours.Hot})`);
	if (colours.Warm) c.ok(wr > wb && wg > wb, `Warm pill is drawn in orange (${colours.Warm})`);
	if (colours.Cold) c.ok(cb > cr && cb >= cg, `Cold pill is drawn in blue (${colours.Cold})`);
}


async function j2(browser, data, c) {
	const page = await newPage(browser, "J2");
	try {
		await login(page, { user: MANAGER.user, password: PASSWORD });
		log(`logged in as ${MANAGER.user}`);
		await page.goto(`${BASE_URL}/app/lead`, { waitUntil: "networkidle" });
		await waitForList(page);
		await clearListFilters(page);

		const sortLabel = await page.evaluate(() => $(".sort-selector:visible .sort-selector-button .dropdown-text").first().text().trim());
		const sortOrder = await page.evaluate(() => $(".sort-selector:visible .btn-order").first().attr("data-value"));
		c.ok(sortLabel === "Score" && sortOrder === "desc", `list opens sorted by Score, descending (sort shows "${sortLabel}" ${sortOrder})`);

		const all = await listRows(page);
		log(`columns: ${all.headers.join(" | ")}; ${all.count}`);
		c.must(all.idx.score >= 0 && all.idx.band >= 0, "the list has Band and Score columns");
		c.ok(all.idx.bant >= 0, "the list has a BANT Completeness column");
		const scores = all.rows.map((r) => toNumber(r.score));
		log(`scores in list order: ${scores.join(", ")}`);
		c.ok(scores.length > 1 && scores.every((s, i) => i === 0 || scores[i - 1] >= s), `${scores.length} rows, scores non-increasing`);
		c.ok(all.rows.every((r) => !r.bant || /^\d\/4$/.test(r.bant)), `BANT column reads n/4 (${[...new Set(all.rows.map((r) => r.bant))].join(", ")})`);
		checkPills(c, all.rows);
		c.ok(all.rows.some((r) => r.band === "Hot"), "a Hot lead is on the first page (this run's Hot lead at least)");

		// This run's three leads, through a filter on their organisation: Hot, Warm, Cold in order.
		await page.goto(`${BASE_URL}/app/lead?company_name=${encodeURIComponent(data.org)}`, { waitUntil: "networkidle" });
		await waitForList(page);
		await page.waitForFunction(() => $(".frappe-list:visible .result .list-row-container").length === 3, null, { timeout: 15000 }).catch(() => {});
		const mine = await listRows(page);
		log(`this run's leads: ${mine.rows.map((r) => `${r.name} ${r.band} ${r.score} ${r.bant}`).join("; ")}`);
		const expectedOrder = [data.hot, data.warm, data.cold];
		c.ok(
			JSON.stringify(mine.rows.map((r) => r.name)) === JSON.stringify(expectedOrder.map((d) => d.name)),
			`filtered on "${data.org}": rows are Hot, Warm, Cold lead in that order`
		);
		c.ok(
			JSON.stringify(mine.rows.map((r) => r.band)) === JSON.stringify(["Hot", "Warm", "Cold"]),
			`their band pills read Hot, Warm, Cold (${mine.rows.map((r) => r.band).join(", ")})`
		);
		c.ok(
			JSON.stringify(mine.rows.map((r) => toNumber(r.score))) === JSON.stringify(expectedOrder.map((d) => Math.round(d.lq_score))),
			`their Score column matches the stored scores (${expectedOrder.map((d) => d.lq_score).join(", ")})`
		);
		checkPills(c, mine.rows);

		// Screenshot: the whole list (first page), sorted by score.
		await clearListFilters(page);
		const cleared = await listRows(page);
		c.ok(
			(await page.evaluate(() => cur_list.filter_area.get().length)) === 0 && cleared.rows.length > mine.rows.length,
			`filter cleared: back to every lead (${cleared.rows.length} rows, ${cleared.count})`
		);
		await page.evaluate(() => window.scrollTo(0, 0));
		await screenshot(page, "j2-lead-list-by-score.png");
	} finally {
		await failureShot(page, c, "j2");
		await page.context().close();
	}
}

// ---------------------------------------------------------------------------------------
// J3: Create > Quotation is locked until the lead is a prospect, then opens a Quotation

async function j3(browser, data, c) {
	const page = await newPage(browser, "J3");
	const lead = data.locked.name;
	try {
		await login(page, { user: SALES.user, password: PASSWORD });
		log(`logged in as ${SALES.user}; lead ${lead} (Authority: Talking to an Influencer)`);
		// The Create menu is built by ERPNext and re-labelled by the app after a server call,
		// so what a user gets depends on which of the form's calls answers first. Look at it
		// on a few loads of the form, as a user coming back to the lead would; on the last
		// one the form's two other calls of the app ("Why This Score" and nurture) answer
		// 400 ms later than the summary, as on a busy server.
		const LOADS = 3;
		const SLOW = /lead_scoring\.api\.get_breakdown|lead_nurture\.api\.get_for_lead/;
		const slow = async (route) => {
			await new Promise((resolve) => setTimeout(resolve, 400));
			await route.continue();
		};
		const menus = [];
		for (let load = 1; load <= LOADS; load++) {
			if (load === LOADS) await page.route(SLOW, slow);
			await openForm(page, `/app/lead/${lead}`, { doctype: "Lead", name: lead });
			const intro = await waitForIntro(page, /BANT \d\/\d/);
			await page
				.waitForFunction(
					() => $(cur_frm.page.wrapper).find('.inner-group-button[data-label="Create"] .dropdown-item').filter((_, e) => /🔒/.test(e.innerText)).length,
					null,
					{ timeout: 15000 }
				)
				.catch(() => {});
			await page.waitForLoadState("networkidle");
			await page.waitForTimeout(500);
			const items = (await groupItems(page, "Create")).map((i) => i.label);
			menus.push(items);
			log(`load ${load}${load === LOADS ? " (other calls slowed)" : ""}: Create menu: ${items.join(" | ")}; intro blocks: ${await introCount(page)}`);
			if (load === LOADS) await page.unroute(SLOW, slow);
			if (load === 1) {
				log(`intro line: ${intro.replace(/\s+/g, " ")}`);
				c.ok(/BANT 3\/4/.test(intro) && /Missing for promotion: Authority/.test(intro), "the lead shows BANT 3/4, Authority missing");
				c.ok((await introCount(page)) === 1, "the BANT intro line is shown once");
			}
		}
		c.must(menus.every((m) => m.includes("Quotation 🔒")), `Create menu offers "Quotation 🔒" (on each of ${LOADS} loads)`);
		const leaks = menus.filter((m) => m.includes("Quotation")).length;
		c.bug(
			leaks === 0,
			`Create menu does not also offer ERPNext's unlocked "Quotation" while the lead is not qualified (it did on ${leaks} of ${LOADS} loads)`
		);

		const lockedItem = await clickGroupItem(page, "Create", "Quotation 🔒");
		await lockedItem.click();
		const dialog = page.locator(".modal.show .modal-dialog").last();
		await dialog.waitFor({ state: "visible" });
		await page.waitForTimeout(400); // fade-in
		const title = (await dialog.locator(".modal-title").innerText()).trim();
		const body = (await dialog.locator(".modal-body").innerText()).trim();
		log(`lock message: "${title}": ${body.replace(/\s+/g, " ")}`);
		c.ok(title === "Lead not qualified", `the lock shows "Lead not qualified" (${title})`);
		c.ok(/Authority/i.test(body), "the lock message names the missing criterion (Authority)");
		c.ok(page.url().includes(`/app/lead/${lead}`), "clicking the locked item stays on the lead");
		await screenshot(page, "j3-quotation-locked.png");
		await dialog.locator(".btn-modal-close, .modal-header .close").first().click();
		await dialog.waitFor({ state: "hidden" });

		// Promotion: the contact turns out to be the decision maker; save (auto-promotion).
		await expandSection(page, "qualification_tab");
		await fillField(page, "bant_authority", "Talking to the Decision Maker");
		await waitForDocValue(page, "bant_authority", "Talking to the Decision Maker");
		await page.keyboard.press("Control+s");
		await page.waitForFunction(() => !cur_frm.is_dirty() && cur_frm.doc.bant_authority === "Talking to the Decision Maker" && !cur_frm.saving, null, { timeout: 60000 });
		await waitForForm(page, { doctype: "Lead", name: lead });
		const after = await waitForIntro(page, /BANT 4\/4/);
		const status = await page.evaluate(() => cur_frm.doc.qualification_status);
		log(`after save: qualification_status=${status}; intro line: ${after.replace(/\s+/g, " ")}`);
		c.must(status === "Qualified", `saving with the decision maker reached promotes the lead (status ${status})`);
		c.ok(/BANT 4\/4/.test(after) && !/Missing for promotion/.test(after), "intro line shows BANT 4/4, nothing missing");
		await page.waitForLoadState("networkidle");
		const introsAfter = await introCount(page);
		c.ok(introsAfter === 1, `the BANT intro line is shown once after saving (shown ${introsAfter} times)`);
		await page
			.waitForFunction(() => $(cur_frm.page.wrapper).find('.inner-group-button[data-label="Create"] .dropdown-item[data-label="Quotation"]').length, null, { timeout: 15000 })
			.catch(() => {});
		await page.waitForLoadState("networkidle");
		const unlocked = await groupItems(page, "Create");
		log(`Create menu: ${unlocked.map((i) => i.label).join(" | ")}`);
		c.ok(!unlocked.some((i) => /🔒/.test(i.label)), 'no "Quotation 🔒" once the lead is a prospect');
		c.must(unlocked.some((i) => i.label === "Quotation"), 'Create menu offers "Quotation"');
		const qualification = await groupItems(page, "Qualification");
		c.ok(qualification.some((i) => i.label === "Back to In Process"), `Qualification menu offers "Back to In Process" (${qualification.map((i) => i.label).join(", ")})`);

		const item = await clickGroupItem(page, "Create", "Quotation");
		await item.click();
		await page.waitForURL(/\/app\/quotation\/new-quotation-[^/?#]+/, { timeout: 60000 });
		await waitForForm(page, { doctype: "Quotation", saved: false });
		await page.waitForLoadState("networkidle");
		await page.waitForFunction((lead) => cur_frm.doc.party_name === lead, lead, { timeout: 15000 }).catch(() => {});
		c.ok(/\/app\/quotation\/new-quotation-/.test(page.url()), `Create > Quotation opens a new Quotation (${new URL(page.url()).pathname})`);
		const q = await page.evaluate(() => ({
			quotation_to: cur_frm.doc.quotation_to,
			party_name: cur_frm.doc.party_name,
			shown_to: $(cur_frm.wrapper).find('.frappe-control[data-fieldname="quotation_to"]:visible input').val(),
			shown_party: $(cur_frm.wrapper).find('.frappe-control[data-fieldname="party_name"]:visible input').val(),
			party_label: $(cur_frm.wrapper).find('.frappe-control[data-fieldname="party_name"]:visible .control-label').text().trim(),
			override_visible: $(cur_frm.wrapper).find('.frappe-control[data-fieldname="lq_gate_override"]:visible').length,
		}));
		log(`new quotation: ${JSON.stringify(q)}`);
		c.ok(q.quotation_to === "Lead" && q.shown_to === "Lead", `Quotation To shows Lead (${q.shown_to})`);
		const leadTitle = data.locked.lead_name;
		c.ok(
			q.party_name === lead && (q.shown_party === lead || q.shown_party === leadTitle || q.shown_party.includes(data.locked.company_name)),
			`the party field shows the lead (${q.party_label}: "${q.shown_party}")`
		);
		await page.evaluate(() => window.scrollTo(0, 0));
		await screenshot(page, "j3-quotation-unlocked.png");
		return { lead };
	} finally {
		await failureShot(page, c, "j3");
		await page.context().close();
	}
}


// ---------------------------------------------------------------------------------------

const JOURNEYS = [
	{ id: "j1", title: "Sales User records a lead's BANT and sees completeness, score and band", run: j1 },
	{ id: "j2", title: "Sales Manager sees the Lead list sorted by score with band pills", run: j2 },
	{ id: "j3", title: "Quotation locked until the lead is promoted, then Create > Quotation works", run: j3 },
	j4,
	j5,
	j6,
	j7,
	j8,
	j9,
	j10,
	j11,
];

async function main() {
	const wanted = process.argv.slice(2).map((a) => a.toLowerCase());
	const journeys = JOURNEYS.filter((j) => !wanted.length || wanted.includes(j.id));
	console.log(`Browser journeys against ${BASE_URL} (run ${RUN}, ${CHROMIUM})`);
	const results = [];
	const browser = await launch();
	let data = null;
	let setupError = null;
	try {
		console.log("setup (as Administrator, REST API):");
		try {
			data = await setup(browser);
		} catch (e) {
			setupError = e;
			console.log(`  setup failed: ${e.message}`);
		}
		for (const j of journeys) {
			console.log(`\n${j.id.toUpperCase()}: ${j.title}`);
			const c = new Checks(j.id);
			const started = Date.now();
			if (setupError) {
				c.failures.push(`setup failed: ${setupError.message}`);
			} else {
				try {
					await j.run(browser, data, c);
				} catch (e) {
					c.crashed = true;
					if (!(e instanceof JourneyError)) {
						c.failures.push(e.message.split("\n")[0]);
						console.log(`  ✗ ${e.stack || e}`);
					}
				}
			}
			const secs = ((Date.now() - started) / 1000).toFixed(1);
			const passed = !c.failures.length;
			results.push({ id: j.id, title: j.title, passed, failures: c.failures, warnings: c.warnings || 0, seconds: Number(secs) });
			const warned = c.warnings ? `, ${c.warnings} known-bug warning(s)` : "";
			console.log(`${passed ? "PASS" : "FAIL"} ${j.id.toUpperCase()} (${secs}s${warned})${passed ? "" : ": " + c.failures.join("; ")}`);
		}
	} finally {
		await browser.close();
	}
	const passed = results.filter((r) => r.passed).length;
	const failed = results.length - passed;
	if (process.env.LQ_SUMMARY_FILE) {
		fs.writeFileSync(process.env.LQ_SUMMARY_FILE, JSON.stringify({ passed, failed, run: RUN, results }, null, 2));
	}
	// bin/browser-journeys prints the closing line itself (after stopping its server).
	if (process.env.LQ_SUMMARY_FILE) console.log(`\njourneys: ${passed} passed, ${failed} failed`);
	else console.log(`\n${passed} passed, ${failed} failed`);
	return failed ? 1 : 0;
}

main().then(
	(code) => process.exit(code),
	(e) => {
		console.error(e);
		process.exit(1);
	}
);
