/**
 * The layers of provider/, checked by `npm run lint` (dependency-cruiser): a core that knows none
 * of its hosts, and inside it errors < schema < client < lifecycle; three hosts that do not reach
 * into each other; no import circle anywhere.
 */
const host = (name, others) => ({
  name: `${name}-not-to-other-hosts`,
  comment: `the ${name} host uses the core, never another host`,
  severity: "error",
  from: { path: `^provider/${name}/` },
  to: { path: `^provider/(${others.join("|")})/` },
});

/** A core layer that imports none of the layers above it. */
const below = (layer, above, comment) => ({
  name: `${layer}-below-${above.replace(/\|/g, "-")}`,
  comment,
  severity: "error",
  from: { path: `^provider/core/${layer}/` },
  to: { path: `^provider/core/(${above})/` },
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "an import circle makes the load order (and the layers) unreadable",
      severity: "error",
      from: { path: "^provider/" },
      to: { circular: true },
    },
    {
      name: "core-not-to-hosts",
      comment: "the core (schema, client, lifecycle) knows none of its hosts",
      severity: "error",
      from: { path: "^provider/core/" },
      to: { path: "^provider/(dynamic|plugin|cli)/|^provider/index\\.ts$" },
    },
    below("errors", "schema|client|lifecycle", "errors and redaction: everything may throw them"),
    below("schema", "client|lifecycle", "the schema describes objects; it never calls the portal"),
    below("client", "lifecycle", "the client sends requests; the lifecycle uses it"),
    host("dynamic", ["plugin", "cli"]),
    host("plugin", ["dynamic", "cli"]),
    host("cli", ["dynamic", "plugin"]),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
  },
};
