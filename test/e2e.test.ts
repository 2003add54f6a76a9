/**
 * The end-to-end deployment of the bundled example to moto (tools/e2e.ts, also `npm run e2e`), day one:
 * every stack applied in dependency order, checked through AWS SDK calls in each account, checked for
 * drift, then destroyed and checked empty. It covers the applies of the hub (endpoints, zones,
 * resolver, onprem-dns on its real outputs), the spokes (the real handshake script, cross-account and
 * cross-region), the PrivateLink service and both consumers (acceptance included, through the gap
 * proxy, since moto lacks AcceptVpcEndpointConnections).
 */
import { runE2e } from "../tools/e2e";
import { parse } from "./dns-parsers";

describe("end to end on moto: day one", () => {
  it("deploys the whole example, checks it, and takes it down leaving nothing", async () => {
    const lines: string[] = [];
    const report = await runE2e({ parse, scenario: "fresh", log: (line) => lines.push(line) });
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
        "no VPC endpoint left in any VPC",
      ]),
    );
    expect(report.checks.length).toBeGreaterThanOrEqual(40);
    // The budget for the example's fresh deploy and destroy together.
    const seconds = (label: string) => report.timings.find(([l]) => l === label)![1];
    process.stdout.write(`e2e day one: deploy ${seconds("privatelink deploy (fresh)").toFixed(0)} s, destroy ${seconds("privatelink destroy").toFixed(0)} s, whole scenario ${report.seconds.toFixed(0)} s\n`);
  }, 20 * 60_000);
});
