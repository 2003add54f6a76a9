/**
 * The unit suites on the CDK Terrain flavour: the same tests with the framework's packages mapped to CDK
 * Terrain's (cdktn, @cdktn/provider-aws), run on Node 22 by test/flavours/cdktn.test.ts. Suites that only
 * run commands (dist-cdktn/ is their build: PRIVATELINK_FLAVOUR=cdktn) or only talk to the emulator are
 * left to the cdktf run; the cdktn CLI's emulator deployment is its own suite.
 */
const base = require("./jest.config");

/** The suites that build constructs and stacks in-process, and synthesize. */
const UNIT_SUITES = [
  "test/modules/constructs.test.ts",
  "test/stacks/hub-stack.test.ts",
  "test/stacks/spoke-stack.test.ts",
  "test/stacks/privatelink-stacks.test.ts",
  "test/stacks/profile-sharing.test.ts",
  "test/synth/synthesize.test.ts",
  "test/synth/hcl.test.ts",
  "test/synth/estate.test.ts",
  "test/topology/hardening.test.ts",
  "test/main.test.ts",
];

module.exports = {
  ...base,
  testMatch: UNIT_SUITES.map((suite) => `<rootDir>/${suite}`),
  moduleNameMapper: {
    "^cdktf$": "cdktn",
    "^@cdktf/provider-aws/(.*)$": "@cdktn/provider-aws/$1",
  },
  maxWorkers: 2,
};
// For test/flavours/cdktn.test.ts (not enumerable: jest checks the configuration's own keys).
Object.defineProperty(module.exports, "UNIT_SUITES", { value: UNIT_SUITES, enumerable: false });
