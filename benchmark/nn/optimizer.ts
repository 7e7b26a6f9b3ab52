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
  /** A copy of Adam's state (moments, bias-correction powers, step count), for a training checkpoint. */
  saveState(): AdamState;
  /** Puts a saved state back, bit for bit, so the next step is the one an uninterrupted run would take. */
  restoreState(state: AdamState): void;
  dispose(): void;
}

/** Adam's state between steps: one first and second moment per variable (none before the first step), in the
 * stepper's variable order. */
export interface AdamState {
  iterations: number;
  /** β1^(t+1) and β2^(t+1) as tfjs accumulates them (by repeated float32 products, so saved, not recomputed). */
  accBeta1: number;
  accBeta2: number;
  /** Empty before the first step. */
  firstMoments: { shape: number[]; values: Float32Array }[];
  secondMoments: { shape: number[]; values: Float32Array }[];
}

/** The fields of tfjs-core 4.22's AdamOptimizer that hold its state (its own setWeights recomputes the powers). */
interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
  iterations_: number;
}

/** The trainable tf.Variables of some layers models, in a stable order. */
export function trainableVariables(models: readonly tfl.LayersModel[]): tf.Variable[] {
  return models.flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
}

/**
 * Adam (with optional decoupled weight decay) over `variables`: `await step(() => loss)` computes the gradients of the
 * loss, applies them and disposes every tensor the step made, so a training loop keeps `tf.memory().numTensors` flat.
 */
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
    saveState() {
      const o = optimizer as unknown as AdamInternals;
      const index = new Map(variables.map((v, i) => [v.name, i]));
      // tfjs keeps the moments in the order of the gradient map's keys, where integer-like names (unnamed
      // tf.variable()s) come first: saved in the stepper's variable order instead, which another process shares.
      const inVariableOrder = (list: AdamInternals['accumulatedFirstMoment'], suffix: string) => {
        const out: AdamState['firstMoments'] = new Array(list.length);
        for (const { originalName, variable } of list) {
          const i = index.get(originalName.slice(0, -suffix.length));
          if (i === undefined || list.length !== variables.length) {
            throw new Error(
              `saveState: Adam holds ${list.length} moments for ${variables.length} ` +
                `variables (a variable without gradient?); cannot checkpoint`,
            );
          }
          out[i] = { shape: [...variable.shape], values: Float32Array.from(variable.dataSync() as Float32Array) };
        }
        return out;
      };
      return {
        iterations: o.iterations_,
        accBeta1: o.accBeta1.dataSync()[0]!,
        accBeta2: o.accBeta2.dataSync()[0]!,
        firstMoments: inVariableOrder(o.accumulatedFirstMoment, '/m'),
        secondMoments: inVariableOrder(o.accumulatedSecondMoment, '/v'),
      };
    },
    restoreState(state) {
      const o = optimizer as unknown as AdamInternals;
      const count = state.firstMoments.length;
      if (state.secondMoments.length !== count || (count !== 0 && count !== variables.length)) {
        throw new Error(
          `restoreState: the saved Adam state has ${count}/${state.secondMoments.length} ` +
            `moments, this stepper has ${variables.length} variables`,
        );
      }
      state.firstMoments.forEach((m, i) => {
        const shape = variables[i]!.shape;
        if (m.shape.length !== shape.length || m.shape.some((d, k) => d !== shape[k])) {
          throw new Error(
            `restoreState: moment ${i} has shape [${m.shape}], variable ${variables[i]!.name} has [${shape}]`,
          );
        }
      });
      // The order applyGradients will meet the variables in: the key order of a map built in variable order.
      const index = new Map(variables.map((v, i) => [v.name, i]));
      const order =
        count === 0
          ? []
          : Object.keys(Object.fromEntries(variables.map((v, i) => [v.name, i]))).map((name) => index.get(name)!);
      const make = (list: AdamState['firstMoments'], suffix: string) =>
        order.map((i) => ({
          originalName: `${variables[i]!.name}/${suffix}`,
          variable: tf.tensor(list[i]!.values, list[i]!.shape, 'float32').variable(false),
        }));
      tf.dispose([...o.accumulatedFirstMoment, ...o.accumulatedSecondMoment].map((m) => m.variable));
      o.accumulatedFirstMoment = make(state.firstMoments, 'm');
      o.accumulatedSecondMoment = make(state.secondMoments, 'v');
      tf.tidy(() => {
        o.accBeta1.assign(tf.scalar(state.accBeta1));
        o.accBeta2.assign(tf.scalar(state.accBeta2));
      });
      o.iterations_ = state.iterations;
    },
    dispose() {
      optimizer.dispose();
    },
  };
}
