// The package's two flavours, built from one source (see framework/core.ts and docs/library.md): what
// differs between them is written here once, for the build (tools/build.mjs), the CDK Terrain package
// (tools/pack-flavour.mjs) and the migration of a user's sources.

/** Per flavour: the output directory, the package name, the framework's packages and what a user installs. */
export const FLAVOURS = {
  cdktf: {
    outdir: "dist",
    packageName: "privatelink-cdktf",
    packages: { cdktf: "cdktf", "@cdktf/provider-aws": "@cdktf/provider-aws" },
    install: "npm install privatelink-cdktf cdktf constructs @cdktf/provider-aws",
  },
  cdktn: {
    outdir: "dist-cdktn",
    packageName: "privatelink-cdktn",
    packages: { cdktf: "cdktn", "@cdktf/provider-aws": "@cdktn/provider-aws" },
    install: "npm install privatelink-cdktn cdktn constructs @cdktn/provider-aws",
    description:
      "CDK Terrain (cdktn) modules and stacks for centralized VPC endpoints, cross-account Route 53 zone sharing and PrivateLink across AWS accounts and regions",
    // What CDK Terrain 0.24 and its AWS provider bindings require (cdktn-cli: Node >= 22.19).
    engines: { node: ">=22.19.0" },
    peerDependencies: { "@cdktn/provider-aws": ">=25.7.0 <26.0.0", cdktn: ">=0.24.0 <0.25.0", constructs: ">=10.6.0 <10.8.0" },
    // What the library example (examples/library) depends on in this flavour.
    exampleDependencies: { "@cdktn/provider-aws": "25.7.0", cdktn: "0.24.0", constructs: "10.7.2" },
    exampleDevDependencies: { "@types/node": "22.20.7" },
  },
};

export function flavourOf(name) {
  const flavour = FLAVOURS[name];
  if (!flavour) throw new Error(`unknown flavour ${name}: cdktf or cdktn`);
  return flavour;
}

/** `cdktf` or `@cdktf/provider-aws/lib/x` as the flavour names it. */
export function flavouredSpecifier(specifier, name) {
  for (const [from, to] of Object.entries(flavourOf(name).packages)) {
    if (specifier === from || specifier.startsWith(`${from}/`)) return to + specifier.slice(from.length);
  }
  return specifier;
}

/** Rewrites the framework's module specifiers in compiled JavaScript, declarations or TypeScript sources. */
export function rewriteSpecifiers(text, name) {
  return text.replace(/(require\(|from |import\()"((?:cdktf|@cdktf\/provider-aws)(?:\/[^"]*)?)"/g, (_, lead, spec) => `${lead}"${flavouredSpecifier(spec, name)}"`);
}

/**
 * A user's TypeScript moved from the cdktf flavour to another: the framework's imports, and this package's
 * name. What docs/library.md tells users to do by hand (the logical ids, outputs and state stay the same).
 */
export function migrateSource(text, name) {
  return rewriteSpecifiers(text, name)
    .replace(/(from |require\(|import\()"privatelink-cdktf"/g, (_, lead) => `${lead}"${flavourOf(name).packageName}"`)
    .replaceAll(FLAVOURS.cdktf.install, flavourOf(name).install);
}
