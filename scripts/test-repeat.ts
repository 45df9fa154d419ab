import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * `npm run test:repeat -- [N]`: the whole suite N times in a row (default 5), then every test
 * that failed at least once, with how often. Exits non-zero if any did: a test that fails by
 * chance is a defect.
 */
const runs = Number(process.argv[2] ?? 5);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`usage: npm run test:repeat -- [runs], got ${JSON.stringify(process.argv[2])}\n`);
  process.exit(2);
}
const scratch = mkdtempSync(join(tmpdir(), "ocg-repeat-"));
const failures = new Map<string, number>();
let passed = 0;
for (let run = 1; run <= runs; run++) {
  const report = join(scratch, `run-${run}.json`);
  try {
    execFileSync("npx", ["vitest", "run", "--reporter=dot", "--reporter=json", `--outputFile.json=${report}`], {
      stdio: ["ignore", "ignore", "inherit"],
    });
  } catch {
    // Failures are read from the report below.
  }
  const { testResults } = JSON.parse(readFileSync(report, "utf8")) as {
    testResults: { name: string; status: string; assertionResults: { fullName: string; status: string }[] }[];
  };
  let failedThisRun = 0;
  for (const file of testResults) {
    const failed = file.assertionResults.filter((test) => test.status === "failed").map((test) => test.fullName);
    if (file.status === "failed" && failed.length === 0) failed.push("(the file itself failed to run)");
    for (const name of failed) {
      const key = `${file.name.replace(`${process.cwd()}/`, "")} > ${name}`;
      failures.set(key, (failures.get(key) ?? 0) + 1);
      failedThisRun += 1;
    }
  }
  if (failedThisRun === 0) passed += 1;
  process.stdout.write(`run ${run}/${runs}: ${failedThisRun === 0 ? "all passed" : `${failedThisRun} failed`}\n`);
}
rmSync(scratch, { recursive: true, force: true });
process.stdout.write(`${passed} of ${runs} runs passed in full\n`);
for (const [name, count] of failures) process.stdout.write(`  failed ${count}/${runs}: ${name}\n`);
process.exit(failures.size === 0 ? 0 : 1);
