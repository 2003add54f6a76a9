import { Problem } from "./problems";
import { CORE_RULES, ProblemList, rawVpcs, Rule } from "./rules";
import { checkPrivateLink } from "./rules-privatelink";
import { checkProfiles } from "./rules-profiles";
import { checkQuotas } from "./rules-quotas";

const RULES: Rule[] = [...CORE_RULES, checkPrivateLink, checkQuotas, checkProfiles];

/** Runs every rule. A rule that trips over malformed input is skipped only when the structure is already known bad. */
export function runRules(doc: unknown, structureIsValid: boolean): Problem[] {
  const out = new ProblemList();
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return out.problems;
  const raw = doc as Record<string, unknown>;
  const vpcs = rawVpcs(raw);
  for (const rule of RULES) {
    try {
      rule(raw, out, vpcs);
    } catch (error) {
      if (structureIsValid) throw error;
    }
  }
  return out.problems;
}
