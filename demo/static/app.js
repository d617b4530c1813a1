// Helpdesk Ops shell: top bar, side navigation, client-side router and the timers that
// re-render parts of the page the way a React dashboard does.
import { h, hashed, icon, clock } from "./dom.js";
import { overviewView } from "./overview.js";
import { queueView, ticketView, fetchTickets } from "./tickets.js";
import { settingsView } from "./settings.js";

const app = { query: "", view: null, openCount: null };
const NAV = [
  { path: "/", label: "Overview", icon: "home", match: (p) => p === "/" },
  { path: "/tickets", label: "Tickets", icon: "inbox", match: (p) => p.startsWith("/tickets"), counter: true },
  { path: "/settings", label: "Settings", icon: "cog", match: (p) => p.startsWith("/settings") },
];

function route(path) {
  if (path === "/" || path === "") return () => overviewView();
  if (/^\/tickets\/?$/.test(path)) return (ctx) => queueView(ctx);
  const m = path.match(/^\/tickets\/([A-Za-z0-9-]{1,32})\/?$/);
  if (m) return () => ticketView({ id: m[1] });
  if (/^\/settings\/?$/.test(path)) return () => settingsView();
  return () => ({ el: h("section", null, h("h1", { class: "css-h1t1e9" }, "Page not found")), title: "Not found" });
}

export function navigate(path) {
  if (path === location.pathname + location.search) return;
  history.pushState({}, "", path);
  render();
}

// --- the persistent shell ------------------------------------------------------------
const filter = h("input", {
  class: "css-9f3kd2", type: "search", "data-testid": "queue-filter", "aria-label": "Filter tickets",
  placeholder: "Filter tickets by id, subject or customer…  ( / )", autocomplete: "off",
});
const clockSlot = h("div", { class: "css-hr3t0n" }, h("span", null, ""), h("span", { class: "css-av4t4r", title: "Priya N." }, "PN"));
const navLinks = h("div", { role: "list" });
const main = h("main", { class: "css-m41nq0", id: "main" });

document.getElementById("root").replaceChildren(
  h("header", { class: "css-1x9ab3 sc-hKMtZM" },
    h("a", { class: "css-7kq2lm", href: "/", "data-link": "", "aria-label": "Helpdesk Ops home" },
      h("img", { src: "/static/favicon.svg", alt: "", width: "26", height: "26" }), "Helpdesk Ops"),
    h("div", { class: "css-q8w1zr", role: "search" }, filter),
    clockSlot),
  h("div", { class: "css-5shl1x" },
    h("nav", { class: "css-n4v8pp", "aria-label": "Main" }, navLinks,
      h("div", { class: "css-nf00t3" }, "Helpdesk Ops 4.12.0")),
    main));

function renderNav() {
  navLinks.replaceChildren(...NAV.map((item) => h("a", {
    class: item.match(location.pathname) ? "css-a9ctv3" : "css-l1nk0a", href: item.path, "data-link": "", role: "listitem",
    "aria-current": item.match(location.pathname) ? "page" : null,
  }, icon(item.icon), h("span", null, item.label),
  // A new node with a new hashed class on every tick: the counter "re-renders".
  item.counter && app.openCount != null && h("span", { class: hashed(), "aria-label": `${app.openCount} open` }, String(app.openCount)))));
}

function render() {
  app.view?.dispose?.();
  const view = route(location.pathname)({ app, navigate });
  app.view = view;
  main.replaceChildren(view.el);
  main.scrollTop = 0;
  document.title = `${view.title} · Helpdesk Ops`;
  renderNav();
}

// --- global behaviour ----------------------------------------------------------------
document.addEventListener("click", (e) => {
  const a = e.target instanceof Element && e.target.closest("a[data-link]");
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(a.getAttribute("href"));
});
window.addEventListener("popstate", render);

filter.addEventListener("input", () => {
  app.query = filter.value.trim();
  app.view?.onQuery?.();
});
filter.addEventListener("keydown", (e) => {
  if (e.key === "Escape") {
    filter.value = "";
    app.query = "";
    app.view?.onQuery?.();
  } else if (e.key === "Enter" && !location.pathname.startsWith("/tickets")) {
    navigate("/tickets");
  }
});
document.addEventListener("keydown", (e) => {
  const typing = e.target instanceof HTMLElement && e.target.matches("input, textarea, select, [contenteditable]");
  if (e.key === "/" && !typing) {
    e.preventDefault();
    filter.focus();
  }
});

// The "live" clock is replaced, not updated, every second (new node, new class).
function tick() {
  clockSlot.firstChild.replaceWith(h("span", { class: hashed() }, `Updated ${clock()}`));
}
tick();
setInterval(tick, 1000);
// The open-ticket counter re-renders the whole navigation every few seconds.
setInterval(renderNav, 3000);
fetchTickets().then((list) => {
  app.openCount = list.filter((t) => t.status === "open").length;
  renderNav();
}).catch(() => {});

render();
