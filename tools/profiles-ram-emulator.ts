/**
 * Route 53 Profiles and the part of AWS RAM they need, which moto 5.2 lacks (no `route53profiles`; its RAM
 * has no AssociateResourceShare nor invitations). Written from the API references (both restJson1); the
 * gap proxy answers these services from here. What it enforces:
 *
 * - a Profile serves VPCs of its own region (asked from another region, it is not found);
 * - one Profile per VPC (ConflictException), the VPC must be the caller's (moto is asked);
 * - only the owner adds resources (zones it owns) to its Profile; another account associates a VPC only
 *   through a RAM share holding the Profile whose invitation it accepted (or an organization principal);
 * - RAM: shares, resource and principal associations, invitations to account principals (accepted by the
 *   receiver), leaving a share.
 */
import { randomBytes } from "crypto";

export interface EmulatedCall {
  readonly service: "route53profiles" | "ram";
  readonly region: string;
  readonly account: string;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: string;
}

export interface EmulatedAnswer {
  readonly status: number;
  readonly body: string;
  readonly errorType?: string;
}

export interface EmulatorHooks {
  /** The account owning a hosted zone, or undefined. */
  zoneOwner(zoneId: string): Promise<string | undefined>;
  /** The VPC exists in that account and region. */
  ownsVpc(account: string, vpcId: string, region: string): Promise<boolean>;
  log(operation: string, account: string, outcome: string): void;
}

type Status = "CREATING" | "COMPLETE" | "DELETING";
const now = () => Math.floor(Date.now() / 1000);
const id = (prefix: string) => `${prefix}-${randomBytes(8).toString("hex")}`;

interface Profile { Id: string; Arn: string; Name: string; OwnerId: string; region: string; CreationTime: number; ModificationTime: number; ClientToken?: string }
interface ResourceAssociation { Id: string; Name: string; OwnerId: string; ProfileId: string; ResourceArn: string; ResourceProperties?: string; ResourceType: string; CreationTime: number; ModificationTime: number }
interface VpcAssociation { Id: string; Name: string; OwnerId: string; ProfileId: string; ResourceId: string; region: string; CreationTime: number; ModificationTime: number }
interface Share { arn: string; name: string; owner: string; region: string; allowExternalPrincipals: boolean; resources: Set<string>; principals: Set<string>; tags: Array<{ key: string; value: string }>; created: number; updated: number }
interface Invitation { arn: string; shareArn: string; receiver: string; status: "PENDING" | "ACCEPTED" }

class ApiError extends Error {
  constructor(readonly status: number, readonly type: string, message: string) {
    super(message);
  }
}

const ORG_PRINCIPAL = /^arn:aws[a-z-]*:organizations::/;

export class ProfilesAndRam {
  readonly profiles = new Map<string, Profile>();
  readonly resourceAssociations = new Map<string, ResourceAssociation>();
  readonly vpcAssociations = new Map<string, VpcAssociation>();
  readonly shares = new Map<string, Share>();
  readonly invitations = new Map<string, Invitation>();
  private readonly tags = new Map<string, Record<string, string>>();
  /** AWS's defaults; a test may lower them. */
  readonly limits = { profilesPerRegion: 5, vpcsPerProfile: 1000 };
  /**
   * Member accounts of an organization or OU principal (its ARN), with RAM sharing in the organization on: a
   * member reaches a share with that principal without an invitation, and is not invited when it is also
   * listed by account id. A principal not registered here admits every account (the emulator's default).
   */
  readonly organizations = new Map<string, ReadonlySet<string>>();

  /** Whether an organization or OU principal admits the account. */
  private orgAdmits(principal: string, account: string): boolean {
    if (!ORG_PRINCIPAL.test(principal)) return false;
    const members = this.organizations.get(principal);
    return members === undefined || members.has(account);
  }

  constructor(private readonly hooks: EmulatorHooks) {}

  async answer(call: EmulatedCall): Promise<EmulatedAnswer> {
    try {
      const out = call.service === "ram" ? await this.ram(call) : await this.profilesApi(call);
      return { status: 200, body: JSON.stringify(out) };
    } catch (error) {
      if (error instanceof ApiError) {
        // restJson1 errors: the type in a header and in the body, the message in the body.
        return { status: error.status, errorType: error.type, body: JSON.stringify({ __type: error.type, Message: error.message, message: error.message }) };
      }
      throw error;
    }
  }

  // --- Route 53 Profiles -------------------------------------------------------------------------

  private view<T extends object>(entry: T): Omit<T, "region"> & { Status: Status; StatusMessage: string } {
    const { region: _region, ...rest } = entry as T & { region?: string };
    return { ...(rest as Omit<T, "region">), Status: "COMPLETE", StatusMessage: "Completed" };
  }

  private profileView(p: Profile, caller: string) {
    const shared = [...this.shares.values()].some((s) => s.resources.has(p.Arn));
    return { ...this.view(p), ShareStatus: p.OwnerId === caller ? (shared ? "SHARED_BY_ME" : "NOT_SHARED") : "SHARED_WITH_ME" };
  }

  /** The Profile, if the caller may see it from this region: its owner, or through an accepted share. */
  private visibleProfile(profileId: string, call: EmulatedCall): Profile {
    const p = this.profiles.get(profileId);
    if (!p || p.region !== call.region || !(p.OwnerId === call.account || this.sharedWith(p.Arn, call.account))) {
      throw new ApiError(404, "ResourceNotFoundException", `The profile ${profileId} does not exist`);
    }
    return p;
  }

  private sharedWith(resourceArn: string, account: string): boolean {
    return [...this.shares.values()].some(
      (s) =>
        s.resources.has(resourceArn) &&
        [...s.principals].some((p) => (p === account && [...this.invitations.values()].some((i) => i.shareArn === s.arn && i.receiver === account && i.status === "ACCEPTED")) || this.orgAdmits(p, account)),
    );
  }

  private async profilesApi(call: EmulatedCall): Promise<unknown> {
    const { method, path, account, region } = call;
    const body = call.body ? JSON.parse(call.body) : {};
    let m: RegExpExecArray | null;
    if (method === "POST" && path === "/profile") {
      const owned = [...this.profiles.values()].filter((p) => p.OwnerId === account && p.region === region).length;
      if (owned >= this.limits.profilesPerRegion) throw new ApiError(400, "ServiceQuotaExceededException", `Account ${account} has reached the limit of ${this.limits.profilesPerRegion} profiles in ${region}`);
      const pid = id("rp");
      const p: Profile = { Id: pid, Arn: `arn:aws:route53profiles:${region}:${account}:profile/${pid}`, Name: body.Name, OwnerId: account, region, CreationTime: now(), ModificationTime: now(), ClientToken: body.ClientToken };
      this.profiles.set(pid, p);
      if (Array.isArray(body.Tags)) this.tags.set(pid, Object.fromEntries(body.Tags.map((t: { Key: string; Value: string }) => [t.Key, t.Value])));
      this.hooks.log("CreateProfile", account, `${pid} in ${region}`);
      return { Profile: this.profileView(p, account) };
    }
    if ((m = /^\/profile\/([^/]+)$/.exec(path))) {
      const p = this.visibleProfile(decodeURIComponent(m[1]), call);
      if (method === "GET") return { Profile: this.profileView(p, account) };
      if (method === "DELETE") {
        if (p.OwnerId !== account) throw new ApiError(403, "AccessDeniedException", "Only the owner deletes a profile");
        if ([...this.vpcAssociations.values()].some((a) => a.ProfileId === p.Id)) throw new ApiError(409, "ConflictException", `The profile ${p.Id} is associated with VPCs`);
        if ([...this.resourceAssociations.values()].some((a) => a.ProfileId === p.Id)) throw new ApiError(409, "ConflictException", `The profile ${p.Id} has resources`);
        this.profiles.delete(p.Id);
        this.hooks.log("DeleteProfile", account, p.Id);
        return { Profile: { ...this.profileView(p, account), Status: "DELETED" } };
      }
    }
    if (method === "POST" && path === "/profileresourceassociation") {
      const p = this.visibleProfile(body.ProfileId, call);
      if (p.OwnerId !== account) throw new ApiError(403, "AccessDeniedException", "Only the profile's owner adds resources to it (the share is read-only)");
      const zone = /^arn:aws[a-z-]*:route53:::hostedzone\/(.+)$/.exec(body.ResourceArn ?? "");
      if (!zone) throw new ApiError(400, "ValidationException", `Resource ${body.ResourceArn} is not a private hosted zone (the only kind emulated)`);
      if ((await this.hooks.zoneOwner(zone[1])) !== account) throw new ApiError(404, "ResourceNotFoundException", `The hosted zone ${zone[1]} does not exist`);
      if ([...this.resourceAssociations.values()].some((a) => a.ProfileId === p.Id && a.ResourceArn === body.ResourceArn)) {
        throw new ApiError(409, "ConflictException", `${body.ResourceArn} is already associated with ${p.Id}`);
      }
      const a: ResourceAssociation = { Id: id("rpr"), Name: body.Name, OwnerId: account, ProfileId: p.Id, ResourceArn: body.ResourceArn, ResourceProperties: body.ResourceProperties, ResourceType: "PRIVATE_HOSTED_ZONE", CreationTime: now(), ModificationTime: now() };
      this.resourceAssociations.set(a.Id, a);
      this.hooks.log("AssociateResourceToProfile", account, `${zone[1]} to ${p.Id}`);
      return { ProfileResourceAssociation: this.view(a) };
    }
    if (method === "GET" && (m = /^\/profileresourceassociation\/([^/]+)$/.exec(path))) {
      const a = this.resourceAssociations.get(decodeURIComponent(m[1]));
      if (!a || a.OwnerId !== account) throw new ApiError(404, "ResourceNotFoundException", `The resource association ${m[1]} does not exist`);
      return { ProfileResourceAssociation: this.view(a) };
    }
    if (method === "DELETE" && (m = /^\/profileresourceassociation\/profileid\/([^/]+)\/resourcearn\/(.+)$/.exec(path))) {
      const [profileId, resourceArn] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
      const a = [...this.resourceAssociations.values()].find((r) => r.ProfileId === profileId && r.ResourceArn === resourceArn && r.OwnerId === account);
      if (!a) throw new ApiError(404, "ResourceNotFoundException", `${resourceArn} is not associated with ${profileId}`);
      this.resourceAssociations.delete(a.Id);
      this.hooks.log("DisassociateResourceFromProfile", account, `${resourceArn} from ${profileId}`);
      return { ProfileResourceAssociation: { ...this.view(a), Status: "DELETING" } };
    }
    if (method === "POST" && path === "/profileassociation") {
      const p = this.visibleProfile(body.ProfileId, call);
      const vpcId = String(body.ResourceId ?? "");
      if (!(await this.hooks.ownsVpc(account, vpcId, region))) throw new ApiError(404, "ResourceNotFoundException", `The VPC ${vpcId} does not exist in ${region} for account ${account}`);
      const existing = [...this.vpcAssociations.values()].find((a) => a.ResourceId === vpcId && a.region === region);
      if (existing) throw new ApiError(409, "ConflictException", `The VPC ${vpcId} is already associated with profile ${existing.ProfileId}: a VPC can have only one profile`);
      const count = [...this.vpcAssociations.values()].filter((a) => a.ProfileId === p.Id).length;
      if (count >= this.limits.vpcsPerProfile) throw new ApiError(400, "ServiceQuotaExceededException", `The profile ${p.Id} has ${count} VPCs, the limit`);
      const a: VpcAssociation = { Id: id("rpassoc"), Name: body.Name, OwnerId: account, ProfileId: p.Id, ResourceId: vpcId, region, CreationTime: now(), ModificationTime: now() };
      this.vpcAssociations.set(a.Id, a);
      if (Array.isArray(body.Tags)) this.tags.set(a.Id, Object.fromEntries(body.Tags.map((t: { Key: string; Value: string }) => [t.Key, t.Value])));
      this.hooks.log("AssociateProfile", account, `${vpcId} with ${p.Id}`);
      return { ProfileAssociation: this.view(a) };
    }
    if (method === "GET" && (m = /^\/profileassociation\/([^/]+)$/.exec(path))) {
      const a = this.vpcAssociations.get(decodeURIComponent(m[1]));
      if (!a || a.OwnerId !== account || a.region !== region) throw new ApiError(404, "ResourceNotFoundException", `The profile association ${m[1]} does not exist`);
      return { ProfileAssociation: this.view(a) };
    }
    if (method === "DELETE" && (m = /^\/profileassociation\/profileid\/([^/]+)\/resourceid\/([^/]+)$/i.exec(path))) {
      const [profileId, vpcId] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
      const a = [...this.vpcAssociations.values()].find((v) => v.ProfileId === profileId && v.ResourceId === vpcId && v.OwnerId === account && v.region === region);
      if (!a) throw new ApiError(404, "ResourceNotFoundException", `${vpcId} is not associated with ${profileId}`);
      this.vpcAssociations.delete(a.Id);
      this.hooks.log("DisassociateProfile", account, `${vpcId} from ${profileId}`);
      return { ProfileAssociation: { ...this.view(a), Status: "DELETING" } };
    }
    // The List calls answer one page: the estates a test builds are far below a page (100).
    if (method === "GET" && path === "/profiles") {
      const visible = [...this.profiles.values()].filter((p) => p.region === region && (p.OwnerId === account || this.sharedWith(p.Arn, account)));
      return { ProfileSummaries: visible.map((p) => ({ Id: p.Id, Arn: p.Arn, Name: p.Name, ShareStatus: this.profileView(p, account).ShareStatus })) };
    }
    if (method === "GET" && path === "/profileassociations") {
      // The caller's own VPC associations (a Profile's owner does not see its consumers' associations).
      const profileId = call.query.get("profileId");
      const resourceId = call.query.get("resourceId");
      const own = [...this.vpcAssociations.values()].filter((a) => a.OwnerId === account && a.region === region && (!profileId || a.ProfileId === profileId) && (!resourceId || a.ResourceId === resourceId));
      return { ProfileAssociations: own.map((a) => this.view(a)) };
    }
    if ((m = /^\/tags\/(.+)$/.exec(path))) {
      // Tags are kept by resource id, the ARN's last segment (profile/<id>, profile-association/<id>).
      const arn = decodeURIComponent(m[1]).split("/").pop()!;
      if (method === "GET") return { Tags: this.tags.get(arn) ?? {} };
      if (method === "POST") {
        this.tags.set(arn, { ...(this.tags.get(arn) ?? {}), ...(body.Tags ?? {}) });
        return {};
      }
      if (method === "DELETE") {
        const keys = call.query.getAll("tagKeys");
        this.tags.set(arn, Object.fromEntries(Object.entries(this.tags.get(arn) ?? {}).filter(([k]) => !keys.includes(k))));
        return {};
      }
    }
    throw new ApiError(400, "ValidationException", `${method} ${path} is not emulated`);
  }

  // --- RAM ----------------------------------------------------------------------------------------

  private shareView(s: Share) {
    return {
      resourceShareArn: s.arn,
      name: s.name,
      owningAccountId: s.owner,
      allowExternalPrincipals: s.allowExternalPrincipals,
      status: "ACTIVE",
      tags: s.tags,
      creationTime: s.created,
      lastUpdatedTime: s.updated,
      featureSet: "STANDARD",
    };
  }

  private ownedShare(arn: string, call: EmulatedCall): Share {
    const s = this.shares.get(arn);
    if (!s || s.owner !== call.account) throw new ApiError(400, "UnknownResourceException", `ResourceShare ${arn} could not be found.`);
    return s;
  }

  private associations(s: Share, type: "PRINCIPAL" | "RESOURCE", status = "ASSOCIATED") {
    const entities = type === "PRINCIPAL" ? s.principals : s.resources;
    return [...entities].map((e) => ({
      resourceShareArn: s.arn,
      resourceShareName: s.name,
      associatedEntity: e,
      associationType: type,
      status,
      creationTime: s.created,
      lastUpdatedTime: s.updated,
      external: type === "PRINCIPAL" && !ORG_PRINCIPAL.test(e),
    }));
  }

  private invite(s: Share, principal: string): void {
    if (ORG_PRINCIPAL.test(principal) || principal === s.owner) return;
    // An account of an organization the share already names is not invited (sharing within the organization).
    if ([...s.principals].some((p) => p !== principal && ORG_PRINCIPAL.test(p) && this.organizations.get(p)?.has(principal))) return;
    const arn = `arn:aws:ram:${s.region}:${s.owner}:resource-share-invitation/${randomBytes(8).toString("hex")}`;
    this.invitations.set(arn, { arn, shareArn: s.arn, receiver: principal, status: "PENDING" });
  }

  private invitationView(i: Invitation) {
    const s = this.shares.get(i.shareArn);
    return { resourceShareInvitationArn: i.arn, resourceShareArn: i.shareArn, resourceShareName: s?.name, senderAccountId: s?.owner, receiverAccountId: i.receiver, invitationTimestamp: now(), status: i.status };
  }

  private async ram(call: EmulatedCall): Promise<unknown> {
    const { method, path, account, region } = call;
    const body = call.body ? JSON.parse(call.body) : {};
    const arns = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
    switch (`${method} ${path}`) {
      case "POST /createresourceshare": {
        const arn = `arn:aws:ram:${region}:${account}:resource-share/${randomBytes(16).toString("hex")}`;
        const s: Share = { arn, name: body.name, owner: account, region, allowExternalPrincipals: body.allowExternalPrincipals ?? true, resources: new Set(arns(body.resourceArns)), principals: new Set(arns(body.principals)), tags: body.tags ?? [], created: now(), updated: now() };
        this.shares.set(arn, s);
        for (const p of s.principals) this.invite(s, p);
        this.hooks.log("CreateResourceShare", account, arn);
        return { resourceShare: this.shareView(s), clientToken: body.clientToken };
      }
      case "POST /getresourceshares": {
        const wanted = arns(body.resourceShareArns);
        const other = body.resourceOwner === "OTHER-ACCOUNTS";
        const list = [...this.shares.values()].filter(
          (s) =>
            (wanted.length === 0 || wanted.includes(s.arn)) &&
            s.region === region &&
            (other ? s.owner !== account && this.sharedWithShare(s, account) : s.owner === account) &&
            (body.name === undefined || s.name === body.name),
        );
        return { resourceShares: list.map((s) => this.shareView(s)) };
      }
      case "POST /updateresourceshare": {
        const s = this.ownedShare(body.resourceShareArn, call);
        if (body.name !== undefined) s.name = body.name;
        if (body.allowExternalPrincipals !== undefined) s.allowExternalPrincipals = body.allowExternalPrincipals;
        s.updated = now();
        return { resourceShare: this.shareView(s), clientToken: body.clientToken };
      }
      case "DELETE /deleteresourceshare": {
        const s = this.ownedShare(call.query.get("resourceShareArn") ?? "", call);
        this.shares.delete(s.arn);
        for (const [arn, i] of this.invitations) if (i.shareArn === s.arn) this.invitations.delete(arn);
        this.hooks.log("DeleteResourceShare", account, s.arn);
        return { returnValue: true, clientToken: call.query.get("clientToken") };
      }
      case "POST /associateresourceshare": {
        const s = this.ownedShare(body.resourceShareArn, call);
        for (const r of arns(body.resourceArns)) {
          const profile = [...this.profiles.values()].find((p) => p.Arn === r);
          if (!profile || profile.OwnerId !== account) throw new ApiError(400, "UnknownResourceException", `Resource ${r} could not be found (only Route 53 Profiles are emulated).`);
          s.resources.add(r);
        }
        for (const p of arns(body.principals)) {
          if (!s.allowExternalPrincipals && !ORG_PRINCIPAL.test(p)) throw new ApiError(400, "OperationNotPermittedException", `The share does not allow external principals: ${p}`);
          s.principals.add(p);
          this.invite(s, p);
        }
        s.updated = now();
        this.hooks.log("AssociateResourceShare", account, `${[...arns(body.resourceArns), ...arns(body.principals)].join(",")} to ${s.arn}`);
        return {
          resourceShareAssociations: [
            ...arns(body.resourceArns).map((e) => ({ resourceShareArn: s.arn, associatedEntity: e, associationType: "RESOURCE", status: "ASSOCIATING" })),
            ...arns(body.principals).map((e) => ({ resourceShareArn: s.arn, associatedEntity: e, associationType: "PRINCIPAL", status: "ASSOCIATING" })),
          ],
          clientToken: body.clientToken,
        };
      }
      case "POST /disassociateresourceshare": {
        const s = this.shares.get(body.resourceShareArn);
        if (!s) throw new ApiError(400, "UnknownResourceException", `ResourceShare ${body.resourceShareArn} could not be found.`);
        const principals = arns(body.principals);
        if (s.owner !== account) {
          // A receiver leaving the share.
          if (principals.length !== 1 || principals[0] !== account) throw new ApiError(400, "OperationNotPermittedException", "A receiver can only remove itself");
          for (const [arn, i] of this.invitations) if (i.shareArn === s.arn && i.receiver === account) this.invitations.delete(arn);
          s.principals.delete(account);
          this.hooks.log("DisassociateResourceShare", account, `left ${s.arn}`);
          return { resourceShareAssociations: [{ resourceShareArn: s.arn, associatedEntity: account, associationType: "PRINCIPAL", status: "DISASSOCIATING" }] };
        }
        for (const r of arns(body.resourceArns)) s.resources.delete(r);
        for (const p of principals) {
          s.principals.delete(p);
          for (const [arn, i] of this.invitations) if (i.shareArn === s.arn && i.receiver === p) this.invitations.delete(arn);
        }
        s.updated = now();
        this.hooks.log("DisassociateResourceShare", account, `${[...arns(body.resourceArns), ...principals].join(",")} from ${s.arn}`);
        return {
          resourceShareAssociations: [
            ...arns(body.resourceArns).map((e) => ({ resourceShareArn: s.arn, associatedEntity: e, associationType: "RESOURCE", status: "DISASSOCIATING" })),
            ...principals.map((e) => ({ resourceShareArn: s.arn, associatedEntity: e, associationType: "PRINCIPAL", status: "DISASSOCIATING" })),
          ],
        };
      }
      case "POST /getresourceshareassociations": {
        const wanted = arns(body.resourceShareArns);
        const type = body.associationType === "RESOURCE" ? "RESOURCE" : "PRINCIPAL";
        const list = [...this.shares.values()]
          .filter((s) => s.owner === account && s.region === region && (wanted.length === 0 || wanted.includes(s.arn)))
          .flatMap((s) => this.associations(s, type))
          .filter((a) => (body.principal === undefined || a.associatedEntity === body.principal) && (body.resourceArn === undefined || a.associatedEntity === body.resourceArn))
          .filter((a) => body.associationStatus === undefined || a.status === body.associationStatus);
        return { resourceShareAssociations: list };
      }
      case "POST /getresourceshareinvitations": {
        const byArn = arns(body.resourceShareInvitationArns);
        const byShare = arns(body.resourceShareArns);
        const list = [...this.invitations.values()].filter((i) => i.receiver === account && (byArn.length === 0 || byArn.includes(i.arn)) && (byShare.length === 0 || byShare.includes(i.shareArn)));
        if (byArn.length > 0 && list.length === 0) throw new ApiError(400, "ResourceShareInvitationArnNotFoundException", `ResourceShareInvitation ${byArn[0]} could not be found.`);
        return { resourceShareInvitations: list.map((i) => this.invitationView(i)) };
      }
      case "POST /acceptresourceshareinvitation": {
        const i = this.invitations.get(body.resourceShareInvitationArn);
        if (!i || i.receiver !== account) throw new ApiError(400, "ResourceShareInvitationArnNotFoundException", `ResourceShareInvitation ${body.resourceShareInvitationArn} could not be found.`);
        i.status = "ACCEPTED";
        this.hooks.log("AcceptResourceShareInvitation", account, i.shareArn);
        return { resourceShareInvitation: this.invitationView(i), clientToken: body.clientToken };
      }
      case "POST /listresources": {
        const wanted = arns(body.resourceShareArns);
        const other = body.resourceOwner === "OTHER-ACCOUNTS";
        const list = [...this.shares.values()]
          .filter((s) => (wanted.length === 0 || wanted.includes(s.arn)) && (other ? s.owner !== account && this.sharedWithShare(s, account) : s.owner === account))
          .flatMap((s) => [...s.resources].map((r) => ({ arn: r, type: "route53profiles:Profile", resourceShareArn: s.arn, status: "AVAILABLE", creationTime: s.created, lastUpdatedTime: s.updated })));
        return { resources: list };
      }
      case "POST /listresourcesharepermissions":
        return { permissions: [{ arn: "arn:aws:ram::aws:permission/AWSRAMPermissionRoute53ProfileAllowAssociation", version: "1", defaultVersion: true, name: "AWSRAMPermissionRoute53ProfileAllowAssociation", resourceType: "route53profiles:Profile", status: "ATTACHABLE", isResourceTypeDefault: true, permissionType: "AWS_MANAGED" }] };
      case "POST /tagresource": {
        const s = this.ownedShare(body.resourceShareArn, call);
        const tags: Array<{ key: string; value: string }> = body.tags ?? [];
        s.tags = [...s.tags.filter((t) => !tags.some((n) => n.key === t.key)), ...tags];
        return {};
      }
      case "POST /untagresource": {
        const s = this.ownedShare(body.resourceShareArn, call);
        const keys: string[] = body.tagKeys ?? [];
        s.tags = s.tags.filter((t) => !keys.includes(t.key));
        return {};
      }
    }
    throw new ApiError(400, "InvalidParameterException", `${method} ${path} is not emulated`);
  }

  private sharedWithShare(s: Share, account: string): boolean {
    return [...s.principals].some((p) => this.orgAdmits(p, account)) || [...this.invitations.values()].some((i) => i.shareArn === s.arn && i.receiver === account && i.status === "ACCEPTED");
  }
}
