/**
 * The read calls of Route 53 Profiles that preflight makes (ListProfiles, ListProfileAssociations),
 * SigV4-signed over HTTPS. The npm registry this project builds from has no
 * `@aws-sdk/client-route53profiles`, so these two calls are written here from the API reference
 * (restJson1, signing name `route53profiles`, endpoint `route53profiles.<region>.<dns suffix>`), with the
 * SDK's own signer.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { dnsSuffixOf } from "../aws/partitions";

export interface ProfilesCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** ListProfiles: the Profiles the account owns and those shared with it, in the client's Region. */
export interface ProfileSummary {
  readonly Id: string;
  readonly Arn: string;
  readonly Name: string;
  /** NOT_SHARED, SHARED_WITH_ME or SHARED_BY_ME. */
  readonly ShareStatus?: string;
}

/** ListProfileAssociations: the account's VPC associations in the client's Region. */
export interface ProfileAssociationSummary {
  readonly Id: string;
  readonly Name?: string;
  readonly OwnerId?: string;
  readonly ProfileId: string;
  readonly ResourceId: string;
  readonly Status?: string;
}

/** An error answer: `name` is the AWS error code (x-amzn-errortype or the body's __type). */
export class ProfilesApiError extends Error {
  constructor(name: string, message: string, readonly status: number) {
    super(message);
    this.name = name;
  }
}

export interface ProfilesReaderOptions {
  readonly region: string;
  readonly credentials: ProfilesCredentials;
  /** Another endpoint (the emulator). @default - https://route53profiles.<region>.<dns suffix> */
  readonly endpoint?: string;
  /** Attempts per call on throttling, 5xx and network errors. @default 5 */
  readonly maxAttempts?: number;
}

const RETRYABLE = /Throttl|TooManyRequests|InternalServer|ServiceUnavailable/;

export class Route53ProfilesReader {
  private readonly url: URL;
  private readonly signer: SignatureV4;

  constructor(private readonly options: ProfilesReaderOptions) {
    this.url = new URL(options.endpoint ?? `https://route53profiles.${options.region}.${dnsSuffixOf(options.region)}`);
    this.signer = new SignatureV4({ service: "route53profiles", region: options.region, credentials: options.credentials, sha256: Sha256 });
  }

  async listProfiles(): Promise<ProfileSummary[]> {
    return this.paginate<ProfileSummary>("/profiles", {}, "ProfileSummaries");
  }

  async listProfileAssociations(filter: { readonly resourceId?: string; readonly profileId?: string } = {}): Promise<ProfileAssociationSummary[]> {
    const query: Record<string, string> = {};
    if (filter.resourceId) query.resourceId = filter.resourceId;
    if (filter.profileId) query.profileId = filter.profileId;
    return this.paginate<ProfileAssociationSummary>("/profileassociations", query, "ProfileAssociations");
  }

  private async paginate<T>(path: string, query: Record<string, string>, key: string): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    do {
      const page = (await this.get(path, { ...query, maxResults: "100", ...(token ? { nextToken: token } : {}) })) as Record<string, unknown>;
      items.push(...((page[key] as T[] | undefined) ?? []));
      token = typeof page.NextToken === "string" && page.NextToken ? page.NextToken : undefined;
    } while (token);
    return items;
  }

  private async get(path: string, query: Record<string, string>): Promise<unknown> {
    const attempts = this.options.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(path, query);
      } catch (error) {
        const retryable = error instanceof ProfilesApiError ? error.status >= 500 || error.status === 429 || RETRYABLE.test(error.name) : true;
        if (!retryable || attempt >= attempts) throw error;
        // Capped exponential backoff with full jitter.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(5_000, 200 * 2 ** attempt)));
      }
    }
  }

  private async once(path: string, query: Record<string, string>): Promise<unknown> {
    const basePath = this.url.pathname.replace(/\/$/, "");
    const request = {
      method: "GET",
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      port: this.url.port ? Number(this.url.port) : undefined,
      path: `${basePath}${path}`,
      query,
      headers: { host: this.url.host },
    };
    const signed = await this.signer.sign(request);
    const search = new URLSearchParams(query).toString();
    const response = await fetch(`${this.url.protocol}//${this.url.host}${request.path}${search ? `?${search}` : ""}`, {
      method: "GET",
      headers: signed.headers as Record<string, string>,
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    if (!response.ok) {
      let body: { __type?: string; message?: string; Message?: string } = {};
      try {
        body = JSON.parse(text);
      } catch {}
      const type = (response.headers.get("x-amzn-errortype") ?? body.__type ?? `Http${response.status}`).split(":")[0].split("#").pop()!;
      throw new ProfilesApiError(type, body.Message ?? body.message ?? (text.slice(0, 200) || response.statusText), response.status);
    }
    return text ? JSON.parse(text) : {};
  }
}
