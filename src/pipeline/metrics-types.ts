// The artifact types whose values the KFP SDK keeps in metadata, writing no object: `Metrics.log_metric`
// and the classification metrics' `log_*` only set metadata (`2.17.0:sdk/python/kfp/dsl/types/
// artifact_types.py:213-421`), and the executor only creates the output's parent directory
// (`executor.py:504-505`). The lab's components behave so, and observe and export expect it.
export const METRICS_ARTIFACT_TYPES: ReadonlySet<string> = new Set([
  'system.Metrics',
  'system.ClassificationMetrics',
  'system.SlicedClassificationMetrics',
]);
