import type { IncomingMessage } from 'node:http';
import { type LoopbackReply, LoopbackServer } from './loopback-server.ts';

/** A loopback endpoint speaking AWS Secrets Manager's JSON protocol for GetSecretValue. */
export class FakeSecretsManager extends LoopbackServer {
  readonly secrets = new Map<string, string>();
  protected contentType = 'application/x-amz-json-1.1';

  protected handle(req: IncomingMessage, raw: string): LoopbackReply {
    const { SecretId: id } = JSON.parse(raw || '{}') as { SecretId?: string };
    const value = id === undefined ? undefined : this.secrets.get(id);
    if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue' || value === undefined) {
      return { status: 400, body: { __type: 'ResourceNotFoundException', message: 'no such secret' } };
    }
    return { status: 200, body: { ARN: id, Name: id, SecretString: value, VersionId: 'v1' } };
  }
}
