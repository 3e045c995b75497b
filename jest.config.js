/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // Every supertest answer from an app made by createApp is checked against its /openapi.json.
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/openapi-contract.ts'],
  reporters: ['default', '<rootDir>/.ci/summary-reporter.js'],
  // Process tests spawn real servers and CLIs; give them room on a 2-core machine.
  testTimeout: 20000,
};
