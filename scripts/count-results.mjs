// Prints "<passed> <failed>" summed over the result lines of a test log:
// cargo/libtest ("test result: ok. 3 passed; 0 failed"), mocha ("3 passing", "1 failing")
// and our own checks ("check passed: …" / "check failed: …").
import { readFileSync } from 'node:fs';

const text = readFileSync(process.argv[2], 'utf8');
let passed = 0;
let failed = 0;
for (const m of text.matchAll(/^test result: \w+\. (\d+) passed; (\d+) failed/gm)) {
  passed += Number(m[1]);
  failed += Number(m[2]);
}
for (const m of text.matchAll(/^\s*(\d+) passing\b/gm)) passed += Number(m[1]);
for (const m of text.matchAll(/^\s*(\d+) failing\b/gm)) failed += Number(m[1]);
for (const _ of text.matchAll(/^check passed: /gm)) passed += 1;
for (const _ of text.matchAll(/^check failed: /gm)) failed += 1;
console.log(`${passed} ${failed}`);
