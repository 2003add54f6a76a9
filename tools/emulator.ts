/**
 * The local AWS emulator as the end-to-end run, the tests and `npm run emulator` use it: moto_server on a
 * free loopback port, the gap proxy in front of it (what moto lacks, done openly), credentials per
 * account (moto tells accounts apart by the role assumed), and the network a topology refers to (VPCs,
 * subnets, target instances and their security group), created in the right accounts and regions.
 */
import * as fs from "fs";
import { parse as parseYaml } from "yaml";
import { accountCredentials, createTargets, createVpc, EmulatorCredentials } from "./emulator-fixtures";
import { MotoGapProxy } from "./moto-gap-proxy";
import { Moto, startMoto } from "./moto";

type Doc = Record<string, any>;

export interface Emulator {
  /** What clients talk to: the gap proxy. */
  readonly url: string;
  readonly moto: Moto;
  readonly proxy: MotoGapProxy;
  /** Credentials of an account of the emulator (its deploy role assumed), cached. */
  credentials(accountId: string): Promise<EmulatorCredentials>;
  /**
   * Creates the VPCs, subnets and service targets of a topology document in the emulator and returns it
   * with the emulator's ids in place of the document's, and the local target set.
   */
  prepare(doc: Doc): Promise<Doc>;
  stop(): Promise<void>;
}

export async function startEmulator(): Promise<Emulator> {
  const moto = await startMoto();
  const proxy = new MotoGapProxy(moto.url);
  try {
    await proxy.start();
  } catch (error) {
    await moto.stop();
    throw error;
  }
  const cache = new Map<string, Promise<EmulatorCredentials>>();
  const credentials = (accountId: string) => {
    if (!cache.has(accountId)) cache.set(accountId, accountCredentials(proxy.url, `arn:aws:iam::${accountId}:role/privatelink-deployer`));
    return cache.get(accountId)!;
  };
  return {
    url: proxy.url,
    moto,
    proxy,
    credentials,
    prepare: (doc) => prepareTopology(proxy.url, doc, credentials),
    async stop() {
      await proxy.stop();
      await moto.stop();
    },
  };
}

/** Reads a topology file (YAML or JSON) as a plain document. */
export function readTopologyDoc(file: string): Doc {
  return parseYaml(fs.readFileSync(file, "utf8"));
}

async function prepareTopology(url: string, source: Doc, credentials: (account: string) => Promise<EmulatorCredentials>): Promise<Doc> {
  const doc: Doc = JSON.parse(JSON.stringify(source));
  const ids = new Map<string, string>();
  for (const vpc of Object.values<any>(doc.vpcs)) {
    const account = doc.accounts[vpc.account].id;
    const created = await createVpc(url, await credentials(account), vpc.region, vpc.cidr, vpc.subnets.map((s: any) => ({ az: s.az, cidr: s.cidr })));
    ids.set(vpc.vpcId, created.vpcId);
    vpc.subnets.forEach((s: any, i: number) => ids.set(s.id, created.subnets[i].id));
  }
  for (const service of Object.values<any>(doc.privateLink ?? {})) {
    const provider = service.provider;
    if (!provider) continue;
    const vpc = doc.vpcs[provider.vpc];
    const first = { id: ids.get(vpc.subnets[0].id)!, az: vpc.subnets[0].az, cidr: vpc.subnets[0].cidr };
    const made = await createTargets(url, await credentials(doc.accounts[vpc.account].id), vpc.region, { vpcId: ids.get(vpc.vpcId)!, cidr: vpc.cidr, subnets: [first] }, provider.targets.ids.length);
    if (provider.targets.type === "instance") provider.targets.ids.forEach((id: string, i: number) => ids.set(id, made.instanceIds[i]));
    if (provider.targets.securityGroupId) ids.set(provider.targets.securityGroupId, made.securityGroupId);
  }
  const text = JSON.stringify(doc).replace(/"((?:vpc|subnet|sg|i)-[0-9a-f]+)"/g, (whole, id: string) => (ids.has(id) ? JSON.stringify(ids.get(id)) : whole));
  const rewritten = JSON.parse(text);
  rewritten.target = { kind: "local", endpoint: url };
  return rewritten;
}
