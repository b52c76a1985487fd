// Counters and a per-day chart from PermitBoard (contract/dashboard/PermitBoard.graphql),
// drawn as plain SVG: no chart library to fetch or trust.

const SVG = "http://www.w3.org/2000/svg";
const SERIES = ["requested", "approved", "rejected", "cancelled"];
const DAYS = 14;

// A calendar date in Riyadh, as the registry counts days.
function riyadhDate(instant) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Riyadh" }).format(instant);
}

export function boardRange(now = new Date()) {
  const from = new Date(now.getTime() - (DAYS - 1) * 24 * 3600 * 1000);
  return { from: riyadhDate(from), to: riyadhDate(now) };
}

function svg(name, attributes, parent) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (parent) parent.appendChild(element);
  return element;
}

export function renderCounters(container, statistics, words) {
  container.replaceChildren();
  const rows = [["total", words.total, statistics.total]].concat(
    statistics.byStatus.map((entry) => [entry.status, words.status[entry.status] || entry.status, entry.count]),
  );
  for (const [key, label, count] of rows) {
    const term = document.createElement("dt");
    term.textContent = label;
    const value = document.createElement("dd");
    value.textContent = new Intl.NumberFormat(document.documentElement.lang).format(count);
    value.dataset.counter = key;
    container.append(term, value);
  }
}

export function renderChart(container, statistics, words, { rightToLeft }) {
  const days = statistics.byDay;
  const width = 720;
  const height = 200;
  const top = 10;
  const bottom = 24;
  const slot = width / Math.max(days.length, 1);
  const bar = (slot - 6) / SERIES.length;
  const peak = Math.max(1, ...days.flatMap((day) => SERIES.map((series) => day[series])));
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height + 30}`,
    role: "img",
    "aria-label": words.counters,
  });
  days.forEach((day, index) => {
    const position = rightToLeft ? days.length - 1 - index : index;
    const x = position * slot + 3;
    SERIES.forEach((series, s) => {
      const size = ((height - top - bottom) * day[series]) / peak;
      const rect = svg(
        "rect",
        { x: x + s * bar, y: height - bottom - size, width: bar - 1, height: size, class: series },
        chart,
      );
      svg("title", {}, rect).textContent = `${day.date} ${words[series]}: ${day[series]}`;
    });
    const label = svg("text", { x: x + slot / 2 - 3, y: height - 6, "text-anchor": "middle" }, chart);
    label.textContent = day.date.slice(8);
  });
  SERIES.forEach((series, s) => {
    // Right to left, a label's start is its right edge: put it left of its swatch.
    const x = rightToLeft ? width - 12 - s * 150 : s * 150;
    svg("rect", { x, y: height + 12, width: 12, height: 12, class: series }, chart);
    const name = svg("text", { x: rightToLeft ? x - 6 : x + 18, y: height + 22 }, chart);
    name.textContent = words[series];
  });
  container.replaceChildren(chart);
}
