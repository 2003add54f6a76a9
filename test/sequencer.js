/**
 * Runs the slow suites first. Without timings from an earlier run (a fresh CI clone has none), jest orders
 * suites by file size, and the end-to-end run, a small file driving a 15-minute deployment, started last:
 * the whole run waited on it alone. Each slow suite is named here, slowest first; the rest follow in jest's
 * own order.
 */
const Sequencer = require("@jest/test-sequencer").default;

const SLOW = [
  "test/e2e.test.ts",
  "test/stacks/profile-sharing-moto.test.ts",
  "test/flavours/framework-clis-moto.test.ts",
  "test/cli/plan-set-moto.test.ts",
  "test/stacks/profile-switch-moto.test.ts",
  "test/cli/plan-review-moto.test.ts",
  "test/stacks/upstream-outputs-moto.test.ts",
  "test/cli/import-moto.test.ts",
  "test/modules/security-group-moto.test.ts",
  "test/package.test.ts",
  "test/cli/phz-handshake-moto.test.ts",
  "test/cli/pipeline.test.ts",
  "test/topology/property.test.ts",
  "test/flavours/cdktn.test.ts",
  "test/tools/build.test.ts",
  "test/synth/terraform-validate.test.ts",
];

class SlowFirst extends Sequencer {
  async sort(tests) {
    const ordered = await super.sort(tests);
    const rank = (test) => {
      const at = SLOW.findIndex((suffix) => test.path.split(require("path").sep).join("/").endsWith(suffix));
      return at === -1 ? SLOW.length : at;
    };
    // Array.prototype.sort is stable: suites not named keep jest's order.
    return [...ordered].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowFirst;
