/** Type-checking is done once by `tsc --noEmit` in `npm test`; ts-jest only transpiles (isolatedModules). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  setupFilesAfterEnv: ["<rootDir>/test/setup.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  testTimeout: 120000,
  // The emulator tests spend most of their time in the AWS provider's fixed waits (30 s before polling
  // zones, records, load balancers), not on the CPU: more workers than cores overlaps them.
  maxWorkers: 4,
  // Slow suites first (test/sequencer.js): a fresh clone has no timings, and jest would start the longest last.
  testSequencer: "<rootDir>/test/sequencer.js",
};
