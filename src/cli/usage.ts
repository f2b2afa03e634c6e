export const USAGE = `Usage: split-pipelines <command> [options]

Runs one Kubeflow Pipelines pipeline across several clusters, as declared in split-pipeline.yaml.

Commands:
  validate [-f FILE]...           check files against the schema and the pipeline package (no network)
  plan [-f FILE] [--offline] [--json] [--markdown] [--detailed-exitcode] [--out PLANFILE]
                                  show the operations apply would perform, each with its reason, and
                                  the policy results (exit 1 when one blocks); --out saves the plan
  apply [-f FILE] [--through STAGE] [--lock-timeout DURATION] [--run-timeout DURATION] [--json]
        [--plan PLANFILE]         perform the plan; idempotent and resumable; --plan applies only while
                                  a fresh plan matches the reviewed one
  status [-f FILE] [--json] [--markdown]
                                  the pipeline drawn by location: stages, states, handoffs, runs, drift
  export --location NAME (--stage N | --steps a,b) [--to LOCATION] -o BUNDLE [--metadata-only]
                                  write a handoff bundle for air-gapped moves: records, and the bytes
                                  only of what executes at --to reads (inferred when one stage takes them)
  import --location NAME BUNDLE   import a handoff bundle (idempotent)
  lab up [--locations a,b,c] [--dir DIR] [--kfp-version V] [--ui-gateway] [--detach]
  lab down [--dir DIR]            start / stop emulated KFP locations on 127.0.0.1
  demo [--keep]                   run the thesis example end to end on a three-location lab
  policy test [DIR]               run the policy tests (*_test.yaml) under DIR: expected results per policy
  policy list [-f FILE]           the policies FILE is evaluated against, built-in default policies included

Options:
  -f, --file FILE   the split pipeline file (default ./split-pipeline.yaml)
  -h, --help        show this help
  --override-policy NAME --reason TEXT
                    (plan, apply; repeatable) override a soft policy failure; who and why are recorded

Exit codes: 0 success or in sync, 1 error, 2 changes (plan --detailed-exitcode), 3 lock held.
`;
