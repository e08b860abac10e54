/**
 * The local Cognito user pools: the template's `AWS::Cognito::UserPool`s with their clients and
 * groups, served over HTTP by `handle` (wire it on `/cognito`), state in `<stateDir>/cognito/`.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CfnTemplate } from '../cdk/template.js';
import type { SigningCredential } from '../auth/sigv4.js';
import { fileMailbox, openFileUserStore } from './files.js';
import { COGNITO_PATH, createCognitoHttpHandler } from './http.js';
import { readPoolConfigs } from './pool-config.js';
import { createPoolContext } from './service.js';
import { createKeySigner } from './signer.js';

export { COGNITO_PATH } from './http.js';
export { readMailbox, mailboxPath } from './files.js';

export interface LocalCognitoOptions {
  readonly template: CfnTemplate;
  readonly stateDir: string;
  readonly region: string;
  readonly accountId: string;
  /** Every pool's and client's local id, by logical id (local/wiring.ts names them). */
  readonly userPoolIds: ReadonlyMap<string, string>;
  readonly userPoolClientIds: ReadonlyMap<string, string>;
  /** Derives client secrets, stably. */
  readonly seed: string;
  /** Who may call the admin operations: the developer credentials (full access). */
  readonly administrators: readonly (SigningCredential & { readonly arn: string })[];
  readonly log: (line: string) => void;
}

export interface LocalCognito {
  /** `/cognito` and everything under it (a request URL, query allowed). */
  handles(url: string): boolean;
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalCognito(options: LocalCognitoOptions): Promise<LocalCognito> {
  const known = (ids: ReadonlyMap<string, string>, logicalId: string): string => {
    const id = ids.get(logicalId);
    if (id === undefined) throw new Error(`unreachable: ${logicalId} has no local id (local/wiring.ts names every pool and client)`);
    return id;
  };
  const configs = readPoolConfigs(options.template, (poolLogicalId) => ({
    userPoolId: known(options.userPoolIds, poolLogicalId),
    clientId: (clientLogicalId) => known(options.userPoolClientIds, clientLogicalId),
    clientSecret: (clientId) => createHmac('sha256', options.seed).update(`client-secret:${clientId}`).digest('base64url').slice(0, 51),
  }));
  const mailbox = fileMailbox(options.stateDir, options.log);
  const stores = await Promise.all(configs.map((config) => openFileUserStore(options.stateDir, config.userPoolId)));
  const signers = await Promise.all(configs.map((config) => createKeySigner(options.stateDir, options.region, config.userPoolId)));
  const pools = configs.map((config, index) => {
    const store = stores[index];
    const signer = signers[index];
    if (!store || !signer) throw new Error('unreachable: one store and signer per pool');
    return createPoolContext(config, { store, signer, mailbox, clock: { now: () => Date.now() } });
  });
  const administrators = new Map(options.administrators.map((a) => [a.accessKeyId, { ...a, allows: () => true }]));
  const handle = createCognitoHttpHandler({
    region: options.region,
    accountId: options.accountId,
    pools,
    jwks: signers[0]?.jwks ?? { keys: [] },
    principal: (accessKeyId) => administrators.get(accessKeyId),
    log: options.log,
  });
  return {
    handles: (url) => {
      const path = url.split('?')[0] ?? url;
      return path === COGNITO_PATH || path.startsWith(`${COGNITO_PATH}/`);
    },
    handle,
    stop: async () => {
      await Promise.all(stores.map((store) => store.flush()));
    },
  };
}
