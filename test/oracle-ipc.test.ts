// The attack's IPC oracle client against the real oracle, with the channel simulated by structured clone (what
// Node's `serialization: 'advanced'` does): answers arrive intact, and errors come back as the same typed classes.
import { describe, expect, it } from 'vitest';
import type { ChildMessage, ReplyMessage } from '../benchmark/oracle/attack-protocol.ts';
import { InvalidQueryError, QueryBudgetExceededError } from '../benchmark/oracle/errors.ts';
import { createIpcOracleClient } from '../benchmark/oracle/ipc-client.ts';
import { answerOracleRequest } from '../benchmark/oracle/ipc-server.ts';
import { createOracle } from '../benchmark/oracle/oracle.ts';
import { openAttackerAccounts, MAX_ATTACKER_ACCOUNTS } from '../benchmark/oracle/accounts.ts';
import type { ImageBatch } from '../benchmark/plugin/types.ts';
import { tinyBatch, tinyVictim } from './fixtures/oracle-tiny-victim.ts';

function connect(budget: number) {
  const victim = tinyVictim();
  const oracle = createOracle({ deployment: victim, output: 'label' });
  const accounts = openAttackerAccounts(oracle, budget, 0);
  const harnessSide = oracle.client(accounts);
  const info = {
    output: oracle.output,
    inputShape: [...oracle.inputShape] as [number, number, number],
    outputDim: oracle.outputDim,
    maxAccounts: harnessSide.maxAccounts,
  };
  const ipc = createIpcOracleClient(info, (raw: ChildMessage) => {
    const message = structuredClone(raw);
    if (message.type === 'budget' || message.type === 'query') {
      void answerOracleRequest(harnessSide, message).then((reply: ReplyMessage) => ipc.receive(structuredClone(reply)));
    }
  });
  return { victim, oracle, accounts, client: ipc.client };
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
    const results = await Promise.allSettled([
      client.query(tinyBatch(3, 1)),
      client.query(tinyBatch(2, 2)),
      client.query(tinyBatch(1, 3)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const refused = (results[1] as PromiseRejectedResult).reason;
    expect(refused).toBeInstanceOf(QueryBudgetExceededError);
    expect(refused).toMatchObject({ requested: 2, remaining: 1 });
    const bad = await client.query({ ...tinyBatch(1), height: 5 } as ImageBatch).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InvalidQueryError);
    expect((bad as InvalidQueryError).field).toBe('images.height');
    expect(oracle.budget(oracle.accounts()[0]!.id).used).toBe(4);
  });

  it('an account index crosses the channel; a bad one comes back as InvalidQueryError on options.account', async () => {
    const { oracle, accounts, client } = connect(6);
    expect(client.maxAccounts).toBe(MAX_ATTACKER_ACCOUNTS);
    await client.query(tinyBatch(2, 1), { account: 5 });
    await client.query(tinyBatch(1, 2));
    expect(accounts.opened()).toEqual([accounts.account(5), accounts.account(0)]);
    expect(oracle.audit(accounts.account(5)).map((e) => e.count)).toEqual([2]);
    expect(await client.budget()).toEqual({ total: 6, used: 3, remaining: 3 });
    for (const account of [-1, 1.5, MAX_ATTACKER_ACCOUNTS, Number.NaN]) {
      const refused = await client.query(tinyBatch(1, 3), { account }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(InvalidQueryError);
      expect((refused as InvalidQueryError).field).toBe('options.account');
    }
    expect(await client.budget()).toMatchObject({ used: 3 });
  });
});
