import type { Pseudonymizer } from '../pseudonymize/pseudonymizer.ts';
import type { Retention } from '../retention/retention-policy.ts';
import type { TicketTracker } from '../tracker/ticket-tracker.ts';
import type { TokenVault } from '../vault/token-vault.ts';
import type { WebhookSecrets } from '../webhook/webhook-secrets.ts';

/** The adapters a handler needs, wired once per process: embedded locally, AWS in Lambda. */
export interface Runtime {
  pseudonymizer: Pseudonymizer;
  retention: Retention;
  vault: TokenVault;
  tracker: TicketTracker;
  webhookSecrets: WebhookSecrets;
}
