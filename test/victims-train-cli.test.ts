// `train-victim`'s flags that choose what to train, checked before any training starts: --next needs a `next` recipe,
// and --next never ships (shipped weights must match the victim's `recipe`).
import { describe, expect, it } from 'vitest';
import { trainVictimCommand } from '../benchmark/cli/train-victim.ts';

const sink = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;

describe('train-victim --next', () => {
  it('refuses a victim without a next recipe, naming the field and the file', async () => {
    await expect(trainVictimCommand('simclr-cifar10', { next: true }, sink)).rejects.toThrow(
      "--next: victim 'simclr-cifar10' has no next recipe (field next in victims/simclr-cifar10/index.ts)",
    );
  });

  it('refuses to ship the next recipe', async () => {
    await expect(trainVictimCommand('simclr-fmnist', { next: true, ship: true }, sink)).rejects.toThrow(
      /--next with --ship: shipped weights must match the victim's recipe; move next into recipe/,
    );
  });
});
