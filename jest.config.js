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
  // Two test files at a time even on two cores (jest's default would be one): most files
  // wait on sockets, processes and the browser rather than compute.
  maxWorkers: 2,
};
