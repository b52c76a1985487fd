// Prints each document of the JSON list on stdin with graphql-js's own print, for
// tests/clients/test_graphql_js_print.py to compare with security/graphql_js_print.py.
import { parse, print } from "graphql";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const documents = JSON.parse(input);
console.log(JSON.stringify(documents.map((text) => print(parse(text)))));
