// Author mode's CSS: static text in its own shadow root, so the page's CSS does not
// reach the panel and the panel's does not reach the page. Colours keep a 4.5:1
// contrast at least (the panel is audited with axe-core).

export const AUTHOR_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }

.pick-box {
  position: fixed; pointer-events: none; z-index: 1;
  border: 2px solid #4338ca; border-radius: 3px;
  background: rgba(67, 56, 202, 0.12);
  box-shadow: 0 0 0 1px #ffffff;
}
.pick-label {
  position: absolute; left: -2px; bottom: 100%; margin-bottom: 2px;
  max-width: 360px; padding: 2px 6px; border-radius: 4px;
  background: #312e81; color: #ffffff;
  font: 12px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
}
.pick-box.label-inside .pick-label { bottom: auto; top: 0; margin: 2px; }

.panel {
  position: fixed; top: 0; right: 0; bottom: 0; z-index: 2;
  width: 380px; max-width: 100vw;
  display: flex; flex-direction: column;
  background: #ffffff; color: #1f2937;
  border-left: 1px solid #d1d5db;
  box-shadow: -8px 0 24px rgba(15, 23, 42, 0.18);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  text-align: left; direction: ltr; pointer-events: auto;
}
.panel.left { right: auto; left: 0; border-left: 0; border-right: 1px solid #d1d5db; }
.bar {
  display: flex; align-items: center; gap: 8px; padding: 10px 12px;
  border-bottom: 1px solid #e5e7eb; background: #f9fafb;
}
.bar h2 { flex: 1; margin: 0; font-size: 15px; font-weight: 600; }
.who { margin: 0; padding: 6px 12px; font-size: 12px; color: #4b5563; border-bottom: 1px solid #e5e7eb; }
.scroll { flex: 1; overflow: auto; padding: 12px; }
.scroll:focus-visible { outline: 2px solid #4338ca; outline-offset: -2px; }
.foot { padding: 8px 12px; border-top: 1px solid #e5e7eb; background: #f9fafb; }
.status { margin: 0; min-height: 1.45em; font-size: 13px; color: #1f2937; }
.status.bad { color: #b91c1c; }

h3 { margin: 0 0 8px 0; font-size: 15px; font-weight: 600; }
h4 { margin: 14px 0 6px 0; font-size: 14px; font-weight: 600; }
p { margin: 0 0 8px 0; }
.meta, .hint { font-size: 12px; color: #4b5563; }
ul, ol { margin: 0 0 8px 0; padding: 0; list-style: none; }

button {
  font: inherit; font-size: 13px; line-height: 1.2; color: #1f2937;
  background: #ffffff; border: 1px solid #9ca3af; border-radius: 6px;
  padding: 6px 10px; cursor: pointer; margin: 0;
}
button:hover { background: #f3f4f6; }
button:disabled { color: #4b5563; background: #f3f4f6; cursor: default; }
button.primary { background: #4338ca; border-color: #4338ca; color: #ffffff; }
button.primary:hover { background: #3730a3; }
button.danger { color: #b91c1c; border-color: #b91c1c; }
button.icon { padding: 4px 7px; min-width: 28px; }
button.link { border: 0; background: transparent; color: #3730a3; text-decoration: underline; padding: 2px 0; }
button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, a:focus-visible {
  outline: 2px solid #4338ca; outline-offset: 2px;
}
.row { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 0 0 8px 0; }

.field { margin: 0 0 10px 0; }
.field label, .label { display: block; margin: 0 0 3px 0; font-size: 13px; font-weight: 600; }
input[type=text], input[type=url], select, textarea {
  display: block; width: 100%; margin: 0; padding: 6px 8px;
  font: inherit; font-size: 13px; color: #1f2937; background: #ffffff;
  border: 1px solid #6b7280; border-radius: 6px;
}
textarea { min-height: 72px; resize: vertical; }
[aria-invalid="true"] { border-color: #b91c1c; }
.error { margin: 3px 0 0 0; font-size: 12px; color: #b91c1c; }
.error:empty { display: none; }
fieldset { margin: 0 0 10px 0; padding: 8px 10px; border: 1px solid #d1d5db; border-radius: 6px; }
legend { padding: 0 4px; font-size: 13px; font-weight: 600; }
.choice { display: flex; align-items: center; gap: 6px; font-size: 13px; margin: 2px 0; }

.items li {
  display: flex; align-items: center; gap: 8px; padding: 6px 0; border-bottom: 1px solid #e5e7eb;
}
.items li:last-child { border-bottom: 0; }
.items .grow { flex: 1; min-width: 0; }
.items .name { display: block; font-weight: 600; overflow-wrap: anywhere; }

.steps li {
  display: flex; align-items: center; gap: 4px; padding: 4px; margin: 0 0 4px 0;
  border: 1px solid #e5e7eb; border-radius: 6px;
}
.steps li[aria-current="step"] { border-color: #4338ca; background: #eef2ff; }
.steps .select { flex: 1; min-width: 0; text-align: left; border: 0; background: transparent; overflow-wrap: anywhere; }
.steps li[aria-current="step"] .select { font-weight: 600; }
.flag { font-size: 12px; color: #b91c1c; }

.step-editor { margin: 10px 0; padding: 10px; border: 1px solid #c7d2fe; border-radius: 8px; background: #fcfcff; }
.target { margin: 0 0 10px 0; padding: 8px; border-radius: 6px; background: #f3f4f6; }
.target code {
  display: block; margin: 2px 0 4px 0; overflow-wrap: anywhere;
  font: 12px/1.35 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: #1f2937;
}
.check { font-weight: 600; }
.check.ok { color: #166534; }
.check.warn { color: #92400e; }
.check.bad { color: #b91c1c; }

.md { padding: 8px; border: 1px dashed #9ca3af; border-radius: 6px; color: #374151; background: #ffffff; }
.md p, .md ul { margin: 0 0 6px 0; }
.md p:last-child, .md ul:last-child { margin-bottom: 0; }
.md ul { padding-left: 18px; list-style: disc; }
.md code { font: 12px/1.3 ui-monospace, monospace; background: #f3f4f6; padding: 1px 4px; border-radius: 4px; }
.md a { color: #3730a3; }
.md .empty { color: #4b5563; font-style: italic; }

.actions { display: flex; flex-wrap: wrap; gap: 6px; margin: 12px 0 4px 0; }
.versions li { display: flex; align-items: center; gap: 8px; padding: 4px 0; border-bottom: 1px solid #e5e7eb; font-size: 13px; }
.versions .grow { flex: 1; }
.picking { margin: 0 0 10px 0; padding: 8px; border-radius: 6px; background: #eef2ff; border: 1px solid #c7d2fe; }
.picking:focus { outline: 2px solid #4338ca; outline-offset: 1px; }

@media (prefers-reduced-motion: no-preference) {
  .pick-box { transition: left 60ms linear, top 60ms linear, width 60ms linear, height 60ms linear; }
}
`;
