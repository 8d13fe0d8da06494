import { InvokeStore } from '@aws/lambda-invoke-store';

/** Wraps a handler so that each call is an invocation of its own. */
export type OwnInvocation = <A extends unknown[], R>(handler: (...args: A) => R) => (...args: A) => R;

/**
 * Makes each call of a handler its own invocation, as Lambda Managed Instances do for invocations
 * that run at once: Powertools then keeps the keys a call gives the logger (a request's correlation
 * id) on that call's lines only. The local server runs requests and its job worker at once, in one
 * process and with one logger; a Lambda environment runs one invocation at a time and needs none of this.
 *
 * Call it before anything uses the AWS SDK: the SDK's first request sets up the process's one store,
 * for invocations one at a time unless told otherwise, and that store is the process's for good.
 * @throws Error when that happened already
 */
export async function ownInvocations(): Promise<OwnInvocation> {
  // Powertools scopes its keys to an invocation only where Lambda says invocations may overlap.
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '1000';
  const store = await InvokeStore.getInstanceAsync(true);
  // The store for one invocation at a time keeps the last context it ran: then overlapping calls would
  // share their keys after all.
  store.run({}, () => undefined);
  if (store.hasContext()) {
    throw new Error(
      'the invocation store was set up for one invocation at a time: call ownInvocations first',
    );
  }
  return (handler) =>
    (...args) =>
      store.run({}, () => handler(...args));
}
