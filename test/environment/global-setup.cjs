'use strict';
// Jest globalSetup: says once, before any test, which suites are not run here and why; with CI=true a missing tool
// fails the run with the same message (jest.config.js only skips suites outside CI).
const { checkRequirements, report } = require('./requirements.cjs');

module.exports = async function globalSetup() {
  const result = checkRequirements();
  if (result.failing.length > 0) {
    throw new Error(
      `CI=true and a tool the tests need is missing (CI must not pass by skipping):\n  ${result.failing
        .map((m) => `${m.why}; needed by ${m.suites.join(', ')}`)
        .join('\n  ')}`,
    );
  }
  const lines = report(result);
  if (lines.length > 0) process.stderr.write(`\n${lines.join('\n')}\n`);
};
