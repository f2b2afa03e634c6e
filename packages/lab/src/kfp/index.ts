/** The lab's emulated KFP API server (REST, `/apis/v2beta1/...` and `/apis/v1alpha1/tasks`), and the Kubeflow UI gateway in front of it. */
export { startKfpServer, type KfpServer, type KfpServerOptions } from './server.js';
export { startUiGateway, UI_BASE_PATH, type UiGateway, type UiGatewayOptions } from './ui-gateway.js';
export type { MultiUserOptions } from './auth.js';
export type { KfpFaults } from './faults.js';
export type {
  FinalState,
  NewTaskRow,
  RunContext,
  RunError,
  RunExecutor,
  RunStore,
  RuntimeState,
  StoredRun,
  TaskDetailInput,
  TaskQuery,
  TaskRow,
} from './executor.js';
export { FINAL_STATES } from './executor.js';
export { KfpLabStore } from './store.js';
export { ApiError } from './api-error.js';
export type { JsonObject, JsonValue } from './proto-json.js';
