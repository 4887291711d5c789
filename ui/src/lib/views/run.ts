// The run dialog's text fields as a run request's lists and flags.

import type { RunFlags } from "../ipc";

/** The restart policies the engine takes, as `--restart` names them (on-failure may add a count). */
export const RESTART_POLICIES = ["no", "on-failure", "unless-stopped", "always"] as const;

/** The less common flags as the dialog sends them: those given, the engine's defaults for the
 * rest (as `berth run` without them). */
export function runFlags(given: Partial<RunFlags>): RunFlags {
  return {
    publish_all: false,
    expose: [],
    hostname: null,
    add_hosts: [],
    dns: [],
    mounts: [],
    devices: [],
    privileged: false,
    cap_add: [],
    cap_drop: [],
    security_opts: [],
    group_add: [],
    init: false,
    read_only: false,
    shm_size: null,
    ulimits: [],
    sysctls: [],
    pid: null,
    ipc: null,
    stop_signal: null,
    stop_timeout: null,
    log_driver: null,
    log_opts: [],
    no_healthcheck: false,
    pids_limit: null,
    memory_swap: null,
    memory_reservation: null,
    cpu_shares: null,
    cpuset_cpus: null,
    label_files: [],
    platform: null,
    mac_address: null,
    ip: null,
    ip6: null,
    volumes_from: [],
    dns_search: [],
    dns_options: [],
    domainname: null,
    oom_kill_disable: false,
    oom_score_adj: null,
    cpu_period: null,
    cpu_quota: null,
    memory_swappiness: null,
    cpuset_mems: null,
    cgroupns: null,
    userns: null,
    uts: null,
    runtime: null,
    device_cgroup_rules: [],
    health_start_period_ms: null,
    links: [],
    cgroup_parent: null,
    blkio_weight: null,
    volume_driver: null,
    storage_opts: [],
    gpus: [],
    blkio_weight_devices: [],
    device_read_bps: [],
    device_write_bps: [],
    device_read_iops: [],
    device_write_iops: [],
    cpu_rt_period: null,
    cpu_rt_runtime: null,
    isolation: null,
    ...given,
  };
}

/** One entry per non-empty line, trimmed. */
export function parseLines(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** The first of `lines` that is not `KEY=VALUE` (a key before its `=`), said as `what` and the
 * line; null when every line is. */
export function pairProblem(lines: string[], what: string): string | null {
  const bad = lines.find((l) => !/^[^=\s][^=]*=/.test(l));
  return bad === undefined ? null : `${what} ${JSON.stringify(bad)}: write KEY=VALUE, one a line`;
}

/** A command line split as a shell would for plain words and quotes: `sh -c "echo hi"`. */
export function splitCommand(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: string | null = null;
  let any = false;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      any = true;
    } else if (/\s/.test(ch)) {
      if (cur || any) out.push(cur);
      cur = "";
      any = false;
    } else {
      cur += ch;
    }
  }
  if (cur || any) out.push(cur);
  return out;
}
