// The Markdown subset of authored text: paragraphs (blank line), **bold**, *italic*,
// `code`, [links](https://…) for http, https and mailto only, and "- " lists.
//
// Parsing returns a plain tree (testable in node); building turns the tree into DOM
// nodes with createElement/textContent only. Authored text never reaches innerHTML.

const MAX_DEPTH = 6;
const LINK_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);
const ESCAPABLE = new Set("\\`*_[]()#+-.!>".split(""));

/**
 * @typedef {{type: "text", value: string}
 *   | {type: "code", value: string}
 *   | {type: "strong" | "em", children: Inline[]}
 *   | {type: "link", href: string, children: Inline[]}} Inline
 * @typedef {{type: "paragraph", children: Inline[]} | {type: "list", items: Inline[][]}} Block
 */

/** A safe href, or null when the URL is not http, https or mailto. */
export function safeHref(raw) {
  let url;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  return LINK_PROTOCOLS.has(url.protocol) ? url.href : null;
}

/**
 * Parse `source` into blocks.
 * @param {string} source
 * @returns {Block[]}
 */
export function parseMarkdown(source) {
  if (typeof source !== "string" || source === "") return [];
  const blocks = [];
  let paragraph = [];
  let list = null;
  const flushParagraph = () => {
    if (paragraph.length) blocks.push({ type: "paragraph", children: parseInline(paragraph.join("\n")) });
    paragraph = [];
  };
  const flushList = () => {
    if (list) blocks.push({ type: "list", items: list.map((item) => parseInline(item)) });
    list = null;
  };
  for (const rawLine of source.replace(/\r\n?/g, "\n").split("\n")) {
    const line = rawLine.trim();
    const item = /^- +(\S.*)$/.exec(line);
    if (line === "") {
      flushParagraph();
      flushList();
    } else if (item) {
      flushParagraph();
      (list ??= []).push(item[1]);
    } else if (list && /^\s{2,}\S/.test(rawLine)) {
      // An indented line continues the list item above it.
      list[list.length - 1] += "\n" + line;
    } else {
      flushList();
      paragraph.push(line);
    }
  }
  flushParagraph();
  flushList();
  return blocks;
}

/**
 * Parse inline markup. Unclosed or unsupported markup stays literal text.
 * @param {string} text
 * @returns {Inline[]}
 */
export function parseInline(text, depth = 0) {
  const out = [];
  let buffer = "";
  const pushText = (value) => {
    buffer += value;
  };
  const flush = () => {
    if (buffer) out.push({ type: "text", value: buffer });
    buffer = "";
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "\\" && ESCAPABLE.has(text[i + 1])) {
      pushText(text[i + 1]);
      i += 2;
      continue;
    }
    if (ch === "`") {
      const end = text.indexOf("`", i + 1);
      if (end > i + 1) {
        flush();
        out.push({ type: "code", value: text.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if (depth < MAX_DEPTH && ch === "*") {
      const strong = text.startsWith("**", i);
      const marker = strong ? "**" : "*";
      const end = findCloser(text, i + marker.length, marker);
      if (end !== -1) {
        flush();
        out.push({
          type: strong ? "strong" : "em",
          children: parseInline(text.slice(i + marker.length, end), depth + 1),
        });
        i = end + marker.length;
        continue;
      }
    }
    if (depth < MAX_DEPTH && ch === "[") {
      const link = matchLink(text, i);
      if (link) {
        flush();
        const children = parseInline(link.label, depth + 1);
        const href = safeHref(link.url);
        // A link to javascript:, data: and the like keeps its words but not its target.
        if (href) out.push({ type: "link", href, children });
        else out.push(...children);
        i = link.end;
        continue;
      }
    }
    pushText(ch);
    i += 1;
  }
  flush();
  return mergeText(out);
}

/** The index of a closing `marker` for an opener just before `from`, or -1. */
function findCloser(text, from, marker) {
  // An opener must be followed by a non-space ("2 * 3" stays literal).
  if (from >= text.length || /\s/.test(text[from])) return -1;
  let j = from;
  while (j < text.length) {
    const c = text[j];
    if (c === "\\") {
      j += 2;
    } else if (c === "`" && text.indexOf("`", j + 1) !== -1) {
      // Markers inside a code span neither open nor close.
      j = text.indexOf("`", j + 1) + 1;
    } else if (marker === "*" && text.startsWith("**", j) && j > from) {
      // A "**" inside *italic* is a nested bold: jump past its closer, or past it.
      const inner = findCloser(text, j + 2, "**");
      j = inner === -1 ? j + 2 : inner + 2;
    } else if (text.startsWith(marker, j) && j > from && !/\s/.test(text[j - 1])) {
      return j;
    } else {
      j += 1;
    }
  }
  return -1;
}

/** `[label](url)` at `start`, or null. The URL has no spaces; parentheses may nest once. */
function matchLink(text, start) {
  let depth = 0;
  let j = start + 1;
  for (; j < text.length; j++) {
    const c = text[j];
    if (c === "\\") {
      j += 1;
    } else if (c === "[") {
      depth += 1;
    } else if (c === "]") {
      if (depth === 0) break;
      depth -= 1;
    }
  }
  if (j >= text.length || text[j + 1] !== "(" || j === start + 1) return null;
  const m = /^\(\s*([^\s()]*(?:\([^\s()]*\)[^\s()]*)*)\s*\)/.exec(text.slice(j + 1));
  if (!m || !m[1]) return null;
  return { label: text.slice(start + 1, j), url: m[1], end: j + 1 + m[0].length };
}

function mergeText(nodes) {
  const merged = [];
  for (const node of nodes) {
    const last = merged[merged.length - 1];
    if (node.type === "text" && last?.type === "text") last.value += node.value;
    else merged.push(node);
  }
  return merged;
}

/**
 * Build DOM nodes for a parsed tree.
 * @param {Block[]} blocks
 * @param {Document} doc
 * @returns {DocumentFragment}
 */
export function buildMarkdown(blocks, doc = document) {
  const fragment = doc.createDocumentFragment();
  for (const block of blocks) {
    if (block.type === "paragraph") {
      const p = doc.createElement("p");
      appendInline(p, block.children, doc);
      fragment.append(p);
    } else if (block.type === "list") {
      const ul = doc.createElement("ul");
      for (const item of block.items) {
        const li = doc.createElement("li");
        appendInline(li, item, doc);
        ul.append(li);
      }
      fragment.append(ul);
    }
  }
  return fragment;
}

const INLINE_TAGS = { strong: "strong", em: "em", code: "code", link: "a" };

function appendInline(parent, nodes, doc) {
  for (const node of nodes) {
    if (node.type === "text") {
      parent.append(doc.createTextNode(node.value));
      continue;
    }
    const tag = INLINE_TAGS[node.type];
    if (!tag) continue;
    const el = doc.createElement(tag);
    if (node.type === "code") {
      el.textContent = node.value;
    } else {
      if (node.type === "link") {
        // Checked again here: the tree may not come from parseInline.
        const href = safeHref(node.href);
        if (!href) {
          appendInline(parent, node.children, doc);
          continue;
        }
        el.href = href;
        el.target = "_blank";
        el.rel = "noopener noreferrer";
      }
      appendInline(el, node.children, doc);
    }
    parent.append(el);
  }
}

/** Parse and build in one go: what renderers call. */
export function renderMarkdown(source, doc = document) {
  return buildMarkdown(parseMarkdown(source), doc);
}
