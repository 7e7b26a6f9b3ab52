// The significance level of the ownership tests (watermark, dataset-inference): one schema, so that both claim a
// stolen copy at the same default level and a comparison of their power is not a comparison of their alphas.

/** The `alpha` option schema: stolen when the test's p-value is below it. */
export const significanceLevelOption = {
  type: 'number',
  exclusiveMinimum: 0,
  exclusiveMaximum: 1,
  default: 0.05,
  description: 'Significance level.',
};
