/**
 * The AWS services that offer interface VPC endpoints, as this release knows them, and how their
 * endpoint service names are formed per region and partition.
 *
 * Source: the AWS CDK's `InterfaceVpcEndpointAwsService` table and its `getDefaultEndpointPrefix` /
 * `getDefaultEndpointSuffix` exceptions (aws/aws-cdk, packages/aws-cdk-lib/aws-ec2/lib/vpc-endpoint.ts,
 * commit 000a9eb6dd93c8025d184934c66dee83868c8f28), which its maintainers keep from
 * `aws ec2 describe-vpc-endpoint-services`, the ground truth. A service AWS adds later can still be
 * used: declare it with `unlisted: true` in the topology.
 */

/** Short names (the part after `com.amazonaws.<region>.`) of the regional interface endpoint services. */
export const INTERFACE_SERVICES: ReadonlySet<string> = new Set(
  `access-analyzer account acm acm-fips acm-pca acm-pca-fips airflow.api airflow.api-fips airflow.env airflow.env-fips
  airflow.ops analytics-omics app-integrations appconfig appconfigdata application-autoscaling application-signals
  applicationinsights appmesh appmesh-envoy-management apprunner apprunner.requests appstream.api appstream.streaming
  appsync-api aps aps-workspaces apptest arsenal-discovery athena auditmanager autoscaling autoscaling-plans awsconnector
  b2bi backup backup-gateway batch bcm-data-exports bcm-pricing-calculator bedrock bedrock-agent bedrock-agent-runtime
  bedrock-agentcore bedrock-agentcore.gateway bedrock-data-automation bedrock-data-automation-fips
  bedrock-data-automation-runtime bedrock-data-automation-runtime-fips bedrock-fips bedrock-runtime bedrock-runtime-fips
  billing billingconductor braket cases cassandra cassandra-fips ce cleanrooms cleanrooms-ml cloudcontrolapi
  cloudcontrolapi-fips clouddirectory cloudformation cloudhsmv2 cloudtrail codeartifact.api codeartifact.repositories
  codebuild codebuild-fips codecatalyst.git codecatalyst.packages codecommit codecommit-fips codeconnections.api codedeploy
  codedeploy-commands-secure codeguru-profiler codeguru-reviewer codepipeline codestar-connections.api codewhisperer
  cognito-identity cognito-identity-fips cognito-idp cognito-idp-fips comprehend comprehendmedical compute-optimizer
  config connect-campaigns console control-storage-omics controlcatalog cost-optimization-hub data-servicediscovery
  data-servicediscovery-fips databrew dataexchange datasync datazone deadline.management deadline.scheduling
  deviceadvisor.iot devops-guru dicom-medical-imaging discovery dms dms-fips drs ds ds-data dsql dynamodb dynamodb-fips
  dynamodb-streams ebs ec2 ec2messages ecr-public.api ecr.api ecr.dkr ecs ecs-agent ecs-telemetry eks eks-auth
  elastic-inference.runtime elasticache elasticache-fips elasticbeanstalk elasticbeanstalk-health elasticfilesystem
  elasticfilesystem-fips elasticloadbalancing elasticmapreduce email email-fips email-smtp emr-containers emr-serverless
  emr-serverless-services.livy emr-serverless.dashboard emrwal.prod entityresolution events evidently evidently-dataplane
  execute-api experiments finspace finspace-api fis forecast forecast-fips forecastquery forecastquery-fips
  frauddetector freetier fsx fsx-fips geo.geofencing geo.maps geo.metadata geo.places geo.routes geo.tracking
  git-codecommit git-codecommit-fips glue glue.dashboard grafana grafana-workspace greengrass groundstation guardduty
  guardduty-data guardduty-data-fips guardduty-fips healthlake identitystore imagebuilder inspector-scan inspector2
  internetmonitor internetmonitor-fips invoicing iot.credentials iot.data iot.fleethub.api iotfleetwise iotroborunner
  iotsitewise.api iotsitewise.data iottwinmaker.api iottwinmaker.data iotwireless.api kafka kafka-fips kafkaconnect kendra
  kendra-ranking kinesis-firehose kinesis-streams kinesis-streams-fips kms kms-fips lakeformation lambda launchwizard
  license-manager license-manager-fips license-manager-linux-subscriptions license-manager-linux-subscriptions-fips
  license-manager-user-subscriptions logs lookoutequipment lookoutmetrics lookoutvision lorawan.cups lorawan.lns m2
  macie2 mail-manager mail-manager-fips managedblockchain-query managedblockchain.bitcoin.mainnet
  managedblockchain.bitcoin.testnet mediaconnect medical-imaging memory-db memorydb-fips mgn migrationhub-orchestrator
  migrationhub-strategy models-v2-lex monitoring mq neptune-graph neptune-graph-data neptune-graph-fips network-firewall
  network-firewall-fips networkflowmonitor networkflowmonitorreports networkmonitor nimble notebook observabilityadmin
  organizations organizations-fips outposts panorama partner-app payment-cryptography.controlplane
  payment-cryptography.dataplane pca-connector-ad pca-connector-scep pcs pcs-fips personalize personalize-events
  personalize-runtime pi pi-fips pinpoint pinpoint-sms-voice-v2 pipes pipes-data pipes-fips polly pricing.api
  private-networks profile proton q qapps qbusiness qldb.session quicksight-website ram rbin rds rds-data redshift
  redshift-data redshift-data-fips redshift-fips redshift-serverless redshift-serverless-fips refactor-spaces rekognition
  rekognition-fips repostspace resource-groups resource-groups-fips robomaker rolesanywhere rum rum-dataplane
  runtime-medical-imaging runtime-v2-lex s3 s3-outposts s3tables s3vectors sagemaker-data-science-assistant
  sagemaker-geospatial sagemaker.api sagemaker.api-fips sagemaker.featurestore-runtime sagemaker.metrics sagemaker.runtime
  sagemaker.runtime-fips schemas scn secretsmanager securityhub securitylake securitylake-fips service.user-subscriptions
  servicecatalog servicecatalog-appregistry servicediscovery servicediscovery-fips serverlessrepo shield shield-fips signin
  simspaceweaver sms sms-fips snow-device-management sns social-messaging sqs sqs-fips ssm ssm-contacts ssm-fips
  ssm-incidents ssm-quicksetup ssmmessages states storage-omics storagegateway streaming-rekognition
  streaming-rekognition-fips studio sts sts-fips swf swf-fips sync-states synthetics synthetics-fips tagging tags-omics tax
  textract textract-fips thinclient.api timestream-influxdb timestream-influxdb-fips tnb transcribe transcribestreaming
  transfer transfer.server translate trustedadvisor verifiedpermissions voiceid vpc-lattice wafv2 wafv2-fips
  wellarchitected wisdom workflows-omics workmail workspaces workspaces-web workspaces-web-fips xray`
    .split(/\s+/)
    .filter((name) => name !== ""),
);

/** Services whose name prefix is not `com.amazonaws` (the source's second constructor argument). */
export const SERVICE_PREFIXES: Readonly<Record<string, string>> = {
  freetier: "aws.api",
  "bcm-data-exports": "aws.api",
  "kendra-ranking": "aws.api",
  qbusiness: "aws.api",
  experiments: "aws.sagemaker",
  notebook: "aws.sagemaker",
  "partner-app": "aws.sagemaker",
  studio: "aws.sagemaker",
};

/**
 * Services whose endpoint service name in a China region starts with `cn.com.amazonaws` instead of
 * `com.amazonaws` (the source's `getDefaultEndpointPrefix`), by region.
 */
export const CHINA_PREFIXED_SERVICES: Readonly<Record<string, ReadonlySet<string>>> = {
  "cn-north-1": new Set(
    `application-autoscaling appmesh-envoy-management athena autoscaling awsconnector backup batch cassandra cloudcontrolapi
    cloudformation codedeploy-commands-secure databrew dms ebs ec2 ecr.api ecr.dkr eks elasticache elasticbeanstalk
    elasticfilesystem elasticfilesystem-fips emr-containers execute-api fsx imagebuilder iot.data iotsitewise.api
    iotsitewise.data kinesis-streams lambda license-manager monitoring rds redshift redshift-data s3 sagemaker.api
    sagemaker.featurestore-runtime sagemaker.runtime securityhub servicecatalog sms sqs states sts sync-states synthetics
    transcribe transcribestreaming transfer xray`
      .split(/\s+/)
      .filter((name) => name !== ""),
  ),
  "cn-northwest-1": new Set(
    `account application-autoscaling appmesh-envoy-management athena autoscaling awsconnector backup batch cassandra
    cloudcontrolapi cloudformation codedeploy-commands-secure databrew dms ebs ec2 ecr.api ecr.dkr eks elasticache
    elasticbeanstalk elasticfilesystem elasticfilesystem-fips emr-containers execute-api fsx imagebuilder iot.data
    kinesis-streams lambda license-manager monitoring polly rds redshift redshift-data s3 sagemaker.api
    sagemaker.featurestore-runtime sagemaker.runtime securityhub servicecatalog sms sqs states sts sync-states synthetics
    transcribe transcribestreaming transfer workspaces xray`
      .split(/\s+/)
      .filter((name) => name !== ""),
  ),
};

/** Services whose endpoint service name in a China region ends with `.cn` (the source's `getDefaultEndpointSuffix`). */
export const CHINA_SUFFIXED_SERVICES: ReadonlySet<string> = new Set(["transcribe"]);

/**
 * The endpoint service name of a regional AWS service in `region`, e.g. `com.amazonaws.ap-northeast-1.ssm`,
 * `aws.sagemaker.us-east-1.notebook`, `cn.com.amazonaws.cn-north-1.ecr.api`, `cn.com.amazonaws.cn-north-1.transcribe.cn`.
 * GovCloud uses `com.amazonaws` throughout (the source lists no exception there).
 */
export function regionalServiceName(short: string, region: string): string {
  const china = CHINA_PREFIXED_SERVICES[region]?.has(short) ?? false;
  const prefix = SERVICE_PREFIXES[short] ?? (china ? "cn.com.amazonaws" : "com.amazonaws");
  const suffix = region.startsWith("cn-") && CHINA_SUFFIXED_SERVICES.has(short) ? ".cn" : "";
  return `${prefix}.${region}.${short}${suffix}`;
}
