// Checkov findings this design accepts, each with its reason, recorded on the resource itself
// (CloudFormation metadata `checkov.skip`), so the scan stays strict for everything else.
import { CfnResource, DefaultStackSynthesizer, ISynthesisSession } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

export function acceptFindings(construct: IConstruct, findings: Record<string, string>) {
  const resource = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnResource)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  const existing = (resource.getMetadata('checkov')?.skip ?? []) as { id: string; comment: string }[];
  resource.addMetadata('checkov', { skip: [...existing, ...Object.entries(findings).map(([id, comment]) => ({ id, comment }))] });
}

/** A customer-managed KMS key costs $1 a month whether or not anybody orders. */
export const NO_IDLE_KMS = 'A customer-managed KMS key costs $1/month while idle; AWS-owned keys already encrypt this at rest.';

/** Why Bistro's functions do not take the usual Lambda findings. */
export const FUNCTION_FINDINGS: Record<string, string> = {
  CKV_AWS_117: 'No VPC by design: it would need NAT gateways or VPC endpoints, which cost money while idle; the functions reach only AWS APIs over TLS.',
  CKV_AWS_116: 'Invoked synchronously (API Gateway) or by an event source mapping with its own on-failure queue: a function DLQ would never receive anything.',
  CKV_AWS_115: 'Stage throttling bounds concurrency; a reserved limit would take capacity from the account for nothing while idle.',
  CKV_AWS_173: 'Environment variables are encrypted at rest by Lambda; the only secret is a CloudFormation reference to Secrets Manager. ' + NO_IDLE_KMS,
};

/** Why the small functions aws-cdk-lib adds itself (emptying a test stage's buckets, carrying the
 * web ACL's ARN across regions) do not take the usual Lambda findings. */
export const CDK_PROVIDER_FINDINGS: Record<string, string> = {
  CKV_AWS_117: 'aws-cdk-lib\'s own deploy-time handler: no VPC, as for every function here (no NAT gateway or endpoint while idle).',
  CKV_AWS_116: 'aws-cdk-lib\'s own deploy-time handler, invoked by CloudFormation, which reports its failure: a DLQ would never receive anything.',
  CKV_AWS_115: 'aws-cdk-lib\'s own deploy-time handler, run once per deploy: a reserved concurrency would take capacity for nothing.',
};

/**
 * The stacks' synthesizer. aws-cdk-lib adds some of its own handler functions only while it
 * prepares the app for synthesis, after every aspect ran; here, just before a template is written,
 * they take their findings like every other resource (on the resource, with the reason).
 */
export class CheckedSynthesizer extends DefaultStackSynthesizer {
  override synthesize(session: ISynthesisSession): void {
    for (const child of this.boundStack.node.children) {
      if (!/^Custom::.+CustomResourceProvider$/.test(child.node.id)) continue;
      const handler = child.node.tryFindChild('Handler');
      if (handler instanceof CfnResource && !handler.getMetadata('checkov')) acceptFindings(handler, CDK_PROVIDER_FINDINGS);
    }
    super.synthesize(session);
  }
}
