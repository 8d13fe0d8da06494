import type { IncomingMessage } from 'node:http';
import { request } from 'node:http';
import { type LoopbackReply, LoopbackServer } from './loopback-server.ts';

/**
 * Sits between the DynamoDB client and dynalite and answers the next `throttle` requests the way
 * DynamoDB does under load (400 ProvisionedThroughputExceededException); the rest pass through.
 */
export class ThrottlingProxy extends LoopbackServer {
  throttle = 0;
  throttled = 0;
  protected contentType = 'application/x-amz-json-1.0';
  readonly #target: URL;

  constructor(target: string) {
    super();
    this.#target = new URL(target);
  }

  protected handle(req: IncomingMessage, raw: string): Promise<LoopbackReply> {
    if (this.throttle > 0) {
      this.throttle--;
      this.throttled++;
      return Promise.resolve({
        status: 400,
        body: {
          __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          message: 'throttled by the test',
        },
      });
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
