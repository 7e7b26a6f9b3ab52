// Side-effect module: makes tf.grad / tf.variableGrads work for every tfjs-core op.
// tfjs-core's Node bundle (`tf-core.node.js`) registers no gradient functions (the union package `@tensorflow/tfjs`
// does that), but the tfjs-layers Node bundle registers all of core's into the shared global registry when it loads.
// Every nn module that differentiates imports this file, so that losses work even where nothing else loaded layers.
import '@tensorflow/tfjs-layers';
