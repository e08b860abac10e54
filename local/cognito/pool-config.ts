/**
 * A user pool's settings as the synthesized template states them (`AWS::Cognito::UserPool`,
 * `UserPoolClient`, `UserPoolGroup`), with Cognito's documented defaults where a property is
 * absent. The local service is configured from this only, never from a second list.
 */
import { type CfnResource, type CfnTemplate, referencedLogicalId, resourcesOfType } from '../cdk/template.js';

export interface PasswordPolicy {
  readonly minimumLength: number;
  readonly requireLowercase: boolean;
  readonly requireUppercase: boolean;
  readonly requireNumbers: boolean;
  readonly requireSymbols: boolean;
  readonly temporaryPasswordValidityDays: number;
}

export interface ClientConfig {
  readonly logicalId: string;
  readonly clientId: string;
  /** The client's secret when the template asks for one (`GenerateSecret`). */
  readonly secret: string | undefined;
  readonly explicitAuthFlows: ReadonlySet<string>;
  readonly preventUserExistenceErrors: boolean;
  readonly enableTokenRevocation: boolean;
  readonly accessTokenSeconds: number;
  readonly idTokenSeconds: number;
  readonly refreshTokenSeconds: number;
  /** Attributes the ID token may carry; undefined is all. */
  readonly readAttributes: ReadonlySet<string> | undefined;
  readonly authSessionSeconds: number;
}

export interface PoolConfig {
  readonly logicalId: string;
  readonly userPoolId: string;
  /** `email` / `phone_number` when those are the username (the internal username is then a UUID). */
  readonly usernameAttributes: readonly string[];
  readonly aliasAttributes: readonly string[];
  readonly caseSensitive: boolean;
  readonly requiredAttributes: readonly string[];
  readonly autoVerifiedAttributes: readonly string[];
  readonly passwordPolicy: PasswordPolicy;
  readonly allowAdminCreateUserOnly: boolean;
  readonly groups: ReadonlyMap<string, { readonly precedence: number | undefined; readonly description: string | undefined }>;
  readonly clients: ReadonlyMap<string, ClientConfig>;
  /** E-mail wording the template sets (`{####}` is the code), if any. */
  readonly messages: {
    readonly verifySubject?: string;
    readonly verifyBody?: string;
    readonly inviteSubject?: string;
    readonly inviteBody?: string;
  };
}

export interface PoolNaming {
  readonly userPoolId: string;
  /** The local id of a client (by logical id). */
  readonly clientId: (logicalId: string) => string;
  /** The local secret of a client that has one (stable across restarts). */
  readonly clientSecret: (clientId: string) => string;
}

type Props = Record<string, unknown>;
const props = (resource: CfnResource | undefined): Props => (resource?.Properties ?? {}) as Props;
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const bool = (value: unknown, fallback: boolean): boolean => (typeof value === 'boolean' ? value : value === 'true' ? true : value === 'false' ? false : fallback);
const num = (value: unknown, fallback: number): number => {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : fallback;
};

const optional = <K extends string>(key: K, value: string | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, string>));

const UNIT_SECONDS: Readonly<Record<string, number>> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };
const DEFAULT_FLOWS = ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH'];
/** The legacy flow names mean the same as their ALLOW_ forms. */
const LEGACY_FLOWS: Readonly<Record<string, string>> = {
  USER_PASSWORD_AUTH: 'ALLOW_USER_PASSWORD_AUTH',
  ADMIN_NO_SRP_AUTH: 'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  CUSTOM_AUTH_FLOW_ONLY: 'ALLOW_CUSTOM_AUTH',
};

function clientConfig(logicalId: string, p: Props, naming: PoolNaming): ClientConfig {
  const units = (p['TokenValidityUnits'] ?? {}) as Props;
  const seconds = (value: unknown, unit: unknown, fallbackUnit: string, fallback: number) => {
    const amount = num(value, 0);
    return amount > 0 ? amount * (UNIT_SECONDS[String(unit ?? fallbackUnit)] ?? 1) : fallback;
  };
  const declared = strings(p['ExplicitAuthFlows']);
  const flows = declared.length === 0 ? DEFAULT_FLOWS : declared.map((f) => LEGACY_FLOWS[f] ?? f);
  // Legacy lists (no ALLOW_ values) also allow refresh and SRP, as Cognito treats them.
  const legacy = declared.length > 0 && declared.every((f) => !f.startsWith('ALLOW_'));
  const clientId = naming.clientId(logicalId);
  const read = strings(p['ReadAttributes']);
  return {
    logicalId,
    clientId,
    secret: bool(p['GenerateSecret'], false) ? naming.clientSecret(clientId) : undefined,
    explicitAuthFlows: new Set([...flows, ...(legacy ? ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'] : [])]),
    preventUserExistenceErrors: p['PreventUserExistenceErrors'] === 'ENABLED',
    enableTokenRevocation: bool(p['EnableTokenRevocation'], true),
    accessTokenSeconds: seconds(p['AccessTokenValidity'], units['AccessToken'], 'hours', 3600),
    idTokenSeconds: seconds(p['IdTokenValidity'], units['IdToken'], 'hours', 3600),
    refreshTokenSeconds: seconds(p['RefreshTokenValidity'], units['RefreshToken'], 'days', 30 * 86_400),
    readAttributes: read.length === 0 ? undefined : new Set(read),
    authSessionSeconds: num(p['AuthSessionValidity'], 3) * 60,
  };
}

/** Every user pool of the template, with its clients and groups. */
export function readPoolConfigs(template: CfnTemplate, naming: (poolLogicalId: string) => PoolNaming): PoolConfig[] {
  const clients = resourcesOfType(template, 'AWS::Cognito::UserPoolClient');
  const groups = resourcesOfType(template, 'AWS::Cognito::UserPoolGroup');
  return resourcesOfType(template, 'AWS::Cognito::UserPool').map(([logicalId, resource]) => {
    const p = props(resource);
    const names = naming(logicalId);
    const policy = (((p['Policies'] ?? {}) as Props)['PasswordPolicy'] ?? {}) as Props;
    const schema = Array.isArray(p['Schema']) ? (p['Schema'] as Props[]) : [];
    const verification = (p['VerificationMessageTemplate'] ?? {}) as Props;
    const invite = (((p['AdminCreateUserConfig'] ?? {}) as Props)['InviteMessageTemplate'] ?? {}) as Props;
    const textOf = (...values: unknown[]) => values.find((v): v is string => typeof v === 'string');
    const ofPool = (r: CfnResource) => referencedLogicalId(props(r)['UserPoolId']) === logicalId;
    return {
      logicalId,
      userPoolId: names.userPoolId,
      usernameAttributes: strings(p['UsernameAttributes']),
      aliasAttributes: strings(p['AliasAttributes']),
      caseSensitive: bool(((p['UsernameConfiguration'] ?? {}) as Props)['CaseSensitive'], true),
      requiredAttributes: schema.filter((a) => a['Required'] === true || a['Required'] === 'true').map((a) => String(a['Name'])),
      autoVerifiedAttributes: strings(p['AutoVerifiedAttributes']),
      passwordPolicy: {
        // Cognito's defaults when no policy is given: 8 characters, every class required.
        minimumLength: num(policy['MinimumLength'], 8),
        requireLowercase: bool(policy['RequireLowercase'], true),
        requireUppercase: bool(policy['RequireUppercase'], true),
        requireNumbers: bool(policy['RequireNumbers'], true),
        requireSymbols: bool(policy['RequireSymbols'], true),
        temporaryPasswordValidityDays: num(policy['TemporaryPasswordValidityDays'], 7),
      },
      allowAdminCreateUserOnly: bool(((p['AdminCreateUserConfig'] ?? {}) as Props)['AllowAdminCreateUserOnly'], false),
      messages: {
        ...optional('verifySubject', textOf(verification['EmailSubject'], p['EmailVerificationSubject'])),
        ...optional('verifyBody', textOf(verification['EmailMessage'], p['EmailVerificationMessage'])),
        ...optional('inviteSubject', textOf(invite['EmailSubject'])),
        ...optional('inviteBody', textOf(invite['EmailMessage'])),
      },
      groups: new Map(
        groups
          .filter(([, g]) => ofPool(g))
          .map(([groupLogicalId, g]) => {
            const gp = props(g);
            const name = typeof gp['GroupName'] === 'string' ? gp['GroupName'] : groupLogicalId;
            return [
              name,
              {
                precedence: gp['Precedence'] === undefined ? undefined : num(gp['Precedence'], 0),
                description: typeof gp['Description'] === 'string' ? gp['Description'] : undefined,
              },
            ] as const;
          }),
      ),
      clients: new Map(
        clients
          .filter(([, c]) => ofPool(c))
          .map(([clientLogicalId, c]) => {
            const config = clientConfig(clientLogicalId, props(c), names);
            return [config.clientId, config] as const;
          }),
      ),
    };
  });
}
