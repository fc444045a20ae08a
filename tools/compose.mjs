// Compose subgraphs into a supergraph with @apollo/composition, the composer Apollo's tools use.
//
//   node tools/compose.mjs hub=http://127.0.0.1:8000/graphql partner=path/to/partner.graphql [--out FILE]
//
// A URL is asked for `{ _service { sdl } }`; a file is read as SDL. Exits 1 and prints every
// composition error when the subgraphs do not compose.
import { readFile, writeFile } from "node:fs/promises";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

const args = process.argv.slice(2);
let out = null;
const services = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--out") { out = args[++i]; continue; }
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
  definitions.push({ name, url: /^https?:/.test(where) ? where : `http://${name}.invalid/graphql`, typeDefs: parse(sdl) });
}
const result = composeServices(definitions);
if (result.errors?.length) {
  for (const error of result.errors) console.error(`composition error: ${error.message}`);
  process.exit(1);
}
for (const hint of result.hints ?? []) console.error(`hint: ${hint.definition?.code ?? ""} ${hint.message}`);
if (out) await writeFile(out, result.supergraphSdl);
console.log(`composed ${services.map((s) => s.name).join(", ")}: ${result.supergraphSdl.length} characters of supergraph SDL`);
