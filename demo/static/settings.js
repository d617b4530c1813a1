// The settings route: general and notification settings, and an "Advanced" section
// (a natural target for progressive disclosure). "Save" posts to the demo server.
import { h, hashed, clock } from "./dom.js";

const TIMEZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "Asia/Tokyo", "UTC"];

function field(label, input, hint) {
  const id = `f-${input.name}`;
  input.id = id;
  return h("div", null, h("label", { for: id }, label), input, hint && h("p", { class: "css-hint0a" }, hint));
}

function check(label, name) {
  const input = h("input", { type: "checkbox", name });
  return { input, el: h("label", { class: "css-ch3ck0" }, input, label) };
}

export function settingsView() {
  const ctrl = new AbortController();
  const team = h("input", { type: "text", name: "team_name", maxlength: "200" });
  const tz = h("select", { name: "timezone" }, TIMEZONES.map((z) => h("option", { value: z }, z)));
  const email = check("Email me when a ticket is assigned to me", "notify_email");
  const digest = check("Send a daily digest of my open tickets", "notify_digest");
  const sla = h("input", { type: "number", name: "sla_first_response_minutes", min: "1", max: "10080", value: "60" });
  const autoClose = h("input", { type: "number", name: "auto_close_days", min: "1", max: "90", value: "7" });
  const webhook = h("input", { type: "url", name: "webhook_url", placeholder: "https://hooks.example.com/…" });
  const status = h("span", { "data-testid": "save-status", role: "status", "aria-live": "polite" });
  const save = h("button", { id: "save", type: "submit", class: "css-btn9pr" }, "Save");

  const form = h("form", { class: "css-f0rm3a", "aria-label": "Settings", novalidate: true },
    h("div", { class: "css-p4n3l0" }, h("h2", null, "General"),
      field("Team name", team), field("Timezone", tz)),
    h("div", { class: "css-p4n3l0" }, h("h2", null, "Notifications"), email.el, digest.el),
    h("details", { class: "css-adv4nc css-p4n3l0", "data-testid": "settings-advanced" },
      h("summary", null, "Advanced"),
      field("First response SLA (minutes)", sla, "Tickets without a reply after this time count as SLA breaches."),
      field("Auto-close pending tickets after (days)", autoClose),
      field("Outgoing webhook URL", webhook, "Receives a JSON POST for every status change. https only.")),
    h("div", { class: "css-ft00r9" }, save, h("button", { type: "reset", class: "css-btn2sc" }, "Discard changes"), status));

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = {
      team_name: team.value, timezone: tz.value,
      notify_email: email.input.checked, notify_digest: digest.input.checked,
      sla_first_response_minutes: Number.parseInt(sla.value, 10),
      auto_close_days: Number.parseInt(autoClose.value, 10),
      webhook_url: webhook.value,
    };
    status.className = "";
    status.textContent = "Saving…";
    save.setAttribute("aria-disabled", "true");
    try {
      const res = await fetch("/api/settings", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), signal: ctrl.signal,
      });
      const data = await res.json();
      if (!res.ok) {
        const fields = Object.entries(data.fields || {}).map(([k, v]) => `${k}: ${v}`).join("; ");
        status.className = "css-3rr0r5";
        status.textContent = `Not saved. ${fields || data.error}`;
        return;
      }
      status.className = "css-ok5t4t";
      status.textContent = `Settings saved at ${clock(new Date(data.saved_at))}`;
      form.dataset.savedCount = String(Number(form.dataset.savedCount || 0) + 1);
    } catch (err) {
      if (err.name === "AbortError") return;
      status.className = "css-3rr0r5";
      status.textContent = "Not saved: the server did not answer.";
    } finally {
      save.removeAttribute("aria-disabled");
    }
  });

  fetch("/api/settings", { signal: ctrl.signal }).then((r) => r.json()).then((cur) => {
    team.value = cur.team_name ?? "";
    tz.value = cur.timezone ?? "UTC";
    email.input.checked = Boolean(cur.notify_email);
    digest.input.checked = Boolean(cur.notify_digest);
    if (cur.sla_first_response_minutes) sla.value = String(cur.sla_first_response_minutes);
    if (cur.auto_close_days) autoClose.value = String(cur.auto_close_days);
    webhook.value = cur.webhook_url ?? "";
  }).catch(() => {});

  const el = h("section", { class: hashed(), "aria-labelledby": "page-title" },
    h("h1", { class: "css-h1t1e9", id: "page-title" }, "Settings"),
    h("p", { class: "css-sb7t1l" }, "Team preferences for Tier 1 Support"),
    form);
  return { el, title: "Settings", dispose: () => ctrl.abort() };
}
