import { type IncomingMessage, request } from 'node:http';
import { type LoopbackReply, LoopbackServer } from './loopback-server.ts';

export interface DynamoRequest {
  /** The operation, e.g. `DeleteItem`. */
  operation: string;
  body: { Key?: Record<string, { S?: string }> } & Record<string, unknown>;
}

/** The DynamoDB operation a request asks for (`UpdateItem`), from its `x-amz-target` header. */
export const dynamoOperation = (req: IncomingMessage) =>
  String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';

/**
 * Sits between a DynamoDB client and dynalite. It can answer the next `throttle` requests as DynamoDB
 * does under load, and run `before` just before a chosen request goes on, to put another writer's
 * actions at an exact point of an interleaving.
 */
export class InterceptingProxy extends LoopbackServer {
  throttle = 0;
  throttled = 0;
  /** Runs once, before the first request it matches (return true) is forwarded. */
  before: ((request: DynamoRequest) => boolean | Promise<boolean>) | undefined;
  protected contentType = 'application/x-amz-json-1.0';
  readonly #target: URL;

  constructor(target: string) {
    super();
    this.#target = new URL(target);
  }

  protected async handle(req: IncomingMessage, raw: string): Promise<LoopbackReply> {
    if (this.throttle > 0) {
      this.throttle--;
      this.throttled++;
      return {
        status: 400,
        body: {
          __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          message: 'throttled by the test',
        },
      };
    }
    if (this.before) {
      if (await this.before({ operation: dynamoOperation(req), body: JSON.parse(raw || '{}') }))
        this.before = undefined;
    }
    return new Promise((resolve, reject) => {
      const forward = request(
        {
          host: this.#target.hostname,
          port: this.#target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 500,
              body: JSON.parse(Buffer.concat(chunks).toString() || '{}'),
            }),
          );
        },
      );
      forward.on('error', reject);
      forward.end(raw);
    });
  }
}
