// The harness's side of the attack's oracle channel: turns a `budget` or `query` request from the attack's process
// into a reply, answered by the real oracle for the attack's account. Errors travel as plain data with their `code`
// (ipc-client.ts re-creates them as the same typed classes).
import type { ChildMessage, ReplyMessage } from './attack-protocol.ts';
import { serializeError } from './errors.ts';
import type { Oracle } from './oracle.ts';

export type OracleRequest = Extract<ChildMessage, { type: 'budget' | 'query' }>;

export async function answerOracleRequest(oracle: Oracle, account: string, request: OracleRequest): Promise<ReplyMessage> {
  try {
    const value = request.type === 'budget' ? oracle.budget(account) : await oracle.query(account, request.images);
    return { type: 'reply', id: request.id, ok: true, value };
  } catch (error) {
    return { type: 'reply', id: request.id, ok: false, error: serializeError(error) };
  }
}
