// Fail on breaking changes to the hub's public schema that are not listed as deliberate.
//
//   node tools/schema_check.mjs [--baseline schema/schema.baseline.graphql] [--current schema/schema.graphql]
//                               [--deliberate schema/deliberate-changes.txt]
//
// Diffs with @graphql-inspector/core, the engine of `graphql-inspector diff` (whose CLI cannot load
// federation SDL: it rejects the undeclared @link/@key directives). A breaking change (a removed field, a
// changed type, …) must be listed in the deliberate file as `CHANGE_TYPE path  # why`; the line to add
// is printed. Listed changes that no longer happen fail too, so the list cannot hide a later break.
// Exit 0: no unlisted breaking change; 1: some; 2: bad arguments or unreadable schema.
import { readFile } from "node:fs/promises";
import { diff, CriticalityLevel } from "@graphql-inspector/core";
import { buildSchema } from "graphql";

const options = {
  baseline: "schema/schema.baseline.graphql",
  current: "schema/schema.graphql",
  deliberate: "schema/deliberate-changes.txt",
};
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 2) {
  const key = args[i].replace(/^--/, "");
  if (!(key in options) || args[i + 1] === undefined) {
    console.error(`unknown or incomplete option ${args[i]}`);
    process.exit(2);
  }
  options[key] = args[i + 1];
}

// Federation directives are declared by the gateway, not the subgraph SDL: accept them undeclared.
const load = async (path) => buildSchema(await readFile(path, "utf8"), { assumeValidSDL: true });
const [baseline, current] = await Promise.all([load(options.baseline), load(options.current)]);

const listed = new Map();
for (const raw of (await readFile(options.deliberate, "utf8")).split("\n")) {
  const line = raw.replace(/#.*/, "").trim();
  if (line) listed.set(line.split(/\s+/).slice(0, 2).join(" "), raw.trim());
}

const changes = await diff(baseline, current);
const keyOf = (change) => `${change.type} ${change.path ?? ""}`.trim();
const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
const unlisted = breaking.filter((c) => !listed.has(keyOf(c)));
const happening = new Set(breaking.map(keyOf));
const stale = [...listed.keys()].filter((key) => !happening.has(key));

for (const change of changes.filter((c) => c.criticality.level === CriticalityLevel.Dangerous)) {
  console.log(`dangerous: ${change.message}`);
}
for (const change of breaking.filter((c) => listed.has(keyOf(c)))) {
  console.log(`deliberate: ${change.message}  (${listed.get(keyOf(change))})`);
}
for (const change of unlisted) {
  console.log(`BREAKING: ${change.message}\n  if deliberate, add to ${options.deliberate}: ${keyOf(change)}  # why`);
}
for (const key of stale) {
  console.log(`STALE: ${key} is listed in ${options.deliberate} but no longer happens: remove the line`);
}
console.log(
  JSON.stringify({ changes: changes.length, breaking: breaking.length, unlisted: unlisted.length, stale: stale.length }),
);
process.exit(unlisted.length || stale.length ? 1 : 0);
