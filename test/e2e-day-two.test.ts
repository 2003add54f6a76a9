/**
 * Day two on moto (tools/e2e.ts, scenario day-two; its own emulator, so it runs beside the day-one
 * suite): deploy the example, remove a spoke and a hub service, `privatelink plan` (the summary shows
 * exactly their destroys, the disassociations and the cost delta), deploy, check that exactly they went
 * (no association, no authorization left; the other spoke still resolves every remaining zone; untouched
 * stacks planned no change), restore, deploy, destroy, nothing left.
 */
import { runE2e } from "../tools/e2e";

describe("end to end on moto: day two", () => {
  it("removes a spoke and a service, then restores them, then takes everything down", async () => {
    const lines: string[] = [];
    const report = await runE2e({ scenario: "day-two", log: (line) => lines.push(line) });
    if (report.failed.length > 0) process.stdout.write(`${lines.join("\n")}\n`);
    expect(report.failed).toEqual([]);
    expect(report.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        "plan summary: exactly the removed spoke's and service's destroys",
        "plan summary: the change's monthly cost delta",
        "removed spoke's VPC is associated with no hub zone",
        "the Tokyo spoke still joins every remaining zone",
        "restored: both spokes join every zone again",
        "no VPC endpoint left in any VPC",
      ]),
    );
    expect(report.checks.length).toBeGreaterThanOrEqual(15);
  }, 20 * 60_000);
});
