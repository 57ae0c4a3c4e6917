// Checks a manifest's JSON Schemas and validates values against them, in a worker thread the
// publishing service can stop: a seller's schema is untrusted (a pattern can backtrack for ever).
// Message in: { schemas: { [key]: schema }, checks: [{ schema: key, value, path }] }.
// Message out: { problems: ["path: message", ...] }.
import { parentPort, workerData } from "node:worker_threads";
import Ajv2020 from "ajv/dist/2020.js";

const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
const problems = [];
const validators = new Map();
for (const [key, schema] of Object.entries(workerData.schemas)) {
  try {
    validators.set(key, ajv.compile(schema));
  } catch (error) {
    problems.push(`${key}: is not a valid JSON Schema (${error.message})`);
  }
}
for (const check of workerData.checks) {
  const validate = validators.get(check.schema);
  if (!validate) continue;
  if (!validate(check.value)) {
    for (const e of (validate.errors ?? []).slice(0, 10)) problems.push(`${check.path}${e.instancePath ? e.instancePath.replaceAll("/", ".") : ""}: ${e.message}`);
  }
}
parentPort.postMessage({ problems });
