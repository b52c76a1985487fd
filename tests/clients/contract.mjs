// The contract's documents as a citizen's app holds them: one operation each, by name.
//
// Apps keep one operation per document (Apollo's manifest generator refuses a file with
// two), so the contract's two-operation files (Login, Session) are split here, each
// operation keeping its own text (its lines in the file, without the file's comments).
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Kind, parse } from "graphql";

export const CONTRACT_DIR = fileURLToPath(new URL("../../contract/", import.meta.url));
export const SCHEMA_FILE = fileURLToPath(new URL("../../schema.graphql", import.meta.url));

/** Every operation of contract/<folder>/*.graphql: {name, type, text, file}. */
export function contractOperations(folder = "frontend") {
  const operations = [];
  for (const file of readdirSync(`${CONTRACT_DIR}${folder}`).sort()) {
    if (!file.endsWith(".graphql")) continue;
    const body = readFileSync(`${CONTRACT_DIR}${folder}/${file}`, "utf8");
    for (const definition of parse(body).definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      operations.push({
        name: definition.name.value,
        type: definition.operation,
        text: body.slice(definition.loc.start, definition.loc.end),
        file: `${folder}/${file}`,
      });
    }
  }
  return operations;
}

/** The text of one contract operation, by its name. */
export function operationText(name) {
  const found = contractOperations().find((operation) => operation.name === name);
  if (!found) throw new Error(`no contract operation named ${name}`);
  return found.text;
}
