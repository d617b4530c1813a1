// The overlay's CSS. Static text only: it lives inside the shadow root, so the host
// page's CSS cannot reach it and it cannot reach the page. The host element resets
// every inherited property (all: initial), so nothing leaks in through inheritance.

export const OVERLAY_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }

.card {
  --nl-bg: #ffffff; --nl-fg: #1f2937; --nl-muted: #4b5563; --nl-accent: #4f46e5; --nl-border: #e5e7eb;
  position: fixed; top: 0; left: 0;
  width: max-content; min-width: 200px; max-width: min(340px, calc(100vw - 16px));
  margin: 0; padding: 12px 14px 12px 14px;
  background: var(--nl-bg); color: var(--nl-fg);
  border: 1px solid var(--nl-border); border-radius: 10px;
  box-shadow: 0 10px 30px rgba(15, 23, 42, 0.18), 0 2px 6px rgba(15, 23, 42, 0.12);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  text-align: left; direction: ltr; white-space: normal; overflow-wrap: anywhere;
  pointer-events: auto; z-index: 2;
}
.card:focus { outline: none; }
.card:focus-visible { outline: 2px solid var(--nl-accent); outline-offset: 2px; }
.title { margin: 0 28px 6px 0; font-size: 15px; font-weight: 600; line-height: 1.3; }
.body { color: var(--nl-muted); }
.body p, .body ul { margin: 0 0 8px 0; }
.body p:last-child, .body ul:last-child { margin-bottom: 0; }
.body ul { padding-left: 20px; }
.body code {
  font: 12.5px/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  background: rgba(100, 116, 139, 0.14); padding: 1px 4px; border-radius: 4px;
}
.body a { color: var(--nl-accent); text-decoration: underline; }
.body strong { color: var(--nl-fg); font-weight: 600; }

.close {
  position: absolute; top: 6px; right: 6px;
  width: 28px; height: 28px; padding: 0; margin: 0;
  display: inline-flex; align-items: center; justify-content: center;
  border: 0; border-radius: 6px; background: transparent; color: var(--nl-muted);
  font: 20px/1 system-ui, sans-serif; cursor: pointer;
}
.close:hover { background: rgba(100, 116, 139, 0.14); color: var(--nl-fg); }
.close:focus-visible { outline: 2px solid var(--nl-accent); outline-offset: 1px; }

.arrow {
  position: absolute; width: 10px; height: 10px;
  background: var(--nl-bg); border: 1px solid var(--nl-border);
  transform: rotate(45deg); pointer-events: none;
}
.card[data-side="bottom"] .arrow { top: -6px; border-right: 0; border-bottom: 0; }
.card[data-side="top"] .arrow { bottom: -6px; border-left: 0; border-top: 0; }
.card[data-side="right"] .arrow { left: -6px; border-top: 0; border-right: 0; }
.card[data-side="left"] .arrow { right: -6px; border-bottom: 0; border-left: 0; }

.beacon {
  position: fixed; top: 0; left: 0;
  width: 22px; height: 22px; margin: 0; padding: 0;
  border: 3px solid #ffffff; border-radius: 50%;
  background: #4f46e5; box-shadow: 0 0 0 0 rgba(79, 70, 229, 0.55), 0 1px 4px rgba(15, 23, 42, 0.35);
  cursor: pointer; pointer-events: auto; z-index: 1;
  animation: nl-pulse 1.8s ease-out infinite;
}
.beacon[aria-expanded="true"] { animation: none; background: #3730a3; }
.beacon:focus-visible { outline: 2px solid #4f46e5; outline-offset: 3px; }
@keyframes nl-pulse {
  0% { box-shadow: 0 0 0 0 rgba(79, 70, 229, 0.55), 0 1px 4px rgba(15, 23, 42, 0.35); }
  70% { box-shadow: 0 0 0 14px rgba(79, 70, 229, 0), 0 1px 4px rgba(15, 23, 42, 0.35); }
  100% { box-shadow: 0 0 0 0 rgba(79, 70, 229, 0), 0 1px 4px rgba(15, 23, 42, 0.35); }
}
@media (prefers-reduced-motion: reduce) {
  .beacon { animation: none; }
}
@media (prefers-color-scheme: dark) {
  .card { --nl-bg: #1f2937; --nl-fg: #f9fafb; --nl-muted: #d1d5db; --nl-accent: #a5b4fc; --nl-border: #374151; }
  .beacon { border-color: #1f2937; }
}
`;
