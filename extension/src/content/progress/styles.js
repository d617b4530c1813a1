// The progress UI's CSS (badges, the dock with checklists and the launcher, the panel),
// added to the overlay's shadow root next to the shared styles. Static text only.

export const PROGRESS_CSS = `
.nl-p {
  --nl-bg: #ffffff; --nl-fg: #1f2937; --nl-muted: #4b5563; --nl-accent: #4338ca; --nl-accent-fg: #ffffff;
  --nl-border: #d1d5db; --nl-track: #e5e7eb; --nl-ok: #047857; --nl-soft: #eef2ff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: var(--nl-fg); text-align: left; direction: ltr; letter-spacing: normal; pointer-events: auto;
}
.nl-p button { font: inherit; color: inherit; }
.nl-p :focus-visible { outline: 2px solid var(--nl-accent); outline-offset: 2px; }
.nl-sr { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

.nl-badge {
  position: fixed; top: 0; left: 0; z-index: 3; max-width: 220px;
  padding: 2px 8px; border-radius: 999px; background: var(--nl-accent); color: var(--nl-accent-fg);
  font-size: 12px; font-weight: 700; line-height: 18px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  box-shadow: 0 1px 3px rgba(15, 23, 42, 0.3); pointer-events: none;
}

.nl-dock {
  position: fixed; left: 16px; bottom: 16px; z-index: 4; width: min(320px, calc(100vw - 32px));
  display: flex; flex-direction: column; gap: 8px; align-items: flex-start; pointer-events: none;
}
.nl-card {
  width: 100%; background: var(--nl-bg); border: 1px solid var(--nl-border); border-radius: 12px;
  box-shadow: 0 10px 30px rgba(15, 23, 42, 0.18), 0 2px 6px rgba(15, 23, 42, 0.12); overflow: hidden; position: relative;
}
.nl-cl-head { display: flex; align-items: center; gap: 4px; padding: 4px 4px 4px 0; }
.nl-cl-head h2 { margin: 0; flex: 1; font-size: 15px; font-weight: 600; }
.nl-cl-toggle {
  width: 100%; display: flex; align-items: baseline; gap: 8px; padding: 8px 4px 8px 14px;
  border: 0; background: transparent; cursor: pointer; text-align: left; border-radius: 8px;
}
.nl-cl-title { flex: 1; font-weight: 600; }
.nl-cl-count { color: var(--nl-muted); font-size: 13px; font-weight: 500; white-space: nowrap; }
.nl-cl-chevron { width: 8px; height: 8px; border: solid var(--nl-muted); border-width: 0 2px 2px 0; transform: rotate(45deg); margin: 0 4px 2px 2px; flex: none; }
.nl-cl-toggle[aria-expanded="false"] .nl-cl-chevron { transform: rotate(-135deg); margin-bottom: -2px; }
.nl-icon-button {
  flex: none; width: 28px; height: 28px; border: 0; border-radius: 6px; background: transparent; color: var(--nl-muted);
  font-size: 18px; line-height: 1; cursor: pointer;
}
.nl-icon-button:hover, .nl-cl-toggle:hover { background: rgba(100, 116, 139, 0.12); }
.nl-cl-body { padding: 0 14px 12px; }
.nl-bar { height: 8px; border-radius: 999px; background: var(--nl-track); overflow: hidden; margin: 2px 0 8px; }
.nl-bar-fill { height: 100%; width: 0; background: var(--nl-accent); border-radius: inherit; transition: width 300ms ease-out; }
.nl-card[data-complete="true"] .nl-bar-fill { background: var(--nl-ok); }
.nl-msg { margin: 0 0 8px; color: var(--nl-ok); font-weight: 600; }
.nl-msg:empty { display: none; }
.nl-items { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 2px; }
.nl-item { display: flex; align-items: center; gap: 8px; min-height: 30px; }
.nl-item input { width: 18px; height: 18px; margin: 0; accent-color: var(--nl-accent); flex: none; cursor: pointer; }
.nl-item input:disabled { cursor: default; }
.nl-item label { flex: 1; cursor: pointer; }
.nl-item[data-done="true"] label { color: var(--nl-muted); text-decoration: line-through; }
.nl-item a { color: var(--nl-accent); font-size: 13px; text-decoration: underline; }
.nl-steps { list-style: none; margin: 0; padding: 0; counter-reset: nl-step; }
.nl-step { display: flex; align-items: center; gap: 8px; min-height: 28px; color: var(--nl-muted); }
.nl-step::before {
  counter-increment: nl-step; content: counter(nl-step); flex: none; width: 22px; height: 22px; border-radius: 50%;
  display: inline-flex; align-items: center; justify-content: center; font-size: 12px; font-weight: 700;
  border: 2px solid var(--nl-border); background: var(--nl-bg); color: var(--nl-muted);
}
.nl-step[data-done="true"]::before { content: "\\2713"; border-color: var(--nl-ok); background: var(--nl-ok); color: #ffffff; }
.nl-step[aria-current="step"] { color: var(--nl-fg); font-weight: 600; }
.nl-step[aria-current="step"]::before { border-color: var(--nl-accent); background: var(--nl-accent); color: #ffffff; }

.nl-confetti { position: absolute; inset: 0; pointer-events: none; overflow: hidden; }
.nl-confetti span {
  position: absolute; top: -10px; width: 7px; height: 11px; border-radius: 2px; opacity: 0;
  animation: nl-fall 1.8s ease-in forwards;
}
@keyframes nl-fall {
  0% { opacity: 1; transform: translateY(0) rotate(0deg); }
  100% { opacity: 0; transform: translateY(260px) rotate(540deg); }
}

.nl-launch {
  display: inline-flex; align-items: center; gap: 6px; padding: 8px 14px; border-radius: 999px;
  border: 1px solid var(--nl-border); background: var(--nl-bg); color: var(--nl-fg); font-weight: 600; cursor: pointer;
  box-shadow: 0 4px 14px rgba(15, 23, 42, 0.18); pointer-events: auto;
}
.nl-launch:hover { background: var(--nl-soft); }
.nl-dot { min-width: 20px; height: 20px; padding: 0 6px; border-radius: 999px; background: #b91c1c; color: #ffffff; font-size: 12px; line-height: 20px; text-align: center; }

.nl-panel { max-height: min(70vh, 640px); overflow: auto; padding: 12px 14px 14px; }
.nl-panel:focus { outline: none; }
.nl-panel h2 { margin: 0 32px 8px 0; font-size: 16px; }
.nl-panel h3 { margin: 14px 0 6px; font-size: 13px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--nl-muted); }
.nl-panel .nl-close { position: absolute; top: 8px; right: 8px; }
.nl-stats { display: flex; gap: 16px; margin: 0; }
.nl-stats div { display: flex; flex-direction: column; }
.nl-stats dt { font-size: 12px; color: var(--nl-muted); }
.nl-stats dd { margin: 0; font-size: 20px; font-weight: 700; }
.nl-list { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
.nl-list li { display: flex; justify-content: space-between; gap: 8px; }
.nl-list .nl-muted, .nl-muted { color: var(--nl-muted); }
.nl-ach[data-unlocked="true"] .nl-ach-name::before { content: "\\2605 "; color: #b45309; }
.nl-goal { border: 1px solid var(--nl-border); border-radius: 10px; padding: 10px; margin-bottom: 8px; }
.nl-goal h4 { margin: 0 0 2px; font-size: 14px; }
.nl-goal p { margin: 0 0 6px; }
.nl-reminder { color: #92400e; font-weight: 600; }
.nl-btn {
  display: inline-flex; align-items: center; justify-content: center; min-height: 32px; padding: 4px 12px; border-radius: 8px;
  border: 1px solid var(--nl-accent); background: var(--nl-accent); color: var(--nl-accent-fg); font-weight: 600; cursor: pointer;
}
.nl-btn[data-quiet] { background: var(--nl-bg); color: var(--nl-accent); }
.nl-confirm { margin-top: 8px; padding: 10px; border-radius: 8px; background: var(--nl-soft); }
.nl-confirm p { margin: 0 0 8px; }
.nl-row { display: flex; gap: 8px; flex-wrap: wrap; }
.nl-chart { display: block; width: 100%; height: auto; margin: 4px 0; }
.nl-chart .nl-axis { stroke: var(--nl-border); stroke-width: 1; }
.nl-chart .nl-target { stroke: var(--nl-muted); stroke-width: 1; stroke-dasharray: 4 3; }
.nl-chart .nl-pace { stroke: var(--nl-muted); stroke-width: 1; stroke-dasharray: 2 3; }
.nl-chart .nl-line { stroke: var(--nl-accent); stroke-width: 2.5; fill: none; stroke-linejoin: round; }
.nl-chart text { fill: var(--nl-muted); font-size: 10px; }
.nl-board { width: 100%; border-collapse: collapse; }
.nl-board th, .nl-board td { padding: 3px 4px; text-align: left; border-bottom: 1px solid var(--nl-track); }
.nl-board td:last-child, .nl-board th:last-child { text-align: right; }
.nl-board tr[data-you="true"] { font-weight: 700; }
.nl-link { border: 0; padding: 0; background: none; color: var(--nl-accent); text-decoration: underline; cursor: pointer; }
.nl-error { color: #b91c1c; }

@media (prefers-reduced-motion: reduce) {
  .nl-bar-fill { transition: none; }
  .nl-confetti { display: none; }
}
@media (prefers-color-scheme: dark) {
  .nl-p {
    --nl-bg: #1f2937; --nl-fg: #f9fafb; --nl-muted: #d1d5db; --nl-accent: #a5b4fc; --nl-accent-fg: #111827;
    --nl-border: #4b5563; --nl-track: #374151; --nl-ok: #6ee7b7; --nl-soft: #312e81;
  }
  .nl-reminder { color: #fcd34d; }
}
`;

/** Add the progress CSS to this shadow root once. */
export function adoptProgressStyles(shadow) {
  if (shadow.__nlProgressStyles) return;
  shadow.__nlProgressStyles = true;
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(PROGRESS_CSS);
    shadow.adoptedStyleSheets = [...shadow.adoptedStyleSheets, sheet];
  } catch {
    const style = document.createElement("style");
    style.textContent = PROGRESS_CSS;
    shadow.append(style);
  }
}
