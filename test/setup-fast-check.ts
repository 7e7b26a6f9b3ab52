// Property tests are reproducible: one fixed fast-check seed for every run (CI included), so a failure seen once is
// seen again. Set STEALBENCH_FC_SEED to explore other seeds locally (fast-check prints the seed of a failure).
import fc from 'fast-check';

const seed = Number(process.env.STEALBENCH_FC_SEED ?? 20221129);
fc.configureGlobal({ seed });
