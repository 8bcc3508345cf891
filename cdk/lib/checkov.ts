// Checkov findings this design accepts, each with its reason, recorded on the resource itself
// (CloudFormation metadata `checkov.skip`), so the scan stays strict for everything else.
import { CfnResource } from 'aws-cdk-lib';
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
