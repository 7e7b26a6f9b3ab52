// Account ids a defense cannot read a role from. Every account of a cell, the attacker's and the legitimate users',
// gets an id of the same form, `acct-<16 hex>`: a sha256 of the cell's key and a running number. Which number is
// whose is fixed by the harness and kept in the record (`traffic.accounts`), never in the id.
//
// Why the cell's key and not its seed: seeds are small integers, and a defense's own seed is derived from the cell's
// seed, so a defense could recover the seed by trying a few and recompute seed-derived ids. The key (the hash of the
// whole cell: plugins and their content hashes, options, budget, seed, harness version) is deterministic, so records
// still reproduce, but a defense would have to rebuild the entire cell to recompute it. Ids stop a defense that reads
// names; the schedule (interleave.ts) stops one that reads order.
import { createHash } from 'node:crypto';
import type { Oracle, AccountSet } from './oracle.ts';

/** How many accounts an attack may spread its queries over (`OracleClient.maxAccounts`). */
export const MAX_ATTACKER_ACCOUNTS = 64;

/** The opaque id of account number `n` of the cell with key `cellKey` (tests may pass a seed). */
export function accountId(cellKey: string | number, n: number): string {
  return `acct-${createHash('sha256').update(`stealbench/account/${cellKey}/${n}`).digest('hex').slice(0, 16)}`;
}

/** Account numbers: the attacker's index i is number i; legitimate user u is number MAX_ATTACKER_ACCOUNTS + u. */
export function legitimateAccountId(cellKey: string | number, user: number): string {
  return accountId(cellKey, MAX_ATTACKER_ACCOUNTS + user);
}

/** The attacker's accounts: one budget over up to MAX_ATTACKER_ACCOUNTS opaque accounts, opened on first use. */
export function openAttackerAccounts(oracle: Oracle, budget: number, cellKey: string | number): AccountSet {
  return oracle.openAccountSet({
    role: 'attacker',
    budget,
    maxAccounts: MAX_ATTACKER_ACCOUNTS,
    idOf: (index) => accountId(cellKey, index),
  });
}
