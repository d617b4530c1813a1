import assert from "node:assert/strict";
import { test } from "node:test";

import { looksGenerated, textSimilarity } from "./fingerprint.js";

test("generated class names and ids are recognised", () => {
  for (const token of [
    "css-1x2y3z", "sc-bdVaJa", "kYxQpL", "jsx-2856418327", ":r1:", "«r5»", "radix-:R2a:", "ember1234",
    "Button_primary__3xZ9a", "row-1234", "a1b2c3", "mui-12", "headlessui-menu-button-3", "svelte-1kqz9ur",
    "ng-tns-c12-3", "xkqzvbt", "_3hT9s", "12345", "react-select-2-input", "x".repeat(41),
  ]) {
    assert.equal(looksGenerated(token), true, token);
  }
});

test("names people write are kept", () => {
  for (const token of [
    "btn", "btn-primary", "nav-link", "col-6", "h1", "sidebar", "queueFilter", "save-button", "navBarItem",
    "mt-4", "grid-cols-3", "ticket_list", "v2", "card__title", "menu--open", "search-input", "CardHeader",
  ]) {
    assert.equal(looksGenerated(token), false, token);
  }
});

test("text similarity: equal is 1, a small edit stays high, unrelated is low", () => {
  assert.equal(textSimilarity("save changes", "save changes"), 1);
  assert.ok(textSimilarity("save changes", "save all changes") > 0.75);
  assert.ok(textSimilarity("reports", "settings") < 0.3);
  assert.equal(textSimilarity("", "x"), 0);
});
