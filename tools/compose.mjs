// Compose subgraphs into a supergraph with @apollo/composition, the composer Apollo's tools use.
//
//   node tools/compose.mjs hub=http://127.0.0.1:8000/graphql partner=path/to/partner.graphql [--out FILE]
//                          [--url partner=http://127.0.0.1:4001/graphql]
//
// A URL is asked for `{ _service { sdl } }`; a file is read as SDL. The supergraph records each subgraph's
// routing URL (the one the gateway calls): its URL, or `--url NAME=URL` (needed for SDL files). Exits 1 and prints every
// composition error when the subgraphs do not compose.
import { readFile, writeFile } from "node:fs/promises";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

const args = process.argv.slice(2);
let out = null;
const services = [];
const routing = new Map();
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--out") { out = args[++i]; continue; }
  if (args[i] === "--url") { const [n, u] = (args[++i] ?? "").split(/=(.*)/s); routing.set(n, u); continue; }
  const [name, where] = args[i].split(/=(.*)/s);
  if (!name || !where) { console.error(`expected NAME=URL_OR_FILE, got ${args[i]}`); process.exit(2); }
  services.push({ name, where });
}
if (services.length === 0) { console.error("usage: compose.mjs NAME=URL_OR_FILE ... [--out FILE]"); process.exit(2); }

async function sdlOf(where) {
  if (!/^https?:\/\//.test(where)) return readFile(where, "utf8");
  const response = await fetch(where, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query: "{ _service { sdl } }" }),
  });
  const body = await response.json();
  if (!body?.data?._service?.sdl) throw new Error(`${where} returned no _service.sdl: ${JSON.stringify(body).slice(0, 300)}`);
  return body.data._service.sdl;
}

const definitions = [];
for (const { name, where } of services) {
  const sdl = await sdlOf(where);
  const url = routing.get(name) ?? (/^https?:/.test(where) ? where : `http://${name}.invalid/graphql`);
  definitions.push({ name, url, typeDefs: parse(sdl) });
}
const result = composeServices(definitions);
if (result.errors?.length) {
  for (const error of result.errors) console.error(`composition error: ${error.message}`);
  process.exit(1);
}
for (const hint of result.hints ?? []) console.error(`hint: ${hint.definition?.code ?? ""} ${hint.message}`);
if (out) await writeFile(out, result.supergraphSdl);
console.log(`composed ${services.map((s) => s.name).join(", ")}: ${result.supergraphSdl.length} characters of supergraph SDL`);
