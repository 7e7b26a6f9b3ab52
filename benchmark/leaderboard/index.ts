// Public exports of the leaderboard renderer.
export { renderLeaderboard, renderWorstCase, type LeaderboardOptions, type RenderedLeaderboard } from './render.ts';
export { lineChartSvg, type LineChartSpec, type LineSeries, type ChartPoint } from './line-chart.ts';
export type { Chart } from './charts.ts';
export { groupRecords, canonicalJson, type CellGroup, type Entry } from './group.ts';
export { readRecords, checkRecordShape, RecordFileError } from './read-records.ts';
