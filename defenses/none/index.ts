import { defineDefense } from '../../benchmark/index.ts';

export default defineDefense({
  meta: {
    id: 'none',
    title: 'No defense',
    paper:
      'Baseline of Dziedzic et al., "On the Difficulty of Defending ' +
      'Self-Supervised Learning against Model Extraction", ICML 2022',
    kind: 'active',
  },
  guard() {
    return {
      async answer(request) {
        // A copy, so that nothing downstream can change the victim's buffer through the answer.
        const { clean } = request;
        return { answer: { data: clean.data.slice(), count: clean.count, dim: clean.dim } };
      },
    };
  },
});
