import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resourcesOf, synthesize } from './synth.js';

describe('given the stack synthesized, when looking at the web console', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = synthesize());
  }, 120_000);

  it('then CloudFront reads the private site bucket through origin access control, never through a public bucket', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.absent(),
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { LogFilePrefix: 'site-bucket/' },
    });
  });

  it('then viewers are redirected to HTTPS, with TLS 1.2 at least, and the app routes its own paths', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        CustomErrorResponses: [
          Match.objectLike({ ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/index.html' }),
          Match.objectLike({ ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/index.html' }),
        ],
        Logging: Match.objectLike({ Prefix: 'cdn/' }),
      }),
    });
  });

  it('then every response carries a content security policy allowing scripts from the site only, and the other security headers', () => {
    const [policy] = Object.values(resourcesOf(template, 'AWS::CloudFront::ResponseHeadersPolicy'));
    const config = policy?.Properties?.['ResponseHeadersPolicyConfig'] as {
      SecurityHeadersConfig: Record<string, Record<string, unknown>>;
    };
    const csp = JSON.stringify(config.SecurityHeadersConfig['ContentSecurityPolicy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain('appsync-realtime-api');
    expect(config.SecurityHeadersConfig['StrictTransportSecurity']).toMatchObject({ Override: true, IncludeSubdomains: true });
    expect(config.SecurityHeadersConfig['ContentTypeOptions']).toMatchObject({ Override: true });
    expect(config.SecurityHeadersConfig['FrameOptions']).toMatchObject({ FrameOption: 'DENY' });
  });

  it("then amplify_outputs.json is deployed next to the app from the stack's own values, and the console's address is an output", () => {
    const [deployment] = Object.values(resourcesOf(template, 'Custom::CDKBucketDeployment'));
    const markers = JSON.stringify(deployment?.Properties?.['SourceMarkers'] ?? deployment?.Properties);
    expect(markers).toContain('UsersUserPool');
    expect(JSON.stringify(template.toJSON()['Outputs']['ConsoleUrl'])).toContain('DomainName');
  });
});
