// The account's deploy access, one per account (not per stage): GitHub's OpenID Connect provider
// and the role the deploy workflow (.github/workflows/deploy.yml) assumes with it. Only a run of
// this repository's main branch gets the role, for an hour, and holds no key; what it may do is
// hand the deploy over to the CDK's bootstrap roles (which CloudFormation deploys with) and read
// the stacks and change sets the workflow checks.
import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export const GITHUB_ISSUER = 'token.actions.githubusercontent.com';
/** The branch that deploys. */
export const DEPLOYING_REF = 'refs/heads/main';

export interface DeployAccessStackProps extends StackProps {
  /** `owner/name` on GitHub. */
  readonly repository: string;
}

export class DeployAccessStack extends Stack {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: DeployAccessStackProps) {
    super(scope, id, props);
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(props.repository)) {
      throw new Error(`repository: the GitHub repository as owner/name, not '${props.repository}'`);
    }
    // A resource of CloudFormation's own (no custom resource); GitHub's certificate chain is
    // trusted by IAM itself, so no thumbprint is pinned.
    const provider = new iam.CfnOIDCProvider(this, 'GitHub', {
      url: `https://${GITHUB_ISSUER}`,
      clientIdList: ['sts.amazonaws.com'],
    });
    this.role = new iam.Role(this, 'Deploy', {
      description: `Deploys Bistro from ${props.repository}'s main branch (GitHub Actions, OIDC)`,
      maxSessionDuration: Duration.hours(1),
      assumedBy: new iam.WebIdentityPrincipal(provider.attrArn, {
        StringEquals: {
          [`${GITHUB_ISSUER}:aud`]: 'sts.amazonaws.com',
          [`${GITHUB_ISSUER}:sub`]: `repo:${props.repository}:ref:${DEPLOYING_REF}`,
        },
      }),
    });
    // `cdk deploy` publishes assets and deploys through the bootstrap stack's roles.
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['sts:AssumeRole'],
      resources: [`arn:${this.partition}:iam::${this.account}:role/cdk-hnb659fds-*`],
    }));
    // The guard reads the change sets before a deploy, and the smoke check the site's address.
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['cloudformation:DescribeChangeSet', 'cloudformation:ListChangeSets', 'cloudformation:DescribeStacks'],
      resources: [`arn:${this.partition}:cloudformation:*:${this.account}:stack/Bistro-*`],
    }));
    new CfnOutput(this, 'DeployRoleArn', { value: this.role.roleArn });
  }
}
