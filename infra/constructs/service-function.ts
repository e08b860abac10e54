import path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Architecture, LoggingFormat, Runtime, Tracing, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge, wildcardResourceFinding } from '../nag/index.js';
import { REPO_ROOT, toPosixRelative } from '../paths.js';
import { dynamoDbActionsOf } from './dynamodb-access.js';
import { stageDefaults } from './stage-defaults.js';

/**
 * CloudFormation metadata keys on every service function's `AWS::Lambda::Function`. The local
 * stack reads them to run the TypeScript source instead of the bundle.
 */
export const LOCAL_ENTRY_METADATA = 'local:entry';
export const LOCAL_HANDLER_METADATA = 'local:handler';

/** Read-only or read-write access to a DynamoDB table. */
export type TableAccess = 'RO' | 'RW';

/** What a function may do with the objects of a bucket. */
export type BucketAccess = 'READ' | 'PUT' | 'READ_PUT';

/** Defines `require` in the ESM bundle, for CommonJS dependencies that call it. */
const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * Nothing is left to the runtime but what cannot be bundled (sharp, `nodeModules`): the AWS SDK
 * v3 is bundled, minified and tree-shaken into each function. The SDK the Lambda runtime ships is
 * loaded from node_modules as hundreds of CommonJS files, each resolved, read and compiled at
 * init; one bundled file holding only the clients and commands a function uses starts several
 * times faster (`npm run bench -- --only coldstart` measures both). This is AWS's own advice for
 * cold starts: "If you are sensitive to Lambda cold start times, we recommend bundling your
 * Lambda function, which uses barebones SDK clients with command objects and includes JS SDK v3"
 * (AWS Developer Tools Blog, "Reduce Lambda cold start times: migrate to AWS SDK for JavaScript
 * v3", https://aws.amazon.com/blogs/developer/reduce-lambda-cold-start-times-migrate-to-aws-sdk-for-javascript-v3/;
 * and the SDK team's https://github.com/aws/aws-cdk/issues/25492 on NodejsFunction's default).
 * It also pins the SDK version the functions were tested with.
 */
export const EXTERNAL_MODULES: readonly string[] = [];

/**
 * The AWS SDK's default credential chain, replaced in the bundles by its first link, the
 * environment: the only one Lambda ever reaches, without ~130 KiB of the others (the module says
 * why). The credential chain of the SDK's clients is this package's `defaultProvider`.
 */
export const CREDENTIAL_CHAIN_PACKAGE = '@aws-sdk/credential-provider-node';
export const LAMBDA_CREDENTIALS_MODULE = path.join(REPO_ROOT, 'resolvers', 'shared', 'lambda-credentials.ts');

/**
 * How a function's entry is bundled (what NodejsFunction passes to esbuild). Exported so the
 * bundle-size test and the benchmark build each entry exactly this way; `alias` is the esbuild
 * API's form of the `--alias` in `esbuildArgs`.
 */
export function bundlingOptions(
  needsSharp: boolean,
  projectRoot: string = REPO_ROOT,
): BundlingOptions & {
  readonly externalModules: string[];
  readonly nodeModules: string[];
  readonly alias: Readonly<Record<string, string>>;
} {
  // esbuild resolves an alias's target from its working directory, the project root (mounted
  // as such when bundling in Docker), so the CLI form is relative to it.
  const credentialsModule = `./${toPosixRelative(projectRoot, LAMBDA_CREDENTIALS_MODULE)}`;
  return {
    alias: { [CREDENTIAL_CHAIN_PACKAGE]: LAMBDA_CREDENTIALS_MODULE },
    esbuildArgs: { '--alias': `${CREDENTIAL_CHAIN_PACKAGE}=${credentialsModule}` },
    minify: true,
    sourceMap: true,
    // Stack traces need the mappings, not the sources: without them the map of a bundle holding
    // the SDK is ~2.5x smaller, and `--enable-source-maps` reads and parses it at every init.
    sourcesContent: false,
    format: OutputFormat.ESM,
    target: 'node22',
    mainFields: ['module', 'main'],
    banner: ESM_REQUIRE_BANNER,
    externalModules: [...EXTERNAL_MODULES],
    nodeModules: needsSharp ? ['sharp'] : [],
    // npm picks sharp's prebuilt binaries for the Lambda platform (linux-arm64), not the host's.
    ...(needsSharp ? { environment: { npm_config_os: 'linux', npm_config_cpu: 'arm64', npm_config_libc: 'glibc' } } : {}),
  };
}

/** NodejsFunction's props know the alias only as its esbuild argument. */
function nodeJsBundling({ alias: _alias, ...options }: ReturnType<typeof bundlingOptions>): BundlingOptions & { nodeModules: string[] } {
  return options;
}

export interface ServiceFunctionProps {
  /** The handler's source file, relative to `projectRoot`, in POSIX form (`resolvers/files/handlers/files-api.ts`). */
  readonly entry: string;

  /**
   * The name of the handler's export.
   * @default 'handler'
   */
  readonly handler?: string;

  /**
   * The directory holding `package.json`, `package-lock.json` and the entry.
   * @default the repository root
   */
  readonly projectRoot?: string;

  /**
   * The service name Powertools logs, traces and metrics carry (`POWERTOOLS_SERVICE_NAME`).
   * @default the construct id
   */
  readonly serviceName?: string;

  /**
   * Memory in MiB, sized for the function: Lambda gives CPU in proportion, so a CPU-bound
   * handler (image decoding) starts and runs faster with more.
   * @default 512
   */
  readonly memorySize?: number;

  /**
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;

  /**
   * Extra environment variables. Prefer `bindTable` / `bindBucket` for resources.
   * @default {}
   */
  readonly environment?: Readonly<Record<string, string>>;

  /**
   * Whether the handler uses `sharp`. Sharp has native code, so it is not bundled: it is
   * installed next to the bundle for linux-arm64 (this needs registry access at bundling time).
   * @default false
   */
  readonly needsSharp?: boolean;

  /**
   * How long the function's logs are kept.
   * @default the stage's retention, set by the production posture (infra/aspects); unlimited
   * where no posture applies
   */
  readonly logRetention?: RetentionDays;

  /**
   * What happens to the log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A Node.js Lambda function with the project's fixed choices: Node.js 22 on arm64, active
 * tracing, JSON logs in its own log group with a retention, an ESM bundle with source maps and
 * the AWS SDK bundled in. Resources are bound with `bindTable` / `bindBucket`, which set
 * the environment variable and the grant together.
 */
export class ServiceFunction extends Construct {
  /** The Lambda function. */
  public readonly fn: NodejsFunction;
  /** The entry, relative to the project root, in POSIX form (the `local:entry` metadata). */
  public readonly entry: string;
  /** The handler's export name (the `local:handler` metadata). */
  public readonly handlerName: string;
  /** The function's log group. */
  public readonly logGroup: LogGroup;
  /** The entry's absolute path. */
  public readonly absoluteEntry: string;
  /** Whether sharp is installed next to the bundle rather than bundled. */
  public readonly needsSharp: boolean;
  /** How the entry is bundled. */
  public readonly bundling: ReturnType<typeof bundlingOptions>;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);

    const projectRoot = path.resolve(props.projectRoot ?? REPO_ROOT);
    const absoluteEntry = path.resolve(projectRoot, ...props.entry.split('/'));
    this.entry = toPosixRelative(projectRoot, absoluteEntry);
    this.absoluteEntry = absoluteEntry;
    this.handlerName = props.handler ?? 'handler';
    const needsSharp = props.needsSharp ?? false;
    this.needsSharp = needsSharp;
    this.bundling = bundlingOptions(needsSharp, projectRoot);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: stageDefaults(props).logRetention,
      removalPolicy: stageDefaults(props).removalPolicy,
    });

    this.fn = new NodejsFunction(this, 'Function', {
      entry: absoluteEntry,
      handler: this.handlerName,
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? id,
        ...props.environment,
      },
      bundling: {
        ...nodeJsBundling(this.bundling),
        nodeModules: this.bundling.nodeModules.length > 0 ? this.bundling.nodeModules : undefined,
      },
    });

    const cfnFunction = this.fn.node.defaultChild as CfnFunction;
    cfnFunction.addMetadata(LOCAL_ENTRY_METADATA, this.entry);
    cfnFunction.addMetadata(LOCAL_HANDLER_METADATA, this.handlerName);
  }

  /**
   * Sets `envName` to the table's name and grants access to the table and its indexes: the
   * actions this function's code calls when infra/constructs/dynamodb-access.ts lists them (least
   * privilege), else `access`'s read or read-write set.
   */
  public bindTable(table: ITable, access: TableAccess, envName: string): this {
    this.fn.addEnvironment(envName, table.tableName);
    const actions = dynamoDbActionsOf(this.entry, envName);
    if (actions !== undefined) {
      table.grant(this.fn, ...actions.map((action) => `dynamodb:${action}`));
    } else if (access === 'RW') {
      table.grantReadWriteData(this.fn);
    } else {
      table.grantReadData(this.fn);
    }
    acknowledge(
      this.fn,
      wildcardResourceFinding(this, `${table.tableArn}/index/*`),
      `bindTable: queries through the indexes of ${table.node.path} (index/* is this table's indexes only, not other tables)`,
    );
    return this;
  }

  /**
   * Sets `envName` to the bucket's name and grants `access` to the objects matching
   * `keyPattern`. Call once per prefix for different access to different prefixes.
   */
  public bindBucket(bucket: IBucket, access: BucketAccess, envName: string, keyPattern = '*'): this {
    this.fn.addEnvironment(envName, bucket.bucketName);
    // The object actions the handlers use and nothing else: bucket.grantRead/grantPut would add
    // s3:GetObject*, s3:List*, s3:Abort* and bucket-level reads.
    const actions = [
      ...(access === 'READ' || access === 'READ_PUT' ? ['s3:GetObject'] : []),
      ...(access === 'PUT' || access === 'READ_PUT' ? ['s3:PutObject'] : []),
    ];
    const objects = bucket.arnForObjects(keyPattern);
    this.fn.addToRolePolicy(new PolicyStatement({ actions, resources: [objects] }));
    if (keyPattern.includes('*')) {
      acknowledge(
        this.fn,
        wildcardResourceFinding(this, objects),
        `bindBucket: ${actions.join(', ')} on the objects under "${keyPattern}" of ${bucket.node.path}, one key pattern per binding`,
      );
    }
    return this;
  }

  /** Adds one environment variable. */
  public addEnvironment(name: string, value: string): this {
    this.fn.addEnvironment(name, value);
    return this;
  }
}
