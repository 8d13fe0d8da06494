import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** An HTTP endpoint on 127.0.0.1 for a service with no local emulator; subclasses answer requests. */
export abstract class LoopbackServer {
  url = '';
  #server: Server | undefined;

  protected abstract contentType: string;
  protected abstract handle(req: IncomingMessage, raw: string): LoopbackReply | Promise<LoopbackReply>;

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const failure: LoopbackReply = { status: 500, body: { message: 'loopback failure' } };
        const reply = await Promise.resolve(this.handle(req, Buffer.concat(chunks).toString('utf8'))).catch(
          () => failure,
        );
        res.writeHead(reply.status, { 'content-type': this.contentType, ...reply.headers });
        res.end(JSON.stringify(reply.body));
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
