// The baseline: the API answers every query with the victim's clean output, flags nobody and charges nothing.
// Every other defense is measured against this one at equal query budget.
import { defineDefense } from '../../benchmark/plugin/define.ts';

export default defineDefense({
  meta: {
    id: 'none',
    title: 'No defense',
    paper: 'Baseline of Dziedzic et al., "On the Difficulty of Defending Self-Supervised Learning against Model Extraction", ICML 2022',
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
