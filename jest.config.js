const requirements = require('./test/environment/requirements.cjs');

// Suites whose reference data (../shared) or tool is missing here are not run; the global setup names them and
// why. With CI=true a missing tool is not skipped: the global setup fails the run.
const notRunnable = requirements.ignorePatterns(requirements.checkRequirements());

// @kubernetes/client-node 2.x is ESM-only; it and its ESM-only dependencies are transpiled to CJS for tests.
const esmPackages = [
  '@kubernetes/client-node',
  'openid-client',
  'oauth4webapi',
  'jose',
  'socks-proxy-agent',
  'agent-base',
  '@marcbachmann/cel-js',
];
const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', ...notRunnable],
  globalSetup: '<rootDir>/test/environment/global-setup.cjs',
  globalTeardown: '<rootDir>/test/environment/global-teardown.cjs',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  clearMocks: true,
  restoreMocks: true,
  testTimeout: 30000,
};
