// The attack's IPC oracle client against the real oracle, with the channel simulated by structured clone (what
// Node's `serialization: 'advanced'` does): answers arrive intact, and errors come back as the same typed classes.
import { describe, expect, it } from 'vitest';
import type { ChildMessage, ReplyMessage } from '../benchmark/oracle/attack-protocol.ts';
import { InvalidQueryError, QueryBudgetExceededError } from '../benchmark/oracle/errors.ts';
import { createIpcOracleClient } from '../benchmark/oracle/ipc-client.ts';
import { answerOracleRequest } from '../benchmark/oracle/ipc-server.ts';
import { createOracle } from '../benchmark/oracle/oracle.ts';
import type { ImageBatch } from '../benchmark/plugin/types.ts';
import { tinyBatch, tinyVictim } from './fixtures/oracle-tiny-victim.ts';

function connect(budget: number) {
  const victim = tinyVictim();
  const oracle = createOracle({ deployment: victim, output: 'label' });
  oracle.openAccount('attacker', budget, 'attacker');
  const ipc = createIpcOracleClient({ output: oracle.output, inputShape: [...oracle.inputShape] as [number, number, number], outputDim: oracle.outputDim }, (raw: ChildMessage) => {
    const message = structuredClone(raw);
    if (message.type === 'budget' || message.type === 'query') {
      void answerOracleRequest(oracle, 'attacker', message).then((reply: ReplyMessage) => ipc.receive(structuredClone(reply)));
    }
  });
  return { victim, oracle, client: ipc.client };
}

describe('IPC oracle client', () => {
  it('answers (scores and labels) and budgets cross the channel intact', async () => {
    const { victim, client } = connect(5);
    const batch = tinyBatch(3, 4);
    const answer = await client.query(batch);
    const reference = await victim.classify(batch);
    expect(answer.data).toEqual(reference.scores.data);
    expect(answer.labels).toEqual(reference.labels);
    expect(await client.budget()).toEqual({ total: 5, used: 3, remaining: 2 });
    expect([client.output, client.outputDim, [...client.inputShape]]).toEqual(['label', 4, [4, 4, 1]]);
  });

  it('budget and validation errors arrive as typed errors; concurrent calls get their own replies', async () => {
    const { oracle, client } = connect(4);
    const results = await Promise.allSettled([client.query(tinyBatch(3, 1)), client.query(tinyBatch(2, 2)), client.query(tinyBatch(1, 3))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const refused = (results[1] as PromiseRejectedResult).reason;
    expect(refused).toBeInstanceOf(QueryBudgetExceededError);
    expect(refused).toMatchObject({ requested: 2, remaining: 1 });
    const bad = await client.query({ ...tinyBatch(1), height: 5 } as ImageBatch).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InvalidQueryError);
    expect((bad as InvalidQueryError).field).toBe('images.height');
    expect(oracle.budget('attacker').used).toBe(4);
  });
});
