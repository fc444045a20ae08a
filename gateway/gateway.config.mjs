// Hive Gateway configuration for the Yeongyeol graph: the hub and organisations' own subgraphs.
//
//   hive-gateway supergraph gateway/supergraph.graphql -c gateway/gateway.config.mjs --port 4000
//
// The supergraph (`make supergraph`) records each subgraph's URL; HUB_SUBGRAPH_URL and PARTNER_SUBGRAPH_URL
// override them at start-up (compose.yaml uses its service names). A plain object, no imports: the same
// file works with the npm package and inside the ghcr.io/graphql-hive/gateway image.
const locations = { hub: process.env.HUB_SUBGRAPH_URL, partner: process.env.PARTNER_SUBGRAPH_URL };

const transportEntries = {
  // Subscriptions reach subgraphs over WebSocket (graphql-transport-ws at the same /graphql path): over SSE
  // the gateway receives no events from strawberry, whose events end with CRLF.
  "*.http": { options: { subscriptions: { kind: "ws", location: "/graphql" } } },
};
for (const [subgraph, location] of Object.entries(locations)) {
  if (location) transportEntries[subgraph] = { location };
}

export const gatewayConfig = {
  transportEntries,
  // Residents' front ends call the gateway; the hub's GraphiQL stays the place to explore in dev.
  graphiql: process.env.HUB_ENV !== "prod",
  // Subgraph errors keep their Korean messages and codes; internals are already masked by the hub.
  maskedErrors: false,
};
