// Apollo's persisted-query manifest of the citizen's app, written by Apollo's own tool.
//
//   node apollo_manifest.mjs OUTPUT.json
//
// The app's documents are the contract's frontend operations, one per .graphql file (the
// tool refuses a file with two operations). `generate-persisted-query-manifest` runs them
// through Apollo Client's own document transforms, so the manifest holds what Apollo
// Client sends: printed, with `__typename` added to every selection set.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { contractOperations } from "./contract.mjs";

const output = process.argv[2];
if (!output) {
  console.error("usage: node apollo_manifest.mjs OUTPUT.json");
  process.exit(2);
}
const tool = createRequire(import.meta.url).resolve(
  "@apollo/generate-persisted-query-manifest/cli.js",
);
const app = mkdtempSync(join(tmpdir(), "apollo-app-"));
try {
  for (const operation of contractOperations("frontend")) {
    writeFileSync(join(app, `${operation.name}.graphql`), `${operation.text}\n`);
  }
  const config = join(app, "persisted-query-manifest.config.json");
  writeFileSync(
    config,
    JSON.stringify({ documents: [`${app}/*.graphql`], output: resolve(output) }),
  );
  const run = spawnSync(process.execPath, [tool, "--config", config], {
    cwd: app,
    encoding: "utf8",
  });
  process.stderr.write(run.stdout + run.stderr);
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(app, { recursive: true, force: true });
}
