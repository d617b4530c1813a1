// The tour's CSS, added to the overlay's shadow root next to the shared card styles
// (styles.js): the step dialog reuses .card, .title, .body, .close and .arrow.

export const TOUR_CSS = `
.nl-tour-backdrop {
  position: fixed; inset: 0; width: 100vw; height: 100vh; overflow: visible;
  pointer-events: none; z-index: 1;
}
/* The dimmed area swallows clicks; the cut-out is not painted, so clicks there reach the target. */
.nl-tour-backdrop path { fill: rgba(15, 23, 42, 0.45); pointer-events: visiblePainted; }
.nl-tour-ring {
  position: fixed; top: 0; left: 0; pointer-events: none; z-index: 1;
  border: 2px solid #a5b4fc; border-radius: 8px;
  box-shadow: 0 0 0 2px rgba(79, 70, 229, 0.9);
}
.card.nl-tour-step { min-width: 260px; max-width: min(380px, calc(100vw - 16px)); z-index: 3; }
.card.nl-tour-step[data-state="centred"] { top: 50% !important; left: 50% !important; transform: translate(-50%, -50%); }
.card.nl-tour-step[data-state="elsewhere"] { top: auto !important; left: auto !important; right: 16px; bottom: 16px; }
.card.nl-tour-step[data-state="centred"] .arrow, .card.nl-tour-step[data-state="elsewhere"] .arrow { display: none; }
.nl-tour-progress { margin: 0 28px 4px 0; font-size: 12px; font-weight: 600; letter-spacing: 0.02em; color: var(--nl-muted); }
.nl-tour-note {
  margin: 8px 0 0; padding: 6px 8px; border-radius: 6px;
  background: rgba(217, 119, 6, 0.12); color: var(--nl-fg); font-size: 13px;
}
.nl-tour-note:empty { display: none; }
.nl-tour-actions { display: flex; flex-wrap: wrap; gap: 8px; justify-content: flex-end; align-items: center; margin-top: 12px; }
.nl-tour-actions .nl-spacer { flex: 1; }
.nl-btn {
  all: unset; box-sizing: border-box; display: inline-flex; align-items: center; justify-content: center;
  min-height: 32px; padding: 5px 12px; border-radius: 6px; cursor: pointer;
  font: 600 13px/1.2 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  border: 1px solid var(--nl-border); background: var(--nl-bg); color: var(--nl-fg);
}
.nl-btn:hover { background: rgba(100, 116, 139, 0.14); }
.nl-btn:focus-visible { outline: 2px solid var(--nl-accent); outline-offset: 2px; }
.nl-btn-primary { background: #4338ca; border-color: #4338ca; color: #ffffff; }
.nl-btn-primary:hover { background: #3730a3; }
.nl-btn-quiet { border-color: transparent; background: transparent; color: var(--nl-muted); font-weight: 500; }
a.nl-btn { text-decoration: none; }

.nl-launcher {
  position: fixed; right: 16px; bottom: 16px; z-index: 2; pointer-events: auto;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  --nl-bg: #ffffff; --nl-fg: #1f2937; --nl-muted: #4b5563; --nl-accent: #4f46e5; --nl-border: #e5e7eb;
}
.nl-launcher-button {
  all: unset; box-sizing: border-box; display: inline-flex; align-items: center; justify-content: center;
  width: 40px; height: 40px; border-radius: 50%; cursor: pointer;
  background: #4338ca; color: #ffffff; font: 700 20px/1 system-ui, sans-serif;
  box-shadow: 0 4px 14px rgba(15, 23, 42, 0.3);
}
.nl-launcher-button:hover { background: #3730a3; }
.nl-launcher-button:focus-visible { outline: 3px solid #a5b4fc; outline-offset: 2px; }
.nl-launcher-panel {
  position: absolute; right: 0; bottom: 52px; width: max-content; min-width: 220px; max-width: min(320px, calc(100vw - 32px));
  padding: 10px; border-radius: 10px; border: 1px solid var(--nl-border);
  background: var(--nl-bg); color: var(--nl-fg);
  box-shadow: 0 10px 30px rgba(15, 23, 42, 0.18), 0 2px 6px rgba(15, 23, 42, 0.12);
}
.nl-launcher-panel h2 { margin: 0 0 6px; font-size: 13px; font-weight: 600; color: var(--nl-muted); }
.nl-launcher-panel ul { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 4px; }
.nl-launcher-panel .nl-btn { width: 100%; justify-content: flex-start; text-align: left; font-weight: 500; }

@media (prefers-reduced-motion: no-preference) {
  .card.nl-tour-step { transition: opacity 120ms ease-out; }
  .nl-tour-ring { transition: top 120ms ease-out, left 120ms ease-out, width 120ms ease-out, height 120ms ease-out; }
}
@media (prefers-color-scheme: dark) {
  .nl-launcher { --nl-bg: #1f2937; --nl-fg: #f9fafb; --nl-muted: #d1d5db; --nl-accent: #a5b4fc; --nl-border: #374151; }
  .nl-btn-primary { background: #6366f1; border-color: #6366f1; }
}
`;

/** Add the tour styles to a shadow root once. */
export function adoptTourStyles(shadow) {
  if (shadow.__nlTourStyles) return;
  shadow.__nlTourStyles = true;
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(TOUR_CSS);
    shadow.adoptedStyleSheets = [...shadow.adoptedStyleSheets, sheet];
  } catch {
    const style = document.createElement("style");
    style.textContent = TOUR_CSS;
    shadow.append(style);
  }
}
