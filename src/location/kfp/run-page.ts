// The page of a run in a location's KFP UI. KFP's frontend routes with a hash router
// (frontend/src/index.tsx: `<HashRouter>`) and names a run's page `RoutePage.RUN_DETAILS =
// '/runs/details/:rid'`, built by `RoutePageFactory.runDetails`, which URI-encodes the id
// (kubeflow/pipelines frontend/src/components/Router.tsx). So: `<ui>/#/runs/details/<runId>`.

/** `ui` is the UI's base URL as written in the file (`kfp.ui`), e.g. `https://kubeflow.example.com/pipeline`. */
export function kfpRunPage(ui: string, runId: string): string {
  const base = ui.replace(/#.*$/, '').replace(/\/+$/, '');
  return `${base}/#/runs/details/${encodeURIComponent(runId)}`;
}
