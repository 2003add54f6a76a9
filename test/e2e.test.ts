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
  it("deploys the whole example, checks it, and takes it down leaving nothing", async () => {
    const lines: string[] = [];
    const report = await runE2e({ parse, log: (line) => lines.push(line) });
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
        "plan summary: exactly the removed spoke's and service's destroys",
        "removed spoke's VPC is associated with no hub zone",
        "the Tokyo spoke still joins every remaining zone",
        "restored: both spokes join every zone again",
      ]),
    );
    expect(report.checks.length).toBeGreaterThanOrEqual(52);
  }, 20 * 60_000);
});
