// graphql-codegen's client preset with `persistedDocuments: true`, run on the committed
// schema and the contract's documents, as a frontend team runs it.
//
//   node codegen_manifest.mjs OUTPUT_DIR/
//
// Writes the preset's usual output into OUTPUT_DIR: `graphql.ts` (each document carrying
// `__meta__.hash`) and `persisted-documents.json` ({hash: body}), the file the team
// registers with `gateway documents add`.
import { generate } from "@graphql-codegen/cli";
import { CONTRACT_DIR, SCHEMA_FILE } from "./contract.mjs";

const output = process.argv[2];
if (!output?.endsWith("/")) {
  console.error("usage: node codegen_manifest.mjs OUTPUT_DIR/   (the preset wants the slash)");
  process.exit(2);
}
await generate(
  {
    schema: SCHEMA_FILE,
    documents: [`${CONTRACT_DIR}**/*.graphql`],
    generates: { [output]: { preset: "client", presetConfig: { persistedDocuments: true } } },
    silent: true,
  },
  true,
);
