/**
 * The end-to-end deployment of the bundled example to moto (tools/e2e.ts, also `npm run e2e`):
 * every stack applied in dependency order, checked through AWS SDK calls in each account, checked for
 * drift, then destroyed and checked empty. It covers the applies of the hub (endpoints, zones,
 * resolver, onprem-dns on its real outputs), the spokes (the real handshake script, cross-account and
 * cross-region), the PrivateLink service and both consumers (acceptance included, through the gap
 * proxy, since moto lacks AcceptVpcEndpointConnections).
 */
import { runE2e } from "../tools/e2e";
import { parse } from "./dns-parsers";

describe("end to end on moto", () => {
  // One deployment for day one and day two: on two cores, a second deployment beside the rest of the
  // suite costs more than it saves (tried: the two scenarios side by side took 14 and over 20 minutes).
  it("deploys the whole example, checks it, removes a spoke and a service, restores them, and takes it down leaving nothing", async () => {
    const lines: string[] = [];
    const report = await runE2e({ parse, scenario: "all", log: (line) => lines.push(line) });
    if (report.failed.length > 0) process.stdout.write(`${lines.join("\n")}\n`);
    expect(report.failed).toEqual([]);
    expect(report.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        "no VPC association authorization left after the handshakes",
        "consumer virginia (us-east-1): interface endpoint to the service, service_region ap-northeast-1",
        "both connections accepted by the owner",
        "no drift in hub-tokyo (moto gaps aside)",
        "onprem-dns --format bind from the hub's terraform output -json, accepted by its parser",
        "changing service_region plans a replacement",
        "plan summary: exactly the removed spoke's and service's destroys",
        "plan summary: the change's monthly cost delta",
        "removed spoke's VPC is associated with no hub zone",
        "the Tokyo spoke still joins every remaining zone",
        "restored: both spokes join every zone again",
        "no VPC endpoint left in any VPC",
      ]),
    );
    expect(report.checks.length).toBeGreaterThanOrEqual(53);
    const seconds = (label: string) => report.timings.find(([l]) => l === label)?.[1] ?? NaN;
    process.stdout.write(`e2e: fresh deploy ${seconds("privatelink deploy (fresh)").toFixed(0)} s, destroy ${seconds("privatelink destroy").toFixed(0)} s, whole run ${report.seconds.toFixed(0)} s\n`);
  }, 40 * 60_000);
});
