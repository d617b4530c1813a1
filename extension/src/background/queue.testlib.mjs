// Test helper: the shared event schema compiled at test time (node may eval; the
// extension never does), to prove that what the queue stamps is what the server takes.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import Ajv2020 from "ajv/dist/2020.js";

const dir = fileURLToPath(new URL("../../../shared-schemas/", import.meta.url));
const ajv = new Ajv2020({ strict: true, strictRequired: false });
const walk = (d) =>
  readdirSync(d).flatMap((f) => {
    const p = join(d, f);
    if (statSync(p).isDirectory()) return f === "examples" ? [] : walk(p);
    return f.endsWith(".schema.json") ? [p] : [];
  });
for (const file of walk(dir)) ajv.addSchema(JSON.parse(readFileSync(file, "utf8")));

export const validateEvent = ajv.getSchema("https://nudgelayer.dev/schemas/event.schema.json");
