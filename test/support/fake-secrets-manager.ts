import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback endpoint speaking AWS Secrets Manager's JSON protocol for GetSecretValue. */
export class FakeSecretsManager {
  readonly secrets = new Map<string, string>();
  reads = 0;
  #server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: string };
        const target = String(req.headers['x-amz-target'] ?? '');
        const value = input.SecretId === undefined ? undefined : this.secrets.get(input.SecretId);
        res.writeHead(value === undefined ? 400 : 200, { 'content-type': 'application/x-amz-json-1.1' });
        if (target !== 'secretsmanager.GetSecretValue' || value === undefined) {
          return res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'no such secret' }));
        }
        this.reads++;
        res.end(
          JSON.stringify({ ARN: input.SecretId, Name: input.SecretId, SecretString: value, VersionId: 'v1' }),
        );
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }
}
