// Contract of the simsiam-fmnist recipe (meta, plain-JSON recipe, known splits) and that the weights in weights/ were
// trained
// from this exact recipe (metrics.json names its hash) and recorded their probe accuracies.
import { testVictim } from '../../benchmark/testkit/index.ts';
import plugin from './index.ts';

testVictim(plugin, { shipped: true });
