// J4: a French-speaking Sales Manager opens the Lead Qualification workspace: every number
// card (the lead → prospect rate included), both charts with French labels and the bands in
// red / orange / blue, shortcut badges in French, no English word of the app. A French Sales
// User sees the same cards and charts.

import { BASE_URL, FR_MANAGER, FR_SALES, PASSWORD, failureShot, log, login, newPage, screenshot, wordsIn } from "./helpers.mjs";

// What the app shows in English when a translation is missing (whole words).
export const ENGLISH = [
	"Hot",
	"Warm",
	"Cold",
	"Unqualified",
	"In Process",
	"Qualified",
	"Band",
	"to qualify",
	"hot",
	"Leads to Qualify",
	"Hot Leads",
	"Prospects This Month",
	"Lead to Prospect Rate",
	"Lead Score Distribution",
	"Qualification Funnel",
	"Scoring Rules",
	"Nurture Sequences",
	"Settings",
	"Your Shortcuts",
	"Reports",
	"Scoring",
	"Nurture",
];

export function englishIn(text) {
	return wordsIn(text, ENGLISH);
}

const BAND_COLOURS = { Chaud: "#e03636", Tiède: "#e86c13", Froid: "#0289f7" };

/** Open the workspace and wait until its cards, charts and shortcut counts are drawn. */
async function openWorkspace(page) {
	await page.goto(`${BASE_URL}/app/lead-qualification`, { waitUntil: "networkidle" });
	await page.waitForFunction(
		() => {
			const cards = $(".number-widget-box:visible");
			const charts = $(".dashboard-widget-box:visible");
			return (
				cards.length >= 4 &&
				!cards.find(".number-card-loading").length &&
				charts.length >= 2 &&
				charts.toArray().every((e) => e.querySelectorAll("svg text").length > 0) &&
				$(".shortcut-widget-box:visible .indicator-pill").length >= 3
			);
		},
		null,
		{ timeout: 60000 }
	);
	await page.waitForLoadState("networkidle");
	await page.waitForTimeout(800); // chart animations
}

/** What the workspace shows: cards, charts (title, SVG texts, colours), shortcuts, headers. */
function readWorkspace(page) {
	return page.evaluate(() => {
		const main = $(".layout-main-section:visible").get(0);
		// textContent: the titles are upper-cased by CSS only.
		const text = (e) => (e?.textContent || "").replace(/\s+/g, " ").trim();
		return {
			lang: frappe.boot.lang,
			cards: $(".number-widget-box:visible")
				.map((_, e) => ({ title: text(e.querySelector(".widget-title")), number: text(e.querySelector(".number")) }))
				.get(),
			charts: $(".dashboard-widget-box:visible")
				.map((_, e) => ({
					title: text(e.querySelector(".widget-title")),
					labels: [...e.querySelectorAll("svg text")].map((t) => t.textContent.trim()).filter(Boolean),
					legend: text(e.querySelector(".chart-legend, .legend")) || "",
					colours: [
						...new Set(
							[...e.querySelectorAll("svg path, svg rect")]
								.flatMap((p) => [p.getAttribute("fill"), p.getAttribute("stroke")])
								.filter((c) => c && c.startsWith("#"))
								.map((c) => c.toLowerCase())
						),
					],
				}))
				.get(),
			shortcuts: $(".shortcut-widget-box:visible")
				.map((_, e) => ({ title: text(e.querySelector(".widget-title")), badge: text(e.querySelector(".indicator-pill")) }))
				.get(),
			headers: $(main).find(".ce-header:visible, .header-block:visible, .widget.spacer, h4:visible").map((_, e) => text(e)).get(),
			links: $(main).find(".links-widget-box .widget-title, .links-widget-box .link-text").map((_, e) => text(e)).get(),
			all: main.innerText,
		};
	});
}

function checkWorkspace(c, ws, who) {
	c.ok(ws.lang === "fr", `${who}: the desk is in French (boot lang ${ws.lang})`);
	log(`cards: ${ws.cards.map((x) => `${x.title} = ${x.number}`).join(" | ")}`);
	// the four of qualification, the clock's hot leads waiting, the overdue follow-ups
	c.ok(ws.cards.length === 6, `${who}: six number cards (${ws.cards.length})`);
	const rate = ws.cards.find((x) => /Taux piste → prospect/.test(x.title));
	c.ok(rate && /%/.test(rate.number), `${who}: the lead → prospect rate card shows a percentage (${rate?.number})`);
	c.ok(
		ws.cards.every((x) => x.number && !/Loading|Chargement/.test(x.number)),
		`${who}: every card shows its number`
	);
	for (const chart of ws.charts) log(`chart "${chart.title}": ${chart.labels.join(", ")} | colours ${chart.colours.join(" ")}`);
	c.ok(ws.charts.length === 2, `${who}: two charts (${ws.charts.length})`);
	const temperature = ws.charts.find((x) => /température/i.test(x.title));
	const funnel = ws.charts.find((x) => /Entonnoir/.test(x.title));
	c.ok(!!temperature, `${who}: the band chart is titled in French (${ws.charts.map((x) => x.title).join(", ")})`);
	c.ok(!!funnel, `${who}: the funnel chart is titled in French`);
	if (temperature) {
		const labels = temperature.labels.join(" ") + " " + temperature.legend;
		c.ok(["Chaud", "Tiède", "Froid"].every((w) => labels.includes(w)), `${who}: band chart reads Chaud, Tiède, Froid (${labels})`);
		for (const [band, colour] of Object.entries(BAND_COLOURS)) {
			c.ok(temperature.colours.includes(colour), `${who}: ${band} is drawn in ${colour}`);
		}
		c.ok(!temperature.colours.some((x) => ["#ff5858", "#f683ae", "#7cd6fd"].includes(x)), `${who}: no default pink / light blue`);
	}
	if (funnel) {
		const labels = funnel.labels.join(" ");
		c.ok(
			["Non qualifiée", "En cours", "Qualifiée"].every((w) => labels.includes(w)),
			`${who}: funnel chart reads Non qualifiée, En cours, Qualifiée (${labels})`
		);
	}
	log(`shortcuts: ${ws.shortcuts.map((x) => `${x.title} [${x.badge}]`).join(" | ")}`);
	const badges = ws.shortcuts.map((x) => x.badge).filter(Boolean);
	c.ok(badges.some((b) => /^\d+ à qualifier$/.test(b)), `${who}: "… à qualifier" badge (${badges.join(", ")})`);
	c.ok(badges.some((b) => /^\d+ chaudes$/.test(b)), `${who}: "… chaudes" badge`);
	const english = englishIn(ws.all);
	c.ok(!english.length, `${who}: no English word of the app on the workspace (${english.join(", ") || "none"})`);
}

export async function j4(browser, data, c) {
	const page = await newPage(browser, "J4");
	try {
		await login(page, { user: FR_MANAGER.user, password: PASSWORD });
		log(`logged in as ${FR_MANAGER.user} (${FR_MANAGER.roles.join(", ")}, language ${FR_MANAGER.language})`);
		await openWorkspace(page);
		checkWorkspace(c, await readWorkspace(page), "Sales Manager");
		await page.evaluate(() => window.scrollTo(0, 0));
		// frappe-charts grows the bars from nothing: wait until every bar of the funnel has its height
		await page
			.waitForFunction(
				() => {
					const bars = [...document.querySelectorAll(".widget.dashboard-widget-box svg .bar, .chart-container svg rect.bar")];
					return bars.length > 0 && bars.every((b) => Number(b.getAttribute("height")) > 0);
				},
				null,
				{ timeout: 10000 }
			)
			.catch(() => {});
		await page.waitForTimeout(1000);
		await screenshot(page, "j4-workspace-fr-manager.png", { fullPage: true });
	} finally {
		await failureShot(page, c, "j4");
		await page.context().close();
	}
	const sales = await newPage(browser, "J4-sales");
	try {
		await login(sales, { user: FR_SALES.user, password: PASSWORD });
		log(`logged in as ${FR_SALES.user} (${FR_SALES.roles.join(", ")}, language ${FR_SALES.language})`);
		await openWorkspace(sales);
		checkWorkspace(c, await readWorkspace(sales), "Sales User");
	} finally {
		await failureShot(sales, c, "j4-sales");
		await sales.context().close();
	}
}

export default {
	id: "j4",
	title: "French Sales Manager (and Sales User) see the workspace in French: cards, charts, badges",
	run: j4,
};
