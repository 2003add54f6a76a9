/**
 * The AWS provider classes this package uses, each a deep import (never the provider's barrel, which loads
 * every one of its ~1,500 classes): the only file that imports the provider bindings. The cdktn flavour's
 * build rewrites `@cdktf/provider-aws` to `@cdktn/provider-aws` here (see framework/core.ts); both publish
 * these classes at the same paths.
 */
export { AwsProvider } from "@cdktf/provider-aws/lib/provider";
export { DataAwsS3Objects } from "@cdktf/provider-aws/lib/data-aws-s3-objects";
export { DataAwsVpc } from "@cdktf/provider-aws/lib/data-aws-vpc";
export { Lb } from "@cdktf/provider-aws/lib/lb";
export { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
export { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
export { LbTargetGroupAttachment } from "@cdktf/provider-aws/lib/lb-target-group-attachment";
export { RamPrincipalAssociation } from "@cdktf/provider-aws/lib/ram-principal-association";
export { RamResourceAssociation } from "@cdktf/provider-aws/lib/ram-resource-association";
export { RamResourceShare } from "@cdktf/provider-aws/lib/ram-resource-share";
export { RamResourceShareAccepter } from "@cdktf/provider-aws/lib/ram-resource-share-accepter";
export { Route53ProfilesAssociation } from "@cdktf/provider-aws/lib/route53profiles-association";
export { Route53ProfilesProfile } from "@cdktf/provider-aws/lib/route53profiles-profile";
export { Route53ProfilesResourceAssociation } from "@cdktf/provider-aws/lib/route53profiles-resource-association";
export { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
export { Route53ResolverEndpoint } from "@cdktf/provider-aws/lib/route53-resolver-endpoint";
export { Route53VpcAssociationAuthorization } from "@cdktf/provider-aws/lib/route53-vpc-association-authorization";
export { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
export { Route53ZoneAssociation } from "@cdktf/provider-aws/lib/route53-zone-association";
export { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
export { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
export { VpcEndpointConnectionAccepter } from "@cdktf/provider-aws/lib/vpc-endpoint-connection-accepter";
export { VpcEndpointPrivateDns } from "@cdktf/provider-aws/lib/vpc-endpoint-private-dns";
export { VpcEndpointService } from "@cdktf/provider-aws/lib/vpc-endpoint-service";
export { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
export { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
