import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type ICommandHooks, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LogKey } from './log-key.ts';

export interface TicketProxyFunctionProps {
  /** The handler module, relative to the repository root, e.g. `functions/servicedesk-webhook.ts`. */
  entry: string;
  /**
   * Where a failed invocation ends up, in a sentence: a Lambda dead-letter target only catches
   * asynchronous invocations, which none of these functions gets, so each says what catches its
   * failures instead (cdk-nag Serverless-LambdaDLQ).
   */
  failuresGoTo: string;
  environment?: Record<string, string>;
  /** @default 20 seconds */
  timeout?: Duration;
  /** @default RetentionDays.SIX_MONTHS */
  logRetention?: RetentionDays;
  /** @default none: the function shares the account's unreserved concurrency */
  reservedConcurrentExecutions?: number;
  /**
   * Files the function reads at run time, copied into its bundle after esbuild: the directory
   * `from` (relative to the repository root) becomes `to` next to `index.mjs`, e.g.
   * `{ from: 'lib/console/assets', to: 'assets' }` is `/var/task/assets/` in Lambda.
   * @default the bundle only
   */
  assets?: BundledAssets;
  /**
   * Files written next to `index.mjs` after esbuild, by name: configuration too large for Lambda's
   * environment, such as the tenants' (`/var/task/tenants.json` in Lambda). Part of the bundle, so a
   * change redeploys the code.
   * @default none
   */
  files?: Readonly<Record<string, string>>;
}

export interface BundledAssets {
  /** A directory, relative to the repository root. */
  from: string;
  /** A directory inside the bundle, relative to its root. */
  to: string;
}

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Lambda refuses a function whose environment variables, names and values, exceed 4 KB together. */
export const MAX_ENVIRONMENT_BYTES = 4096;
/** What a reference typically resolves to at deployment (an ARN, a queue URL, a table name). */
const REFERENCE_BYTES = 100;

/**
 * A Lambda function of this project with its secure defaults: Node.js 24 on ARM64, an ESM bundle
 * with the AWS SDK inside (the versions tested are the versions that run), X-Ray tracing, and a role
 * that may write only to the function's own log group, which keeps its logs for a set time, encrypted
 * with the stack's log key.
 */
export class TicketProxyFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: TicketProxyFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.SIX_MONTHS,
      encryptionKey: LogKey.of(this),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // An explicit role instead of the managed AWSLambdaBasicExecutionRole: logs only to its own group.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    });
    const commandHooks = afterBundling(props.assets, props.files ?? {});
    const environment: Record<string, string> = {
      NODE_OPTIONS: '--enable-source-maps',
      ...props.environment,
    };
    this.function = new NodejsFunction(this, 'Function', {
      entry: `${PROJECT_ROOT}${props.entry}`,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(20),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup,
      tracing: Tracing.ACTIVE,
      environment,
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        externalModules: [],
        mainFields: ['module', 'main'],
        banner:
          "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        // The asset hash is the bundle's output's: a changed file changes the deployed code too.
        ...(commandHooks && { commandHooks }),
      },
    });
    Validations.of(this.function).acknowledge({ id: 'Serverless-LambdaDLQ', reason: props.failuresGoTo });
    // A deployment would fail halfway on this; synthesis fails instead, saying which variable is large.
    this.node.addValidation({
      validate: () => {
        const sizes = Object.entries(environment).map(
          ([name, value]) => [name, name.length + estimatedBytes(Stack.of(this).resolve(value))] as const,
        );
        const total = sizes.reduce((sum, [, bytes]) => sum + bytes, 0);
        if (total <= MAX_ENVIRONMENT_BYTES) return [];
        const largest = [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 3);
        return [
          `The environment of ${props.entry} would be about ${total} bytes (${largest.map(([n, b]) => `${n} ${b}`).join(', ')}), but Lambda allows ${MAX_ENVIRONMENT_BYTES} bytes: fewer tenants or shorter tenant configurations per stack.`,
        ];
      },
    });
  }
}

/**
 * Written by shell commands, which Docker bundling joins into one argument, and Linux caps that at
 * 128 KiB: base64 makes 4 characters of 3 bytes, and esbuild's command needs the rest.
 */
const MAX_FILE_BYTES = 90_000;

/** A plain relative path below its root: names of letters, digits, `_`, `.` and `-`, none `.` or `..`. */
const isRelativeDirectory = (path: string) =>
  path.split('/').every((name) => /^[\w.-]+$/.test(name) && name !== '.' && name !== '..');

/**
 * Shell commands (local bundling, or Docker's) copying a directory of the repository into the bundle
 * and writing the files, or none if there is nothing to add.
 */
function afterBundling(
  assets: BundledAssets | undefined,
  files: Readonly<Record<string, string>>,
): ICommandHooks | undefined {
  for (const path of assets ? [assets.from, assets.to] : []) {
    if (!isRelativeDirectory(path)) {
      throw new Error(`assets: ${path} is not a relative directory path`);
    }
  }
  if (assets && !existsSync(`${PROJECT_ROOT}${assets.from}`)) {
    throw new Error(`assets: ${assets.from} is not a directory of the repository`);
  }
  for (const name of Object.keys(files)) {
    if (!isRelativeDirectory(name) || name.includes('/')) {
      throw new Error(`files: ${name} is not a file name`);
    }
  }
  const bytes = Object.values(files).reduce((sum, content) => sum + Buffer.byteLength(content), 0);
  if (bytes > MAX_FILE_BYTES) {
    throw new Error(
      `files: ${Object.keys(files).join(', ')} would be ${bytes} bytes, but bundling's command line takes at most ${MAX_FILE_BYTES}`,
    );
  }
  if (!assets && Object.keys(files).length === 0) return undefined;
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir, outputDir) => [
      ...(assets
        ? [
            `mkdir -p "${outputDir}/${assets.to}"`,
            `cp -R "${inputDir}/${assets.from}/." "${outputDir}/${assets.to}/"`,
          ]
        : []),
      // Base64 needs no quoting, whatever the content.
      ...Object.entries(files).map(
        ([name, content]) =>
          `echo ${Buffer.from(content).toString('base64')} | base64 -d > "${outputDir}/${name}"`,
      ),
    ],
  };
}

/** The deployed length of a resolved value: literal text as is, each reference at its likely most. */
function estimatedBytes(resolved: unknown): number {
  if (typeof resolved === 'string') return Buffer.byteLength(resolved);
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (join) {
    const [separator, parts] = join;
    return parts.reduce<number>(
      (sum, part) => sum + estimatedBytes(part),
      separator.length * (parts.length - 1),
    );
  }
  return REFERENCE_BYTES;
}
