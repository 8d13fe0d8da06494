import type { Pseudonymizer } from '../pseudonymize/pseudonymizer.ts';
import type { TicketTracker } from '../tracker/ticket-tracker.ts';
import type { WebhookSecrets } from '../webhook/webhook-secrets.ts';

/** The adapters a handler needs, wired once per process: embedded locally, AWS in Lambda. */
export interface Runtime {
  pseudonymizer: Pseudonymizer;
  tracker: TicketTracker;
  webhookSecrets: WebhookSecrets;
}
