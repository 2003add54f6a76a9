/**
 * Standing VPC association authorizations on the hubs' zones: a permission for a VPC to join a zone, which
 * the handshake creates and deletes around each association. One left behind by any cause (a container
 * stopped with the handshake and its guard, a run killed before its cleanup) stays a standing permission:
 * a VPC id reused later could join without a new approval. Only native-mode pairs need theirs (Terraform
 * cannot model a temporary one).
 *
 * `privatelink deploy` ends by listing each hub zone's authorizations (ListVPCAssociationAuthorizations) and
 * deleting the ones no current pair needs; `privatelink preflight` reports them. An authorization for a spoke
 * of the topology that this deploy did not apply and that is not associated yet is left alone (another job may
 * be associating it right now), and reported.
 */
import { DeleteVPCAssociationAuthorizationCommand, GetHostedZoneCommand, ListHostedZonesCommand, ListVPCAssociationAuthorizationsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { assumeRole, clientSettings } from "./aws-clients";
import { globalRegionOf } from "../aws/partitions";
import { runIdFromEnv } from "../modules/run-id";
import { HubModel, TopologyModel } from "../topology/model";

export interface StandingAuthorization {
  readonly hub: string;
  readonly zoneId: string;
  readonly zoneName: string;
  readonly vpcId: string;
  readonly vpcRegion: string;
  /** What it is: needed (a native-mode pair), leftover (nothing needs it), or in-flight (a spoke outside this run, not associated yet). */
  readonly status: "needed" | "leftover" | "in-flight";
  /** Why, in a few words. */
  readonly why: string;
}

/** A Route 53 client in the hub's account (its deploy role assumed). */
export async function hubRoute53(model: TopologyModel, hub: HubModel, sessionName: string): Promise<Route53Client> {
  const endpoint = model.target.kind === "local" ? model.target.endpoint : undefined;
  const region = globalRegionOf(hub.vpc.region);
  // Route 53 serves 5 requests per second per account: the SDK backs off on Throttling.
  const credentials = await assumeRole(endpoint, hub.vpc.account.deployRoleArn, sessionName, region, { durationSeconds: 900, maxAttempts: 8 });
  return new Route53Client(clientSettings(endpoint, region, { credentials, maxAttempts: 8 }));
}

/** Every authorization on the hub's zones (found by name among the hub account's private zones), classified. */
export async function standingAuthorizations(hub: HubModel, route53: Route53Client, applied: ReadonlySet<string>): Promise<StandingAuthorization[]> {
  const names = new Set(hub.services.flatMap((s) => s.zones.map((z) => `${z.name}.`)));
  const zones: Array<{ id: string; name: string }> = [];
  let marker: string | undefined;
  do {
    const page = await route53.send(new ListHostedZonesCommand({ Marker: marker }));
    for (const z of page.HostedZones ?? []) if (z.Config?.PrivateZone && names.has(z.Name ?? "")) zones.push({ id: (z.Id ?? "").replace(/^\/hostedzone\//, ""), name: (z.Name ?? "").replace(/\.$/, "") });
    marker = page.IsTruncated ? page.NextMarker : undefined;
  } while (marker);
  const found: StandingAuthorization[] = [];
  for (const zone of zones) {
    let token: string | undefined;
    const vpcs: Array<{ VPCId?: string; VPCRegion?: string }> = [];
    do {
      const page = await route53.send(new ListVPCAssociationAuthorizationsCommand({ HostedZoneId: zone.id, NextToken: token }));
      vpcs.push(...(page.VPCs ?? []));
      token = page.NextToken;
    } while (token);
    if (vpcs.length === 0) continue;
    const associated = new Set(((await route53.send(new GetHostedZoneCommand({ Id: zone.id }))).VPCs ?? []).map((v) => `${v.VPCId}|${v.VPCRegion}`));
    for (const v of vpcs) {
      const vpcId = v.VPCId ?? "";
      const vpcRegion = v.VPCRegion ?? "";
      const spoke = hub.spokes.find((s) => s.vpc.vpcId === vpcId && s.vpc.region === vpcRegion);
      const base = { hub: hub.name, zoneId: zone.id, zoneName: zone.name, vpcId, vpcRegion };
      if (spoke && spoke.association === "native" && spoke.vpc.account.id !== hub.vpc.account.id) {
        found.push({ ...base, status: "needed", why: `spoke ${spoke.name} joins with Terraform resources (native mode), which keep it` });
      } else if (associated.has(`${vpcId}|${vpcRegion}`)) {
        found.push({ ...base, status: "leftover", why: "the VPC is associated: the authorization is no longer needed" });
      } else if (spoke && !applied.has(spoke.stackName)) {
        found.push({ ...base, status: "in-flight", why: `spoke ${spoke.name} is not associated yet and was not part of this run: a handshake may be at work` });
      } else {
        found.push({ ...base, status: "leftover", why: spoke ? `spoke ${spoke.name} was applied and is not associated: no handshake needs it` : "no spoke of the topology has this VPC" });
      }
    }
  }
  return found;
}

/** Deletes the leftover ones; returns what was found, with the outcome of each deletion. */
export async function removeLeftovers(model: TopologyModel, hubs: readonly HubModel[], applied: ReadonlySet<string>): Promise<Array<StandingAuthorization & { deleted?: boolean; error?: string }>> {
  const results: Array<StandingAuthorization & { deleted?: boolean; error?: string }> = [];
  for (const hub of hubs) {
    const route53 = await hubRoute53(model, hub, `privatelink-deploy-${runIdFromEnv(process.env)}`);
    for (const found of await standingAuthorizations(hub, route53, applied)) {
      if (found.status !== "leftover") {
        results.push(found);
        continue;
      }
      try {
        await route53.send(new DeleteVPCAssociationAuthorizationCommand({ HostedZoneId: found.zoneId, VPC: { VPCId: found.vpcId, VPCRegion: found.vpcRegion as never } }));
        results.push({ ...found, deleted: true });
      } catch (error) {
        const code = (error as { name?: string }).name;
        if (code === "VPCAssociationAuthorizationNotFound") results.push({ ...found, deleted: true });
        else results.push({ ...found, deleted: false, error: `${code}: ${(error as Error).message}` });
      }
    }
  }
  return results;
}
