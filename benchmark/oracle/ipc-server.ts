// The harness's side of the attack's oracle channel: turns a `budget` or `query` request from the attack's process
// into a reply, answered by the attacker's oracle client (the real oracle behind the attacker's accounts). Errors
// travel as plain data with their `code` (ipc-client.ts re-creates them as the same typed classes).
import type { OracleClient } from '../plugin/types.ts';
import type { ChildMessage, ReplyMessage } from './attack-protocol.ts';
import { serializeError } from './errors.ts';

export type OracleRequest = Extract<ChildMessage, { type: 'budget' | 'query' }>;

export async function answerOracleRequest(client: OracleClient, request: OracleRequest): Promise<ReplyMessage> {
  try {
    // The account index is whatever the child sent: the client checks it (an integer in 0 … maxAccounts-1).
    const value =
      request.type === 'budget'
        ? await client.budget()
        : await client.query(request.images, request.account === undefined ? undefined : { account: request.account });
    return { type: 'reply', id: request.id, ok: true, value };
  } catch (error) {
    return { type: 'reply', id: request.id, ok: false, error: serializeError(error) };
  }
}
