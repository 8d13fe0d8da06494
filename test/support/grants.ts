import type { AccessStore } from '../../lib/access/access-store.ts';
import { addMonths, type Role } from '../../lib/access/grant.ts';

/** Stores a grant as an administrator `root` would give it today: six months, never used. */
export async function putTestGrant(
  access: AccessStore,
  user: string,
  tenant: string,
  role: Role,
  expiresAt: Date = addMonths(new Date(), 6),
): Promise<void> {
  const now = new Date().toISOString();
  await access.putGrant({
    user,
    tenant,
    role,
    grantedBy: 'root',
    grantedAt: now,
    attestedBy: 'root',
    attestedAt: now,
    expiresAt: expiresAt.toISOString(),
  });
}
