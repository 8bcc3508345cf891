// The site: CloudFront over the private site bucket (origin access control), the published menus
// with a short cache, pictures from the media bucket, the API under the same origin, and the
// static files with a `config.json` written at deploy time.
import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { readFileSync } from 'node:fs';
import { Construct } from 'constructs';
import { FUNCTION_FINDINGS, acceptFindings } from './checkov.js';

/**
 * The headers every answer carries, here and from the local server (which reads the same file):
 * a Content-Security-Policy that lets the pages load and connect only to their own origin (the
 * API, the socket at /ws, the menus and pictures all live there) and be framed by no one.
 */
export const SECURITY_HEADERS: Record<string, string> =
  JSON.parse(readFileSync(new URL('./security-headers.json', import.meta.url), 'utf8'));

export interface SiteStackProps extends StackProps {
  readonly siteBucket: s3.IBucket;
  readonly mediaBucket: s3.IBucket;
  /** The HTTP API's host, served under /v1 on the site's own origin. */
  readonly apiDomain: string;
  /** The WebSocket API's host, served at /ws on the site's own origin. */
  readonly webSocketDomain: string;
  /** The static files to publish; `static-site/` of the repository. */
  readonly siteDir: string;
  /** The WAF web ACL that limits each viewer address (the edge stack's), unless turned off. */
  readonly webAclArn?: string;
  /** The stage, in the key value store's name. */
  readonly stage?: string;
  /** The site's own domain and its certificate (ACM, us-east-1); CloudFront's own address without. */
  readonly domain?: { readonly name: string; readonly certificateArn: string };
}

/** Pages of the one-page app (/r/…, /signup) load index.html; /media/… is the media bucket's key. */
const REWRITE = `function handler(event) {
  var request = event.request;
  if (request.uri.indexOf('/r/') === 0 || request.uri === '/signup') { request.uri = '/index.html'; }
  return request;
}`;
const STRIP_MEDIA = `function handler(event) {
  var request = event.request;
  if (request.uri.indexOf('/media/r/') !== 0) {
    return { statusCode: 404, statusDescription: 'Not Found' };
  }
  request.uri = request.uri.replace(/^\\/media/, '');
  return request;
}`;

/**
 * Every API request carries the viewer's IP in a header this function writes over whatever the
 * viewer sent: behind CloudFront, API Gateway's source IP is the edge's, which many viewers share
 * (the accounts function counts failed logins per client by it; lib/lambda `VIEWER_ADDRESS`).
 */
export const VIEWER_ADDRESS_HEADER = 'x-bistro-viewer-address';
/**
 * …and the origin secret, which the functions require (lib/api/src/origin.rs): a request sent
 * to the API's own execute-api address has none and is refused. The secret is only in the key
 * value store (`bistro-keys origin-secret`, then the AWS CLI; README), never in a template.
 */
export const ORIGIN_HEADER = 'x-bistro-origin';
export const ORIGIN_SECRET_KEY = 'origin-secret';
export const TAG_VIEWER = `import cf from 'cloudfront';
const store = cf.kvs();
async function handler(event) {
  var request = event.request;
  request.headers['${VIEWER_ADDRESS_HEADER}'] = { value: event.viewer.ip };
  delete request.headers['${ORIGIN_HEADER}'];
  try {
    request.headers['${ORIGIN_HEADER}'] = { value: await store.get('${ORIGIN_SECRET_KEY}') };
  } catch (notSetYet) {
    // Until the operator sets a secret the API refuses every request (403 not_through_site).
  }
  return request;
}`;

export class SiteStack extends Stack {
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: SiteStackProps) {
    super(scope, id, props);
    const viewer = (code: string, name: string, keyValueStore?: cloudfront.IKeyValueStore) => [{
      function: new cloudfront.Function(this, name, { code: cloudfront.FunctionCode.fromInline(code), runtime: cloudfront.FunctionRuntime.JS_2_0, keyValueStore }),
      eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
    }];
    // Empty when created: no secret passes through CloudFormation. Billed per read, nothing idle.
    const originSecrets = new cloudfront.KeyValueStore(this, 'OriginSecrets', {
      keyValueStoreName: `bistro-${props.stage ?? 'prod'}-origin-secrets`,
      comment: 'The secret CloudFront sends the API with every request (bistro-keys origin-secret)',
    });
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Bistro: CSP to its own origin, no framing, no sniffing, HTTPS only',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: SECURITY_HEADERS['content-security-policy'], override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
      },
    });
    const secure = {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      responseHeadersPolicy: headers,
    };
    // Imported by name, so that CloudFront's access is granted by the data stack's bucket policy
    // instead of a new policy here that would point back at this stack.
    const imported = (id: string, bucket: s3.IBucket) =>
      s3.Bucket.fromBucketAttributes(this, id, { bucketName: bucket.bucketName, bucketRegionalDomainName: bucket.bucketRegionalDomainName });
    const siteBucket = imported('SiteBucket', props.siteBucket);
    const site = origins.S3BucketOrigin.withOriginAccessControl(siteBucket);
    const menus = new cloudfront.CachePolicy(this, 'MenuCache', {
      comment: 'Published menus: an edit shows within a minute',
      defaultTtl: Duration.seconds(30),
      maxTtl: Duration.seconds(60),
      minTtl: Duration.seconds(0),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const api = {
      origin: new origins.HttpOrigin(props.apiDomain),
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      functionAssociations: viewer(TAG_VIEWER, 'ViewerAddress', originSecrets),
      ...secure,
    };
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Bistro ${props.stage ?? 'prod'}`,
      webAclId: props.webAclArn,
      ...(props.domain ? {
        domainNames: [props.domain.name],
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
        minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      } : {}),
      defaultRootObject: 'index.html',
      defaultBehavior: { origin: site, cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED, functionAssociations: viewer(REWRITE, 'Pages'), ...secure },
      additionalBehaviors: {
        'menus/*': { origin: site, cachePolicy: menus, ...secure },
        'media/*': {
          origin: origins.S3BucketOrigin.withOriginAccessControl(imported('MediaBucket', props.mediaBucket)),
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
          functionAssociations: viewer(STRIP_MEDIA, 'Media'),
          ...secure,
        },
        'v1/*': api,
        'health': api,
        // Live updates on the site's own address: the viewer function adds the origin secret, so
        // the ws function admits a $connect only from here (the WebSocket API's own address
        // answers nobody) and counts it against the viewer's address like an API request.
        'ws': { ...api, origin: new origins.HttpOrigin(props.webSocketDomain) },
      },
    });
    acceptFindings(this.distribution, {
      ...(props.webAclArn ? {} : { CKV_AWS_68: 'The deployment turned the edge web ACL off (edgeLimits=off); the API behind it is throttled per stage.' }),
      CKV_AWS_86: 'Standard logs need a log bucket and cost per request; enable them when a custom domain and logging budget exist.',
      CKV_AWS_174: 'Without a custom domain CloudFront serves its default *.cloudfront.net certificate, whose TLS floor it sets itself.',
    });
    new s3deploy.BucketDeployment(this, 'Files', {
      destinationBucket: siteBucket,
      sources: [
        s3deploy.Source.asset(props.siteDir, { exclude: ['config.json'] }),
        // Same origin for the API, the sockets (/ws) and the menus.
        s3deploy.Source.jsonData('config.json', { apiUrl: '', wsUrl: '', menuBaseUrl: '', mediaBaseUrl: '/media' }),
      ],
      // Published menus live in the same bucket: a deployment must not delete them.
      prune: false,
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json', '/js/*', '/style.css', '/staff.css'],
    });
    // The deployment's own function and policy come from aws-cdk-lib.
    for (const child of this.node.children.filter((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'))) {
      acceptFindings(child, FUNCTION_FINDINGS);
      const policy = child.node.tryFindChild('ServiceRole')?.node.tryFindChild('DefaultPolicy');
      if (policy) acceptFindings(policy, { CKV_AWS_111: 'aws-cdk-lib\'s BucketDeployment handler writes the site files; its write access is scoped to the site bucket and the invalidation API.' });
    }
    new CfnOutput(this, 'SiteUrl', { value: `https://${this.distribution.distributionDomainName}` });
    new CfnOutput(this, 'ApiUrl', { value: `https://${this.distribution.distributionDomainName}/v1` });
    new CfnOutput(this, 'WebSocketUrl', { value: `wss://${this.distribution.distributionDomainName}/ws` });
    new CfnOutput(this, 'OriginSecretStore', { value: originSecrets.keyValueStoreArn });
  }
}
