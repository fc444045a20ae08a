// Audit a GraphQL endpoint against the GraphQL-over-HTTP spec with npm graphql-http's `auditServer`.
//
//   node tools/http_audit.mjs http://127.0.0.1:8000/graphql
//
// Prints one line per audit that is not ok (error = a MUST failed, warn = a SHOULD, notice = a MAY), then
// a JSON summary on the last line. Exits 1 on any error or warning.
import { auditServer } from "graphql-http";

const url = process.argv[2];
if (!url) { console.error("usage: http_audit.mjs URL"); process.exit(2); }

const results = await auditServer({ url });
const counts = { ok: 0, error: 0, warn: 0, notice: 0 };
for (const result of results) {
  counts[result.status] += 1;
  if (result.status === "ok") continue;
  let body = "";
  try { body = (await result.response.text()).slice(0, 300); } catch { /* body already read */ }
  console.log(`${result.status}: ${result.name} [${result.id}]: ${result.reason} | ${result.response.status} ${body}`);
}
console.log(JSON.stringify({ audits: results.length, ...counts }));
process.exit(counts.error || counts.warn ? 1 : 0);
