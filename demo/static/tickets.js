// The ticket queue and the ticket detail routes.
import { h, hashed, icon, shortDate, toast } from "./dom.js";

const STATUS_CLASS = { open: "css-st0pen", pending: "css-stpend", solved: "css-st50lv" };
const PRIORITY_CLASS = { urgent: "css-prurg1", high: "css-prhi9h", normal: "css-prn0rm", low: "css-prl0w1" };
const FILTERS = ["all", "open", "pending", "solved"];
const ASSIGN_TO = "Priya N.";

export async function fetchTickets(signal) {
  const res = await fetch("/api/tickets", { signal, headers: { Accept: "application/json" } });
  if (!res.ok) throw new Error(`tickets: HTTP ${res.status}`);
  return (await res.json()).tickets;
}

function matches(t, query) {
  if (!query) return true;
  const q = query.toLowerCase();
  return [t.id, t.subject, t.customer, t.company].some((v) => v.toLowerCase().includes(q));
}

function skeleton() {
  return Array.from({ length: 6 }, () =>
    h("tr", { class: "css-sk3l0n", "aria-hidden": "true" },
      Array.from({ length: 8 }, () => h("td", null, h("span")))));
}

export function queueView({ app, navigate }) {
  const ctrl = new AbortController();
  const selected = new Set();
  let tickets = null;
  let status = "all";

  const count = h("p", { class: "css-sb7t1l" }, "Loading the queue…");
  const tbody = h("tbody", null, skeleton());
  const table = h("table", { class: "css-t4bl3q", "aria-busy": "true", "aria-label": "Ticket queue" },
    h("thead", null, h("tr", null, ["", "Ticket", "Subject", "Requester", "Priority", "Status", "Assignee", "Updated"]
      .map((t) => h("th", { scope: "col" }, t)))),
    tbody);
  // The wrapper's class changes on every render, like a styled component with props.
  const wrap = h("div", { class: `css-t4bw5p ${hashed()}` }, table);

  const chips = h("div", { class: "css-ch1pgp", role: "group", "aria-label": "Status" });
  function renderChips() {
    chips.replaceChildren(...FILTERS.map((f) => h("button", {
      class: f === status ? "css-ch1pac" : "css-ch1p7z", type: "button", "aria-pressed": String(f === status),
      onClick: () => { status = f; renderChips(); renderRows(); },
    }, f[0].toUpperCase() + f.slice(1))));
  }

  function row(t) {
    const box = h("input", { type: "checkbox", "aria-label": `Select ${t.id}` });
    box.checked = selected.has(t.id);
    box.addEventListener("click", (e) => e.stopPropagation());
    box.addEventListener("change", () => (box.checked ? selected.add(t.id) : selected.delete(t.id)));
    return h("tr", {
      class: hashed("sc-"), "data-testid": "ticket-row", "data-ticket-id": t.id, tabindex: "0",
      onClick: () => navigate(`/tickets/${t.id}`),
      onKeydown: (e) => { if (e.key === "Enter") navigate(`/tickets/${t.id}`); },
    },
      h("td", null, box),
      h("td", null, h("b", null, t.id)),
      h("td", null, t.subject, h("small", null, t.company)),
      h("td", null, t.customer),
      h("td", null, h("span", { class: PRIORITY_CLASS[t.priority] }, t.priority)),
      h("td", null, h("span", { class: STATUS_CLASS[t.status] }, t.status)),
      h("td", null, t.assignee || "Unassigned"),
      h("td", null, shortDate(t.updated_at)));
  }

  function renderRows() {
    if (!tickets) return;
    const shown = tickets.filter((t) => (status === "all" || t.status === status) && matches(t, app.query));
    wrap.className = `css-t4bw5p ${hashed()}`;
    tbody.replaceChildren(...(shown.length ? shown.map(row)
      : [h("tr", null, h("td", { colspan: "8", class: "css-3mpty0" }, "No tickets match this filter."))]));
    count.textContent = `${shown.length} of ${tickets.length} tickets`;
  }

  function bulkAssign() {
    if (!tickets || selected.size === 0) {
      toast("Select at least one ticket first.");
      return;
    }
    for (const t of tickets) if (selected.has(t.id)) t.assignee = ASSIGN_TO;
    toast(`Assigned ${selected.size} ticket${selected.size === 1 ? "" : "s"} to ${ASSIGN_TO}.`);
    selected.clear();
    renderRows();
  }

  renderChips();
  const el = h("section", { class: hashed(), "aria-labelledby": "page-title" },
    h("div", { class: "css-tb4r00" },
      h("div", null, h("h1", { class: "css-h1t1e9", id: "page-title" }, "Ticket queue"), count),
      chips,
      h("button", { class: "css-btn9pr", type: "button", "data-testid": "bulk-assign", onClick: bulkAssign },
        icon("users"), "Assign selected")),
    wrap);

  fetchTickets(ctrl.signal).then((list) => {
    tickets = list;
    table.setAttribute("aria-busy", "false");
    renderRows();
  }).catch((err) => {
    if (err.name === "AbortError") return;
    table.setAttribute("aria-busy", "false");
    tbody.replaceChildren(h("tr", null, h("td", { colspan: "8", class: "css-3mpty0" }, "Could not load the queue. Retry in a moment.")));
  });

  return { el, title: "Tickets", onQuery: renderRows, dispose: () => ctrl.abort() };
}

export function ticketView({ id }) {
  const ctrl = new AbortController();
  const body = h("div", { class: "css-p4n3l0", "aria-busy": "true" }, "Loading ticket…");
  const el = h("section", { class: hashed(), "aria-labelledby": "page-title" },
    h("nav", { class: "css-crumb1", "aria-label": "Breadcrumb" },
      h("a", { href: "/tickets", "data-link": "" }, "Tickets"), " / ", id),
    body);

  fetch(`/api/tickets/${encodeURIComponent(id)}`, { signal: ctrl.signal }).then(async (res) => {
    if (res.status === 404) {
      body.replaceChildren(h("h1", { class: "css-h1t1e9", id: "page-title" }, "Ticket not found"),
        h("p", null, `There is no ticket ${id}.`));
      return;
    }
    const t = await res.json();
    const thread = h("div", null, t.messages.map((m) => h("article", { class: "css-msg0a1" },
      h("strong", null, m.from), h("time", null, shortDate(m.at)), h("p", null, m.text))));
    const reply = h("textarea", { class: "css-r3ply0", "aria-label": "Reply", placeholder: "Write a reply…" });
    const send = h("button", { class: "css-btn9pr", type: "button", "data-testid": "send-reply", onClick: () => {
      const text = reply.value.trim();
      if (!text) return toast("Write a reply first.");
      thread.append(h("article", { class: "css-msg0a1" }, h("strong", null, "You"), h("time", null, "just now"), h("p", null, text)));
      reply.value = "";
      toast("Reply sent.");
    } }, "Send reply");
    body.removeAttribute("aria-busy");
    body.replaceChildren(h("div", { class: "css-d3t41l" },
      h("div", null,
        h("h1", { class: "css-h1t1e9", id: "page-title" }, t.subject),
        h("p", { class: "css-sb7t1l" }, `${t.id} · via ${t.channel}`),
        thread, reply, send),
      h("dl", { class: "css-pr0p5s css-p4n3l0" },
        h("dt", null, "Status"), h("dd", null, h("span", { class: STATUS_CLASS[t.status] }, t.status)),
        h("dt", null, "Priority"), h("dd", null, h("span", { class: PRIORITY_CLASS[t.priority] }, t.priority)),
        h("dt", null, "Requester"), h("dd", null, `${t.customer} (${t.email})`),
        h("dt", null, "Company"), h("dd", null, t.company),
        h("dt", null, "Assignee"), h("dd", null, t.assignee || "Unassigned"),
        h("dt", null, "Created"), h("dd", null, shortDate(t.created_at)))));
  }).catch((err) => {
    if (err.name !== "AbortError") body.replaceChildren("Could not load the ticket.");
  });

  return { el, title: id, dispose: () => ctrl.abort() };
}
