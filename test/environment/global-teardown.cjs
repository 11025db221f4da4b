'use strict';
// Jest globalTeardown: repeats in one line, after the results, that some suites were not run (global-setup.cjs
// named them and why at the start).
const { checkRequirements, summary } = require('./requirements.cjs');

module.exports = async function globalTeardown() {
  const line = summary(checkRequirements());
  if (line !== undefined) process.stderr.write(`\n${line}\n`);
};
