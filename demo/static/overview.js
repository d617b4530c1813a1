// The overview route: KPI cards, a volume chart and recent activity (static demo figures).
import { h, s, hashed } from "./dom.js";

const KPIS = [
  { label: "Open tickets", value: "37", delta: "+4 since Monday", up: false },
  { label: "First response", value: "1h 12m", delta: "8% faster", up: true },
  { label: "CSAT", value: "92%", delta: "+1.4 pts", up: true },
  { label: "SLA breaches", value: "3", delta: "+2 this week", up: false },
];
const VOLUME = [42, 38, 51, 47, 33, 18, 21, 45, 49, 56, 44, 40, 22, 19];
const ACTIVITY = [
  ["Priya N.", "solved HD-4107 — Refund not reflected on the statement", "2 min ago"],
  ["Marco B.", "escalated HD-4131 to Tier 2", "9 min ago"],
  ["Automation", "closed 6 pending tickets after 7 days", "22 min ago"],
  ["Hana K.", "merged HD-4112 into HD-4109", "41 min ago"],
  ["Jonas W.", "replied to HD-4140 — SSO login loops", "1 h ago"],
];

function chart() {
  const w = 560, hgt = 170, gap = 8, bw = (w - gap * (VOLUME.length - 1)) / VOLUME.length;
  const max = Math.max(...VOLUME);
  const bars = VOLUME.map((v, i) => {
    const bh = Math.round((v / max) * (hgt - 24));
    return [
      s("rect", { x: i * (bw + gap), y: hgt - 16 - bh, width: bw, height: bh, rx: 3 },
        s("title", null, `${v} tickets`)),
      s("text", { x: i * (bw + gap) + bw / 2, y: hgt - 2, "text-anchor": "middle" }, `${i + 1}`),
    ];
  });
  return s("svg", { class: "css-ch4rt0", viewBox: `0 0 ${w} ${hgt}`, role: "img", "aria-label": "Tickets created per day, last 14 days" }, bars);
}

export function overviewView() {
  const cards = KPIS.map((k) => h("div", { class: "css-c4rd2x", "data-kpi": k.label },
    h("span", { class: "css-kp1l4b" }, k.label),
    h("strong", { class: "css-kp1v4l" }, k.value),
    h("span", { class: k.up ? "css-d3u9p" : "css-d3d0wn" }, k.delta)));
  const el = h("section", { class: hashed(), "aria-labelledby": "page-title" },
    h("h1", { class: "css-h1t1e9", id: "page-title" }, "Overview"),
    h("p", { class: "css-sb7t1l" }, "Tier 1 Support · this week"),
    h("div", { class: "css-gr1d4k" }, cards),
    h("div", { class: "css-tw0c0l" },
      h("div", { class: "css-p4n3l0" }, h("h2", null, "Tickets created, last 14 days"), chart()),
      h("div", { class: "css-p4n3l0" }, h("h2", null, "Recent activity"),
        h("ul", { class: "css-fe3d00" }, ACTIVITY.map(([who, what, when]) =>
          h("li", null, h("span", null, h("b", null, who), " ", what), h("time", null, when)))))));
  return { el, title: "Overview" };
}
