// The attack's side of the oracle: an `OracleClient` whose calls travel over the IPC channel to the harness, where
// the real oracle answers (and enforces the budget). Errors come back by `code` and are re-created as the same typed
// classes (QueryBudgetExceededError, InvalidQueryError…), so an attack cannot tell this client from an in-process one.
import type { BudgetState, ImageBatch, OracleClient, QueryAnswer, QueryOptions } from '../plugin/types.ts';
import type { ChildMessage, ReplyMessage, StartMessage } from './attack-protocol.ts';
import { reviveError } from './errors.ts';

export function createIpcOracleClient(
  info: StartMessage['oracle'],
  send: (message: ChildMessage) => void,
): {
  client: OracleClient;
  /** Feed every `reply` message from the parent here. */
  receive(message: ReplyMessage): void;
} {
  let nextId = 0;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  function call<T>(message: (id: number) => ChildMessage): Promise<T> {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      send(message(id));
    });
  }
  const client: OracleClient = Object.freeze({
    output: info.output,
    inputShape: Object.freeze([...info.inputShape]) as unknown as readonly [number, number, number],
    outputDim: info.outputDim,
    maxAccounts: info.maxAccounts,
    budget: () => call<BudgetState>((id) => ({ type: 'budget', id })),
    query: (images: ImageBatch, options?: QueryOptions) =>
      // Send only the fields of an ImageBatch: the oracle validates them, extra fields would be noise over IPC.
      call<QueryAnswer>((id) => ({
        type: 'query',
        id,
        images: {
          data: images?.data,
          count: images?.count,
          height: images?.height,
          width: images?.width,
          channels: images?.channels,
        },
        ...(options?.account === undefined ? {} : { account: options.account }),
      })),
  });
  return {
    client,
    receive(message) {
      const entry = pending.get(message.id);
      if (!entry) return;
      pending.delete(message.id);
      if (message.ok) entry.resolve(message.value);
      else entry.reject(reviveError(message.error));
    },
  };
}
