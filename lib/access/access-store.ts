import type { Block, Grant, Role } from './grant.ts';

/**
 * Where grants, blocks and the counters behind blocking and alarms live (port). Adapters do I/O only;
 * the rules are in access-guard.ts.
 */
export interface AccessStore {
  getGrant(user: string, tenant: string, role: Role): Promise<Grant | undefined>;
  /** Every grant, expired ones included; with a filter, only those matching every field given. */
  listGrants(filter?: { user?: string; tenant?: string }): Promise<Grant[]>;
  putGrant(grant: Grant): Promise<void>;
  /** @returns false when there was no such grant */
  deleteGrant(user: string, tenant: string, role: Role): Promise<boolean>;
  /** Sets the grant's last use, if the grant still exists. */
  markUsed(user: string, tenant: string, role: Role, at: Date): Promise<void>;

  /** Records a rejected attempt; returns how many the user has had since `since`, this one included. */
  recordDenial(user: string, at: Date, since: Date): Promise<number>;
  getBlock(user: string): Promise<Block | undefined>;
  /** @returns false when the user was blocked already (the first block stands) */
  putBlock(block: Block): Promise<boolean>;
  /**
   * Lifts the block and forgets the refusals that led to it, so that the user starts afresh.
   * @returns false when the user was not blocked
   */
  deleteBlock(user: string): Promise<boolean>;
  listBlocks(): Promise<Block[]>;

  /** Adds to the tokens the user re-identified in the hour that `at` falls in; returns the hour's total. */
  countTokens(user: string, at: Date, count: number): Promise<number>;
}
