import { join } from 'node:path';
import { openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { LocalFileKeyRing } from '../../lib/keys/local-file-key-ring.ts';
import { TenantKeys } from '../../lib/keys/tenant-keys.ts';
import { Pseudonymizer } from '../../lib/pseudonymize/pseudonymizer.ts';
import { Retention } from '../../lib/retention/retention-policy.ts';
import { DynamoTokenVault } from '../../lib/vault/dynamo-token-vault.ts';

/**
 * The embedded stack on an in-memory dynalite and a key file in `dir`: real adapters, nothing mocked.
 * `now` lets a test move the clock the pseudonymizer and retention see.
 */
export async function embeddedPseudonymizer(dir: string, now: () => Date = () => new Date()) {
  const dynamo = await openEmbeddedDynamo();
  const vault = new DynamoTokenVault(dynamo.client);
  const keyRing = await LocalFileKeyRing.open(join(dir, 'master.key'));
  const keys = new TenantKeys(keyRing, vault);
  const pseudonymizer = new Pseudonymizer({ keys, vault, now });
  const retention = new Retention();
  return {
    dynamo,
    vault,
    keyRing,
    keys,
    pseudonymizer,
    retention,
    deps: { pseudonymizer, retention, vault, now },
  };
}

/** A ticket reference for tests that tokenize directly. */
export const ticketRef = (ticketId = 'SD-1', tenant = 'ballerup', days = 90) => ({
  tenant,
  ticketId,
  expiresAt: new Date(Date.now() + days * 24 * 60 * 60 * 1000),
});
