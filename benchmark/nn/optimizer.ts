// One optimisation step shared by SSL training, matching (stealing) and the linear probe: Adam on a fixed list of
// variables, with weight decay as PyTorch's Adam applies it (coupled L2: the gradient gets + weightDecay × θ before
// the Adam moments, which is what the paper's code ran), everything inside tidy so no tensor outlives the step.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import './gradients.ts';

export interface AdamSettings {
  learningRate: number;
  /** Coupled L2 weight decay (PyTorch `Adam(weight_decay=…)`); 0 turns it off. */
  weightDecay?: number;
}

export interface Stepper {
  /** Computes the loss, back-propagates into the variables, updates them; returns the loss value. */
  step(loss: () => tf.Scalar): Promise<number>;
  dispose(): void;
}

/** The trainable tf.Variables of some layers models, in a stable order. */
export function trainableVariables(models: readonly tfl.LayersModel[]): tf.Variable[] {
  return models.flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
}

export function createAdamStepper(variables: readonly tf.Variable[], settings: AdamSettings): Stepper {
  if (!(settings.learningRate > 0)) throw new Error(`learningRate must be > 0, found ${settings.learningRate}`);
  const weightDecay = settings.weightDecay ?? 0;
  if (!(weightDecay >= 0)) throw new Error(`weightDecay must be >= 0, found ${weightDecay}`);
  const names = new Set(variables.map((v) => v.name));
  if (names.size !== variables.length) throw new Error('createAdamStepper: two variables share a name');
  const optimizer = tf.train.adam(settings.learningRate);
  return {
    async step(loss) {
      const value = tf.tidy(() => {
        const { value: lossValue, grads } = tf.variableGrads(loss, variables as tf.Variable[]);
        if (weightDecay > 0) {
          for (const v of variables) {
            const g = grads[v.name];
            if (g) grads[v.name] = tf.add(g, tf.mul(v, weightDecay));
          }
        }
        optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
        return lossValue;
      });
      const result = (await value.data())[0]!;
      value.dispose();
      if (!Number.isFinite(result)) throw new Error(`training diverged: the loss is ${result}`);
      return result;
    },
    dispose() {
      optimizer.dispose();
    },
  };
}
