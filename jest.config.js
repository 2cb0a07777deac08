/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // Silences the AWS SDK's Node-version warning in workers and the processes they spawn.
  setupFiles: ["<rootDir>/test/helpers/quiet-sdk.ts"],
  transform: {
    "^.+\\.(t|j)sx?$": ["@swc/jest", { jsc: { target: "es2022" } }],
  },
  // Tests that start engines (dynalite, serverless-offline, cognito-local) need more than 5 s.
  testTimeout: 60000,
  clearMocks: true,
  restoreMocks: true,
};
