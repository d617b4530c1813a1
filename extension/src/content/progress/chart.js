// A goal's progress over time as an inline SVG, built with DOM APIs: the cumulative
// count per day, the target as a dashed line, and the steady pace that would reach it
// by the deadline as a dotted line.

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 280;
const HEIGHT = 120;
const PAD = { left: 26, right: 8, top: 8, bottom: 18 };
const DAY_MS = 24 * 3600 * 1000;

function node(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

const dayOf = (iso) => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10));

/**
 * Points for the chart, in SVG coordinates.
 * @param {{day: string, value: number}[]} series cumulative, one point per day (or sampled)
 * @param {number} target
 * @param {string} lastDay the deadline's day (YYYY-MM-DD)
 */
export function chartGeometry(series, target, lastDay) {
  const first = series.length ? dayOf(series[0].day) : dayOf(lastDay);
  const spanDays = Math.max(1, (dayOf(lastDay) - first) / DAY_MS);
  const top = Math.max(target, ...series.map((p) => p.value), 1);
  const x = (day) => PAD.left + ((dayOf(day) - first) / DAY_MS / spanDays) * (WIDTH - PAD.left - PAD.right);
  const y = (value) => PAD.top + (1 - value / top) * (HEIGHT - PAD.top - PAD.bottom);
  return {
    line: series.map((p) => [Math.round(x(p.day) * 10) / 10, Math.round(y(p.value) * 10) / 10]),
    targetY: y(target),
    pace: [
      [x(series[0]?.day ?? lastDay), y(0)],
      [x(lastDay), y(target)],
    ],
    top,
  };
}

/**
 * @param {{id: number, title: string, target: number, value: number, deadline: string, series: {day: string, value: number}[]}} goal
 * @param {string} idPrefix unique within the shadow root
 */
export function goalChart(goal, idPrefix) {
  const lastDay = goal.deadline.slice(0, 10);
  const geo = chartGeometry(goal.series, goal.target, lastDay);
  const svg = node("svg", {
    class: "nl-chart",
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: "img",
    "aria-labelledby": `${idPrefix}-t ${idPrefix}-d`,
    "data-nudgelayer-part": "goal-chart",
  });
  const days = goal.series.length;
  svg.append(
    node("title", { id: `${idPrefix}-t` }, `Progress towards ${goal.title}`),
    node(
      "desc",
      { id: `${idPrefix}-d` },
      `${goal.value} of ${goal.target} after ${days} day${days === 1 ? "" : "s"}; the deadline is ${lastDay}.`,
    ),
  );
  const bottom = HEIGHT - PAD.bottom;
  svg.append(
    node("line", { class: "nl-axis", x1: PAD.left, y1: bottom, x2: WIDTH - PAD.right, y2: bottom }),
    node("line", { class: "nl-target", x1: PAD.left, y1: geo.targetY, x2: WIDTH - PAD.right, y2: geo.targetY }),
    node("line", { class: "nl-pace", x1: geo.pace[0][0], y1: geo.pace[0][1], x2: geo.pace[1][0], y2: geo.pace[1][1] }),
    node("text", { x: 2, y: geo.targetY + 3 }, String(goal.target)),
    node("text", { x: 2, y: bottom + 3 }, "0"),
    node("text", { x: PAD.left, y: HEIGHT - 4 }, goal.series[0]?.day.slice(5) ?? ""),
    node("text", { x: WIDTH - PAD.right, y: HEIGHT - 4, "text-anchor": "end" }, lastDay.slice(5)),
  );
  if (geo.line.length) {
    const points = geo.line.length === 1 ? [geo.line[0], [geo.line[0][0] + 2, geo.line[0][1]]] : geo.line;
    svg.append(node("polyline", { class: "nl-line", points: points.map((p) => p.join(",")).join(" ") }));
  }
  return svg;
}
