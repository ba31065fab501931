// Shared helpers of the browser journeys (one file per journey, this module, and the
// runner journeys.mjs): configuration from the environment, the browser, logging in, the
// REST API from inside the page, forms, the Lead list, screenshots and test data.
// See journeys.mjs for the environment variables.

import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const BASE_URL = (process.env.BASE_URL || "").replace(/\/+$/, "");
if (!BASE_URL) {
	console.error("BASE_URL is not set (e.g. BASE_URL=http://lq.localhost:8011); bin/browser-journeys sets it.");
	process.exit(2);
}
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const SHOTS = process.env.LQ_SCREENSHOTS || path.resolve(HERE, "..", "docs", "screenshots");
export const ARTIFACTS = process.env.LQ_ARTIFACTS || fs.mkdtempSync(path.join(os.tmpdir(), "lq-journeys-"));
export const ADMIN = { user: process.env.LQ_ADMIN_USER || "Administrator", password: process.env.LQ_ADMIN_PASSWORD || "admin" };
export const PASSWORD = process.env.LQ_TEST_PASSWORD || "LqBrowser!2026x#Journeys";
export const SALES = { user: "lq-browser-sales@example.com", first_name: "Sam", last_name: "Sales (browser tests)", roles: ["Sales User"] };
export const MANAGER = {
	user: "lq-browser-manager@example.com",
	first_name: "Morgan",
	last_name: "Manager (browser tests)",
	roles: ["Sales Manager", "Sales User"],
};
// French-speaking users (user language fr) for the journeys that check the desk in French.
export const FR_MANAGER = {
	user: "lq-browser-fr-manager@example.com",
	first_name: "Françoise",
	last_name: "Directrice (tests navigateur)",
	roles: ["Sales Manager"],
	language: "fr",
};
export const FR_SALES = {
	user: "lq-browser-fr-sales@example.com",
	first_name: "Julien",
	last_name: "Commercial (tests navigateur)",
	roles: ["Sales User"],
	language: "fr",
};
// Unique per run: leads of earlier runs stay, these names never collide with them.
export const RUN = `${new Date().toISOString().slice(2, 10).replace(/-/g, "")}-${Math.random().toString(36).slice(2, 7)}`;
export const TIMEOUT = 30000;

fs.mkdirSync(SHOTS, { recursive: true });
fs.mkdirSync(ARTIFACTS, { recursive: true });

// ---------------------------------------------------------------------------------------
// Small helpers

export class JourneyError extends Error {}

/** Soft checks: a journey records every unmet expectation, goes on, and fails at the end. */
export class Checks {
	constructor(id) {
		this.id = id;
		this.failures = [];
	}
	ok(condition, message) {
		if (condition) console.log(`  ✓ ${message}`);
		else {
			console.log(`  ✗ ${message}`);
			this.failures.push(message);
		}
		return !!condition;
	}
	/** An expectation that a known app bug breaks: fails like ok(), unless
	 * LQ_KNOWN_BUGS=warn, which reports it as a warning (to see the rest of the suite pass). */
	bug(condition, message) {
		if (condition || process.env.LQ_KNOWN_BUGS !== "warn") return this.ok(condition, message);
		console.log(`  ⚠ ${message} — KNOWN APP BUG, not counted (LQ_KNOWN_BUGS=warn)`);
		this.warnings = (this.warnings || 0) + 1;
		return false;
	}
	/** A hard expectation: the journey cannot go on without it. */
	must(condition, message) {
		if (!this.ok(condition, message)) throw new JourneyError(message);
	}
}

export function log(...args) {
	console.log("   ", ...args);
}

export async function launch() {
	const args = [
		"--headless",
		"--no-sandbox",
		"--disable-gpu",
		"--disable-quic",
		"--no-first-run",
		"--disable-background-networking",
		"--disable-component-update",
		"--disable-sync",
	];
	if (process.env.LQ_RESOLVE_HOST) args.push(`--host-resolver-rules=MAP ${process.env.LQ_RESOLVE_HOST} 127.0.0.1`);
	return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

/** A fresh browser context (own cookies) with ERPNext's stock look. */
export async function newPage(browser, label) {
	const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: "en-US" });
	// This bench carries a non-upstream theme (erpnext/css/custom_theme.css) that hides
	// checkbox ticks: block it so that the screenshots look like stock ERPNext.
	await context.route(/custom_theme/, (route) => route.abort());
	context.setDefaultTimeout(TIMEOUT);
	const page = await context.newPage();
	page.lqErrors = [];
	page.on("pageerror", (err) => page.lqErrors.push(`[${label}] page error: ${err.message}`));
	page.on("response", (r) => {
		// socket.io is not served by the test server; everything else should answer.
		if (r.status() >= 500 && !/socket\.io/.test(r.url())) page.lqErrors.push(`[${label}] HTTP ${r.status()} ${r.url()}`);
	});
	return page;
}

export async function login(page, { user, password }) {
	await page.goto(`${BASE_URL}/login`, { waitUntil: "networkidle" });
	await page.fill("#login_email", user);
	await page.fill("#login_password", password);
	await Promise.all([page.waitForURL(/\/app(\/|$)/, { timeout: 60000 }), page.click(".form-login .btn-login")]);
	await page.waitForFunction(() => window.frappe && frappe.session && frappe.session.user && frappe.csrf_token);
	const who = await page.evaluate(() => frappe.session.user);
	if (who !== user) throw new JourneyError(`logged in as ${who}, expected ${user}`);
}

/** POST a whitelisted method from inside the logged-in page (same cookies, CSRF token).
 * A deadlock or lock wait timeout (the site may be busy with other work) is retried: the
 * server rolled the request back. */
export async function api(page, method, args = {}, attempts = 4) {
	for (let attempt = 1; ; attempt++) {
		try {
			return await apiOnce(page, method, args);
		} catch (e) {
			if (attempt >= attempts || !/Deadlock|Lock wait timeout|QueryTimeoutError/i.test(e.message)) throw e;
			log(`${method}: ${e.message.slice(0, 120)}... retrying (${attempt}/${attempts - 1})`);
			await page.waitForTimeout(1000 * attempt);
		}
	}
}

export async function apiOnce(page, method, args) {
	const res = await page.evaluate(
		async ({ method, args }) => {
			const r = await fetch(`/api/method/${method}`, {
				method: "POST",
				headers: {
					Accept: "application/json",
					"Content-Type": "application/json",
					"X-Frappe-CSRF-Token": frappe.csrf_token,
				},
				body: JSON.stringify(args),
			});
			const text = await r.text();
			let json = null;
			try {
				json = JSON.parse(text);
			} catch (e) {
				/* not JSON */
			}
			return { status: r.status, json, text: text.slice(0, 1500) };
		},
		{ method, args }
	);
	if (res.status !== 200) {
		let detail = res.text;
		try {
			detail = JSON.parse(res.json._server_messages)
				.map((m) => JSON.parse(m).message)
				.join(" | ");
		} catch (e) {
			if (res.json && res.json.exception) detail = res.json.exception;
		}
		throw new JourneyError(`${method} failed (HTTP ${res.status}): ${String(detail).replace(/<[^>]+>/g, "")}`);
	}
	return res.json && res.json.message;
}

/** Open a form route and wait until the document is loaded, clean, and the app's
 * refresh (intro line) has run when `intro` is true. */
export async function openForm(page, route, { doctype, name } = {}) {
	await page.goto(`${BASE_URL}${route}`, { waitUntil: "networkidle" });
	await waitForForm(page, { doctype, name });
}

export async function waitForForm(page, { doctype, name, saved = true } = {}) {
	await page.waitForFunction(
		({ doctype, name, saved }) =>
			window.cur_frm &&
			cur_frm.doc &&
			(!doctype || cur_frm.doctype === doctype) &&
			(!name || cur_frm.doc.name === name) &&
			(!saved || (!cur_frm.is_new() && !cur_frm.is_dirty())) &&
			cur_frm.layout &&
			$(cur_frm.wrapper).is(":visible"),
		{ doctype, name, saved },
		{ timeout: 60000 }
	);
	await page.waitForLoadState("networkidle");
}

/** Text of the form's (first) intro line (frm.set_intro), "" if none. */
export function introText(page) {
	return page.evaluate(() => ($(cur_frm.wrapper).find(".form-message:visible").get(0)?.innerText || "").trim());
}

/** How many intro blocks of the app (those starting "BANT n/4") the form shows. */
export function introCount(page) {
	return page.evaluate(
		() => $(cur_frm.wrapper).find(".form-message:visible").filter((_, e) => /BANT \d\/\d/.test(e.innerText)).length
	);
}

/** Wait until the app's intro line on the current form matches `re`; return its text. */
export async function waitForIntro(page, re, timeout = TIMEOUT) {
	await page
		.waitForFunction(
			(src) => new RegExp(src).test($(cur_frm.wrapper).find(".form-message:visible").text()),
			re.source,
			{ timeout }
		)
		.catch(() => {});
	return introText(page);
}

/** Items of a custom button group ("Create", "Qualification") of the current form. */
export function groupItems(page, group) {
	return page.evaluate(
		(group) =>
			$(cur_frm.page.wrapper)
				.find(`.inner-group-button[data-label="${encodeURIComponent(group)}"] .dropdown-item`)
				.map((_, e) => ({ label: e.innerText.trim(), data: e.getAttribute("data-label") }))
				.get(),
		group
	);
}

/** Open a custom button group and click one item, as a user does. */
export async function clickGroupItem(page, group, item) {
	const groupSel = `.page-actions .inner-group-button[data-label="${encodeURIComponent(group)}"]:visible`;
	await page.locator(`${groupSel} > button`).click();
	const link = page.locator(`${groupSel} .dropdown-menu a.dropdown-item[data-label="${encodeURIComponent(item)}"]`);
	await link.waitFor({ state: "visible" });
	return link;
}

/** Fill a form field through its visible input, as a user types. */
export async function fillField(page, fieldname, value) {
	const control = page.locator(`.frappe-control[data-fieldname="${fieldname}"]:visible`).first();
	const input = control.locator("input, textarea, select").first();
	await input.scrollIntoViewIfNeeded();
	const tag = await input.evaluate((e) => e.tagName);
	if (tag === "SELECT") await input.selectOption(value);
	else {
		await input.click();
		await input.fill(value);
		await input.press("Tab");
	}
}

export async function waitForDocValue(page, fieldname, value) {
	await page.waitForFunction(({ f, v }) => cur_frm.doc[f] === v, { f: fieldname, v: value }, { timeout: 10000 });
}

/** Scroll so that the form section `fieldname` sits just under the sticky header. */
export async function scrollToSection(page, fieldname) {
	await page.evaluate((fieldname) => {
		const section = $(cur_frm.wrapper).find(`.form-section[data-fieldname="${fieldname}"]`).get(0);
		const sticky = Math.max(
			0,
			...[...document.querySelectorAll(".navbar, .page-head, .form-tabs-list")]
				.filter((e) => e.offsetParent && getComputedStyle(e).position === "sticky")
				.map((e) => e.getBoundingClientRect().bottom)
		);
		window.scrollTo(0, window.scrollY + section.getBoundingClientRect().top - sticky - 12);
	}, fieldname);
	await page.waitForTimeout(300);
}

export async function expandSection(page, fieldname) {
	const head = page.locator(`.form-section[data-fieldname="${fieldname}"]:visible .section-head`).first();
	if (await head.evaluate((e) => e.classList.contains("collapsed"))) {
		await head.click();
		await page.waitForTimeout(300);
	}
}

export async function screenshot(page, file, options = {}) {
	await page.mouse.move(0, 0);
	// "Saved" and similar toasts would hide part of the page.
	await page.evaluate(() => document.querySelectorAll("#alert-container .desk-alert").forEach((e) => e.remove()));
	const target = path.join(SHOTS, file);
	await page.screenshot({ path: target, ...options });
	log(`screenshot: ${path.relative(process.cwd(), target)}`);
}

export function controlValue(page, fieldname) {
	return page.evaluate(
		(f) => $(cur_frm.wrapper).find(`.frappe-control[data-fieldname="${f}"]:visible .control-value`).first().text().trim(),
		fieldname
	);
}

// ---------------------------------------------------------------------------------------
// Test data (as Administrator, through the REST API of the running site)

/** Create or reuse a test user with exactly `spec.roles` (and `spec.language`, e.g. "fr",
 * when given); the password is reset to PASSWORD each run. */
export async function ensureUser(page, spec) {
	const existing = await api(page, "frappe.client.get_list", {
		doctype: "User",
		filters: { name: spec.user },
		fields: ["name"],
	});
	if (!existing.length) {
		await api(page, "frappe.client.insert", {
			doc: {
				doctype: "User",
				email: spec.user,
				first_name: spec.first_name,
				last_name: spec.last_name,
				user_type: "System User",
				send_welcome_email: 0,
				new_password: PASSWORD,
				roles: spec.roles.map((role) => ({ role })),
				...(spec.language ? { language: spec.language } : {}),
			},
		});
		log(`created user ${spec.user} (${spec.roles.join(", ")}${spec.language ? `, language ${spec.language}` : ""})`);
		return;
	}
	const doc = await api(page, "frappe.client.get", { doctype: "User", name: spec.user });
	const have = new Set((doc.roles || []).map((r) => r.role));
	// Exactly the journey's roles, so that the journey sees what such a user sees.
	doc.roles = spec.roles.map((role) => ({ role }));
	doc.enabled = 1;
	doc.user_type = "System User";
	doc.new_password = PASSWORD;
	if (spec.language) doc.language = spec.language;
	await api(page, "frappe.client.save", { doc });
	log(`reused user ${spec.user} (roles were: ${[...have].join(", ") || "none"}; now ${spec.roles.join(", ")})`);
}

export async function insertLead(page, fields) {
	const doc = await api(page, "frappe.client.insert", { doc: { doctype: "Lead", ...fields } });
	log(
		`lead ${doc.name} "${doc.lead_name}" (${doc.company_name || "-"}): score ${doc.lq_score} ${doc.lq_score_band}, ` +
			`BANT ${doc.bant_completeness}/4, ${doc.qualification_status}`
	);
	return doc;
}

// ---------------------------------------------------------------------------------------
// The Lead list

/** Rows of the visible list: name, and the text/pill of the Band, Score, BANT columns. */
export function listRows(page) {
	return page.evaluate(() => {
		const list = $(".frappe-list:visible").get(0);
		const headCols = [...list.querySelectorAll(".list-row-head .list-header-subject > .list-row-col")];
		const col = (sortBy) => headCols.findIndex((e) => e.querySelector(`[data-sort-by="${sortBy}"]`));
		const idx = { band: col("lq_score_band"), score: col("lq_score"), bant: col("bant_completeness") };
		return {
			headers: headCols.map((e) => e.innerText.trim()).filter(Boolean),
			idx,
			count: list.querySelector(".list-count")?.innerText.trim(),
			rows: [...list.querySelectorAll(".result .list-row-container")].map((row) => {
				const cols = [...row.querySelectorAll(".list-row > .level-left > .list-row-col")];
				const pill = idx.band >= 0 ? cols[idx.band]?.querySelector(".indicator-pill") : null;
				return {
					name: row.querySelector(".list-row-checkbox")?.dataset.name,
					title: row.querySelector(".list-subject a")?.innerText.trim(),
					band: pill ? pill.innerText.trim() : "",
					// The stored band (Hot, Warm, Cold) whatever the language the pill is shown in.
					bandValue: pill ? (pill.getAttribute("data-filter") || "").split(",=,")[1] || "" : "",
					pillClass: pill ? pill.className : "",
					pillBg: pill ? getComputedStyle(pill).backgroundColor : "",
					pillFg: pill ? getComputedStyle(pill).color : "",
					score: idx.score >= 0 ? cols[idx.score]?.innerText.trim() : null,
					bant: idx.bant >= 0 ? cols[idx.bant]?.innerText.trim() : null,
				};
			}),
		};
	});
}

export const toNumber = (s) => Number(String(s).replace(/[^\d.-]/g, ""));
export const rgb = (s) => (String(s).match(/\d+(\.\d+)?/g) || []).slice(0, 3).map(Number);

export async function waitForList(page) {
	await page.waitForFunction(
		() =>
			window.cur_list &&
			cur_list.doctype === "Lead" &&
			($(".frappe-list:visible .result .list-row-container").length || $(".frappe-list:visible .no-result:visible").length),
		null,
		{ timeout: 60000 }
	);
	await page.waitForLoadState("networkidle");
	await page.waitForTimeout(500);
}

/** Clear the list's filters with its "Clear all filters" (x) button, as a user does; the
 * list remembers filters per user, and earlier runs leave one. */
export async function clearListFilters(page) {
	if (!(await page.evaluate(() => cur_list.filter_area.get().length))) return;
	const reloaded = page.waitForResponse((r) => /frappe\.desk\.reportview\.get\b/.test(r.url()), { timeout: 15000 });
	await page.locator(".filter-x-button:visible").first().click();
	await reloaded;
	await page.waitForFunction(() => cur_list.filter_area.get().length === 0, null, { timeout: 10000 });
	await page.waitForLoadState("networkidle");
	await waitForList(page);
}

export async function failureShot(page, c, id) {
	if (!c.failures.length && !c.crashed) return;
	try {
		const file = path.join(ARTIFACTS, `${id}-failure.png`);
		await page.screenshot({ path: file, fullPage: true });
		console.log(`    failure screenshot: ${file} (at ${page.url()})`);
	} catch (e) {
		/* page already gone */
	}
}

/** Which of `words` stand in `text` as whole words (not inside a longer word: "Hot" is not
 * found in "Hotel"), for the checks that no English word of the app shows to a French user. */
export function wordsIn(text, words) {
	const escape = (w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
	return words.filter((w) => new RegExp(`(^|[^\\p{L}])${escape(w)}([^\\p{L}]|$)`, "u").test(text));
}
