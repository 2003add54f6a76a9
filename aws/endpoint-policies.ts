/**
 * VPC endpoint policies: what AWS accepts, and the organization-scoped policy this package writes for a hub
 * (the pattern AWS documents and Landing Zone Accelerator applies to its centralized endpoints).
 */
import { TEMPLATE_SEQUENCE } from "./patterns";

/** AWS's limit on an endpoint policy: 20,480 characters (white space included). */
export const MAX_ENDPOINT_POLICY_CHARS = 20_480;

/** An organization id: `o-` and 10 to 32 lower-case letters and digits. */
export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/**
 * Allows every action on every resource, to principals of the organization only (`aws:PrincipalOrgID`); for S3
 * also only on the organization's buckets (`aws:ResourceOrgID`). Clients that use AWS-owned buckets through the
 * endpoint (package repositories, some SSM documents) then need their own statement: give that service a policy
 * file instead.
 */
export function organizationPolicy(organizationId: string, service: string): string {
  const condition: Record<string, string> = { "aws:PrincipalOrgID": organizationId };
  if (service === "s3") condition["aws:ResourceOrgID"] = organizationId;
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "OrganizationOnly", Effect: "Allow", Principal: "*", Action: "*", Resource: "*", Condition: { StringEquals: condition } }],
  });
}

/**
 * IAM policy variables (`${aws:PrincipalAccount}`, `${aws:PrincipalTag/team, 'none'}`, `${*}`, `${?}`, `${$}`):
 * a policy may hold them; they reach the endpoint as written (the module escapes them for Terraform).
 */
export const POLICY_VARIABLE = /\$\{(?:[A-Za-z0-9-]+:[A-Za-z0-9_:/.-]+(?:, *'[^'$%{}]*')?|\*|\?|\$)\}/g;

/** What is wrong with a policy document (empty when AWS would take it). */
export function policyProblems(text: string): string[] {
  const match = TEMPLATE_SEQUENCE.exec(text.replace(POLICY_VARIABLE, ""));
  if (match) return [`holds "${match[0]}" that is not an IAM policy variable such as \${aws:PrincipalAccount}: refused, as Terraform would read it as a template`];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return [`is not JSON (${(error as Error).message})`];
  }
  const problems: string[] = [];
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return ["is not a JSON object (a policy document: { \"Version\": ..., \"Statement\": [...] })"];
  const statement = (doc as Record<string, unknown>).Statement;
  if (statement === undefined || (typeof statement !== "object" && !Array.isArray(statement))) problems.push("has no Statement");
  const compact = JSON.stringify(doc);
  if (compact.length > MAX_ENDPOINT_POLICY_CHARS) problems.push(`is ${compact.length} characters (without white space), more than the ${MAX_ENDPOINT_POLICY_CHARS} AWS accepts`);
  return problems;
}

/** A policy as the endpoint gets it: compact JSON (what counts against AWS's limit). */
export function compactPolicy(text: string): string {
  return JSON.stringify(JSON.parse(text));
}
