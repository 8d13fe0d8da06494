import { join } from 'node:path';
import { openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { LocalFileKeyRing } from '../../lib/keys/local-file-key-ring.ts';
import { TenantKeys } from '../../lib/keys/tenant-keys.ts';
import { Pseudonymizer } from '../../lib/pseudonymize/pseudonymizer.ts';
import { DynamoTokenVault } from '../../lib/vault/dynamo-token-vault.ts';

/** The embedded stack on an in-memory dynalite and a key file in `dir`: real adapters, nothing mocked. */
export async function embeddedPseudonymizer(dir: string) {
  const dynamo = await openEmbeddedDynamo();
  const vault = new DynamoTokenVault(dynamo.client);
  const keyRing = await LocalFileKeyRing.open(join(dir, 'master.key'));
  return { dynamo, vault, pseudonymizer: new Pseudonymizer({ keys: new TenantKeys(keyRing, vault), vault }) };
}
