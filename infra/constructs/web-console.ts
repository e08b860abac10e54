import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { Policy } from 'aws-cdk-lib/aws-iam';
import { acknowledge, wildcardActionFinding, wildcardResourceFinding } from '../nag/index.js';
import { SECURITY_HEADERS, contentSecurityPolicy } from './web-console-headers.js';
import { stageDefaults } from './stage-defaults.js';

export interface WebConsoleProps {
  /** `amplify_outputs.json` as the stack's outputs make it (deploy-time values allowed): the console's only configuration. */
  readonly config: object;
  /**
   * The built console (local/console/build.ts writes it; `npm run console:build` prints where).
   * Without it only the configuration is deployed, so a synthesis needs no build.
   */
  readonly siteDirectory?: string;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The web console as a static site: a private bucket read only by CloudFront through origin
 * access control, HTTPS only, with the same security headers (content security policy
 * included) the local stack sends, and `amplify_outputs.json` written next to the app from the
 * stack's own values.
 */
export class WebConsole extends Construct {
  public readonly bucket: Bucket;
  public readonly distribution: Distribution;
  /** `https://<distribution>.cloudfront.net/` */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: WebConsoleProps) {
    super(scope, id);
    const { removalPolicy } = stageDefaults(props);
    const region = Stack.of(this).region;

    // CloudFront's standard logs need a bucket with ACLs (the log delivery writes with one).
    const logs = new Bucket(this, 'Logs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: BucketEncryption.S3_MANAGED,
      lifecycleRules: [{ id: 'ExpireLogs', expiration: Duration.days(90) }],
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });
    acknowledge(logs, 'AwsSolutions-S1', 'This bucket receives the console site and CDN logs; logging it would log its own log deliveries');

    this.bucket = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: BucketEncryption.S3_MANAGED,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'site-bucket/',
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });

    const aws = (service: string) => `https://*.${service}.${region}.amazonaws.com`;
    const headers = new ResponseHeadersPolicy(this, 'Headers', {
      comment: 'The web console: CSP and the usual security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          override: true,
          contentSecurityPolicy: contentSecurityPolicy({
            connect: [
              aws('appsync-api'),
              `wss://*.appsync-realtime-api.${region}.amazonaws.com`,
              `https://cognito-idp.${region}.amazonaws.com`,
              aws('s3'),
              'https://*.s3.amazonaws.com',
            ],
            images: [aws('s3'), 'https://*.s3.amazonaws.com'],
          }),
        },
        strictTransportSecurity: { override: true, accessControlMaxAge: Duration.days(365), includeSubdomains: true },
        contentTypeOptions: { override: true },
        frameOptions: { override: true, frameOption: HeadersFrameOption.DENY },
        referrerPolicy: { override: true, referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN },
      },
      customHeadersBehavior: {
        customHeaders: [{ header: 'Permissions-Policy', value: SECURITY_HEADERS['permissions-policy'], override: true }],
      },
    });

    const origin = S3BucketOrigin.withOriginAccessControl(this.bucket);
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'The web console',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        // index.html and amplify_outputs.json change with every deploy under the same names: never
        // cached at the edge, so no invalidation (and no cloudfront:* on `*` for CDK's handler).
        cachePolicy: CachePolicy.CACHING_DISABLED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      additionalBehaviors: {
        // Vite names every asset by its content hash: cached for as long as CloudFront keeps it.
        '/assets/*': {
          origin,
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: headers,
          compress: true,
        },
      },
      // The app routes itself: /files, /orders, ... are index.html.
      errorResponses: [403, 404].map((httpStatus) => ({ httpStatus, responseHttpStatus: 200, responsePagePath: '/index.html', ttl: Duration.seconds(0) })),
      httpVersion: HttpVersion.HTTP2_AND_3,
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cdn/',
    });
    acknowledge(this.distribution, 'AwsSolutions-CFR1', 'The console is for the API\'s users wherever they are; no country is to be refused');
    acknowledge(this.distribution, 'AwsSolutions-CFR2', 'A static site of public files: WAF protects the API (AppSync), which holds the data, not these files');
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR4',
      'The default cloudfront.net certificate: CloudFront negotiates TLS 1.2+ with current browsers; a custom domain would set the policy',
    );
    this.url = `https://${this.distribution.distributionDomainName}/`;

    const deployment = new BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      sources: [...(props.siteDirectory ? [Source.asset(props.siteDirectory)] : []), Source.jsonData('amplify_outputs.json', props.config)],
      // A configuration-only deployment must not delete a site deployed before.
      prune: false,
      memoryLimit: 256,
    });
    acknowledgeDeploymentHandler(this, deployment);
  }
}

/**
 * The deployment's handler is CDK's own singleton (Python, at the stack's root): it copies the
 * staged asset into the site bucket when CloudFormation deploys, and nothing calls it otherwise.
 */
function acknowledgeDeploymentHandler(scope: Construct, deployment: BucketDeployment): void {
  const handler = Stack.of(scope)
    .node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!handler) throw new Error('BucketDeployment created no handler at the stack root: aws-cdk-lib changed how it is built');
  const why = 'CDK\'s BucketDeployment handler: its runtime, retries and role are aws-cdk-lib\'s, run only by CloudFormation at deploy';
  acknowledge(handler, 'AwsSolutions-L1', why);
  acknowledge(handler, 'Serverless-LambdaLatestVersion', why);
  acknowledge(handler, 'Serverless-LambdaDLQ', `${why}; CloudFormation reports a failure itself`);
  // Each wildcard of its policy, as the policy states it: a new one in a later aws-cdk-lib still fails nag.
  const policy = deployment.handlerRole.node.tryFindChild('DefaultPolicy') as Policy | undefined;
  const statements = (Stack.of(scope).resolve(policy?.document.toJSON()) as { Statement?: { Action?: string | string[]; Resource?: unknown }[] } | undefined)?.Statement ?? [];
  const copies = 'BucketDeployment copies every object of its staged asset into the site bucket: object-level wildcards on those two buckets only';
  for (const statement of statements) {
    for (const action of [statement.Action ?? []].flat()) if (action.includes('*')) acknowledge(deployment.handlerRole, wildcardActionFinding(action), copies);
    for (const resource of [statement.Resource ?? []].flat()) {
      const finding = wildcardResourceFinding(scope, resource);
      if (finding.endsWith('*]')) acknowledge(deployment.handlerRole, finding, copies);
    }
  }
}
