// The load phases: the same phases run on several targets at once (each its own workerd), in
// alternating rounds (reference, Worker, Worker, reference, ...) so that all see the same
// machine conditions. Steady ingest runs at every connection count and callback mix, the
// duplicate/stale and first-touch phases at every connection count. Each phase names the
// targets it measures (ROLES): the two-hop ceiling and presence-edge with its index off only
// where they are judged.

import { CallbackWorkload, type Mix } from "../lib/workload.ts";
import { runLoad, type Req } from "../lib/load.ts";
import { measure, mergePhases, post, type Phase } from "../lib/phase.ts";
import { APP, API_TOKEN, CALLBACK_TOKEN, PE_BINDINGS, log, type Profile } from "../lib/settings.ts";
import type { BuildInfo } from "../lib/build.ts";
import { dirBytes, objectsThatFit, openFilesOf } from "../lib/proc.ts";
import { waitForEvictions } from "../lib/settle.ts";
import { holdsPopulation, warmUp } from "../lib/warm-up.ts";
import { startTarget, type Placement, type Target, type TargetKind } from "../lib/targets.ts";
import { storageProbes, type Probe } from "./storage-rows.ts";

export type PhaseKind = "precreate" | "steady" | "duplicateStale" | "rate" | "batch" | "firstTouch";

/** Where a phase's figures are kept in results.json: e.g. "steady/login-logout/c20", "rate", "batch". */
export function phaseKey(kind: PhaseKind, connections?: number, mix?: Mix): string {
  return [kind, mix, connections === undefined ? undefined : `c${connections}`].filter(Boolean).join("/");
}

/**
 * What a target is in a group: a reference (runtime, architecture = one hop, two-hop), or the
 * Worker with its defaults (presence-edge: the index on) or with ONLINE_INDEX=off (index-off).
 */
export type Role = "runtime" | "architecture" | "two-hop" | "presence-edge" | "index-off";

const KIND_OF: Record<Role, TargetKind> = {
  runtime: "runtime",
  architecture: "architecture",
  "two-hop": "two-hop",
  "presence-edge": "presence-edge",
  "index-off": "presence-edge",
};

/** The Worker's bindings for a role: the defaults, or the index turned off. */
const bindingsOf = (role: Role) => (role === "index-off" ? { ...PE_BINDINGS, ONLINE_INDEX: "off" } : PE_BINDINGS);

export interface TargetFigures {
  label: string;
  role: Role;
  kind: TargetKind;
  placement: Placement;
  ready: boolean;
  notes: string[];
  phases: Record<string, Phase>;
  probes?: Probe[];
  historyCheck?: string;
  storageBytes?: number | null;
  logSample?: string[];
}

interface Side {
  t: Target;
  w: CallbackWorkload;
  fig: TargetFigures;
  /** Files its workerd had open before it held any object (bench/lib/settle.ts). */
  baseFiles: number | null;
}

interface PhaseDef {
  key: string;
  name: string;
  /** Seconds for a duration phase, or a request count for a fixed-amount phase. */
  seconds?: number;
  amount?: number;
  connections: number;
  overallRate?: number;
  timeoutSec?: number;
  /** Switches the workload to this mix before the phase (steady ingest). */
  mix?: Mix;
  next: (w: CallbackWorkload) => () => Req;
  /** The targets this phase measures (those of the group that are not listed sit it out). */
  roles: readonly Role[];
  /** Every request creates an object (first touch): rounds are kept within the open-files limit. */
  createsObjects?: boolean;
}

/**
 * Local workerd keeps each live object's SQLite files open (3 per object) until it evicts the
 * object, and a process that runs out of file descriptors crashes. A first-touch round makes
 * at most about 1 300 objects a second for up to 2 s here, so a round that starts with room
 * for fewer than ROOMY_OBJECTS is capped at the objects that fit (a count instead of a
 * duration); with room for fewer than MIN_OBJECTS it first waits up to EVICTION_WAIT_MS for
 * idle objects to be evicted.
 */
const ROOMY_OBJECTS = 3_000;
const MIN_OBJECTS = 300;
const EVICTION_WAIT_MS = 30_000;

/** Room for a first-touch round: null when a timed round fits, else the count to cap it at. */
async function firstTouchCap(t: Target): Promise<number | null> {
  const waitUntil = Date.now() + EVICTION_WAIT_MS;
  let fit = objectsThatFit(t.workerdPid);
  // Polling a resource of the process under load, not synchronising a test: eviction has no signal.
  while (fit !== null && fit < MIN_OBJECTS && Date.now() < waitUntil) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    fit = objectsThatFit(t.workerdPid);
  }
  if (fit === null || fit >= ROOMY_OBJECTS) return null;
  log(`  ${t.label.padEnd(26)} room for ${fit} more objects under the open-files limit: this round is capped at that`);
  return Math.max(1, fit);
}

async function preflight(t: Target, w: CallbackWorkload): Promise<string | null> {
  try {
    if (t.kind === "runtime") return null;
    const res = await post(t.url, w.firstTouch());
    const text = await res.text();
    if (res.status !== 200) return `a signed Login callback answered HTTP ${res.status}: ${text.slice(0, 200)}`;
    if (t.kind === "presence-edge" && !text.includes('"ActionStatus":"OK"')) {
      return `a signed Login callback answered ${text.slice(0, 200)}`;
    }
    return null;
  } catch (e) {
    return `request failed: ${(e as Error).message}`;
  }
}

function batchRequest(profile: Profile, w: CallbackWorkload): () => Req {
  const size = Math.min(profile.batchSize, w.population.length);
  let window = 0;
  return () => {
    const start = (window++ * size) % w.population.length;
    const accounts = Array.from({ length: size }, (_, j) => w.population[(start + j) % w.population.length]!);
    return {
      path: `/v1/apps/${APP}/presence/query`,
      body: JSON.stringify({ accounts }),
      headers: { authorization: `Bearer ${API_TOKEN}` },
    };
  };
}

/**
 * Which targets each phase measures. The two-hop ceiling is what steady ingest and first touch
 * (every callback a transition, or most) are judged against with the index on; duplicate/stale
 * (no transition) is judged against the one-hop ceiling. presence-edge with its index off runs
 * the first mix's steady ingest and first touch, judged against the one-hop ceiling: its
 * duplicate/stale work is the index-on run's (a callback that is no transition sends nothing),
 * and its second mix adds a Login that would send nothing either (docs/PERFORMANCE.md).
 */
const ROLES = {
  steadyFirstMix: ["runtime", "architecture", "two-hop", "presence-edge", "index-off"],
  steadyOtherMix: ["architecture", "two-hop", "presence-edge"],
  duplicateStale: ["architecture", "presence-edge"],
  rate: ["runtime", "architecture", "presence-edge"],
  batch: ["architecture", "presence-edge"],
  firstTouch: ["architecture", "two-hop", "presence-edge", "index-off"],
} as const satisfies Record<string, readonly Role[]>;

/**
 * The load phases, in order. Disk runs the largest connection count and the first mix only
 * (disk figures are bound by commits, not by the code). Batch runs right after the rate
 * phase, while objects are warm; first touch comes last, as it leaves the population idle.
 */
function phaseDefs(profile: Profile, placement: Placement): PhaseDef[] {
  const connections = placement === "disk" ? [Math.max(...profile.connections)] : profile.connections;
  const mixes = placement === "disk" ? profile.mixes.slice(0, 1) : profile.mixes;
  const defs: PhaseDef[] = [];
  for (const c of connections) {
    for (const mix of mixes) {
      defs.push({
        key: phaseKey("steady", c, mix),
        name: `steady ${mix} c${c}`,
        seconds: profile.steadySec,
        connections: c,
        mix,
        next: (w) => () => w.applied(),
        // The runtime ceiling answers "ok" whatever the body: one mix is enough.
        roles: mix === mixes[0] ? ROLES.steadyFirstMix : ROLES.steadyOtherMix,
      });
    }
    defs.push({
      key: phaseKey("duplicateStale", c),
      name: `dup/stale c${c}`,
      seconds: profile.dupSec,
      connections: c,
      next: (w) => () => w.duplicateOrStale(),
      roles: ROLES.duplicateStale,
    });
  }
  // On disk a fixed 1 000/s exceeds what per-object commits sustain here: requests would only queue.
  if (placement !== "disk")
    defs.push({
      key: phaseKey("rate"),
      name: `steady ${profile.rate}/s`,
      seconds: profile.rateSec,
      connections: 1,
      overallRate: profile.rate,
      next: (w) => () => w.applied(),
      roles: ROLES.rate,
    });
  defs.push({
    key: phaseKey("batch"),
    name: `batch-${Math.min(profile.batchSize, profile.users)} query`,
    amount: profile.batchRequests,
    connections: 1,
    timeoutSec: 30,
    next: (w) => batchRequest(profile, w),
    roles: ROLES.batch,
  });
  for (const c of connections) {
    defs.push({
      key: phaseKey("firstTouch", c),
      name: `first touch c${c}`,
      seconds: profile.firstTouchSec,
      connections: c,
      next: (w) => () => w.firstTouch(),
      roles: ROLES.firstTouch,
      createsObjects: true,
    });
  }
  return defs;
}

/**
 * Local workerd evicts a Durable Object idle for about 10 s, and a target whose objects were
 * evicted between its rounds pays cold loads in the next one: a cost the references' trivial
 * objects barely have, presence-edge's (a history ring, the index's key) more. With four
 * targets in rounds of 3 s each idled 9 s, and presence-edge measured 0.70-0.79 of its
 * ceilings where rounds of 1 s gave 0.85-1.02 on the same machine minutes later. So a timed
 * phase has as many rounds as keep each target's idle time between its rounds under this.
 */
const MAX_IDLE_SECONDS = 4;

/**
 * Rounds of a phase over `targets` targets: the profile's, or more so that none idles long.
 * Rounds last whole seconds, as autocannon ends a timed run on a one-second tick.
 */
export function roundsOf(def: { seconds?: number }, profileRounds: number, targets: number): number {
  if (targets <= 1) return 1;
  if (def.seconds === undefined) return profileRounds;
  const longest = Math.max(1, Math.floor(MAX_IDLE_SECONDS / (targets - 1)));
  return Math.max(profileRounds, Math.ceil(def.seconds / longest));
}

/** How long each of `rounds` rounds of a `seconds`-long phase lasts: whole seconds, at least one. */
export const roundSeconds = (seconds: number, rounds: number) => Math.max(1, Math.round(seconds / rounds));

/** Runs the phases on the given targets (one workerd each), alternating rounds between them. */
export async function runGroup(
  profile: Profile,
  roles: Role[],
  placement: Placement,
  build: BuildInfo,
): Promise<TargetFigures[]> {
  const sides: Side[] = [];
  try {
    for (const role of roles) {
      const kind = KIND_OF[role];
      const t = await startTarget({
        kind,
        placement,
        build,
        bindings: bindingsOf(role),
        labelSuffix: role === "index-off" ? "+index-off" : undefined,
      });
      const baseFiles = openFilesOf(t.workerdPid);
      const w = new CallbackWorkload({ app: APP, token: CALLBACK_TOKEN, users: profile.users, prefix: "bench" });
      const fig: TargetFigures = { label: t.label, role, kind, placement, ready: false, notes: [], phases: {} };
      sides.push({ t, w, fig, baseFiles });
      const problem = await preflight(t, w);
      if (problem) {
        fig.notes.push(`not measured: ${problem}`);
        log(`  ${t.label.padEnd(26)} NOT READY: ${problem}`);
      } else {
        fig.ready = true;
      }
    }
    const ready = sides.filter((s) => s.fig.ready);
    // Every user's object is created first, so that "steady" measures existing objects.
    for (const s of ready) {
      s.fig.phases.precreate = await measure(s.t, "precreate", {
        url: s.t.url,
        connections: Math.max(...profile.connections),
        amount: profile.users,
        next: () => s.w.precreate(),
      });
    }
    for (const def of phaseDefs(profile, placement)) {
      const active = ready.filter((s) => (def.roles as readonly Role[]).includes(s.fig.role));
      if (active.length === 0) continue;
      const rounds = roundsOf(def, profile.rounds, active.length);
      const parts = new Map<Side, Phase[]>(active.map((s) => [s, []]));
      // No target's evictions fall inside the phase: those of a target that sits it out, and
      // before first touch (which leaves the population idle) those of every target.
      const settling = def.createsObjects ? ready : ready.filter((s) => !active.includes(s));
      await waitForEvictions(
        settling.map((s) => ({ label: s.t.label, pid: s.t.workerdPid, baseFiles: s.baseFiles })),
        def.name,
      );
      if (def.mix) for (const s of active) s.w.useMix(def.mix);
      const gens = new Map<Side, () => Req>(active.map((s) => [s, def.next(s.w)]));
      // Objects evicted while a target sat out a phase, or while the others precreated or
      // warmed theirs, come back first: unmeasured load in the rounds' own shape (warm-up.ts).
      if (def.seconds !== undefined && !def.createsObjects) {
        const started = Date.now();
        const { passes, cold } = await warmUp(
          active.map((s) => {
            const population = s.t.kind === "runtime" ? null : s.w.population.length;
            return {
              label: s.t.label,
              load: (seconds: number) =>
                runLoad({ url: s.t.url, connections: def.connections, next: gens.get(s)!, duration: seconds }),
              isWarm: () => holdsPopulation(s.t.workerdPid, s.baseFiles, population),
            };
          }),
        );
        log(
          `  warm-up before ${def.name}: ${passes} passes, ${((Date.now() - started) / 1000).toFixed(1)} s` +
            (cold.length ? ` (not every object live: ${cold.join(", ")})` : ""),
        );
      }
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 === 0 ? active : [...active].reverse();
        for (const s of order) {
          const cap = def.createsObjects ? await firstTouchCap(s.t) : null;
          const share =
            cap !== null
              ? { amount: cap }
              : def.amount !== undefined
                ? { amount: Math.max(1, Math.round(def.amount / rounds)) }
                : { duration: roundSeconds(def.seconds!, rounds) };
          parts.get(s)!.push(
            await measure(s.t, `${def.name}${rounds > 1 ? ` ${r + 1}/${rounds}` : ""}`, {
              url: s.t.url,
              connections: def.connections,
              overallRate: def.overallRate,
              timeoutSec: def.timeoutSec,
              next: gens.get(s)!,
              ...share,
            }),
          );
        }
      }
      for (const s of active) s.fig.phases[def.key] = mergePhases(parts.get(s)!);
    }
    for (const s of ready) {
      // Rows per callback of the one-hop ceiling and of the Worker as it deploys (the index's
      // own rows are counted by bench/phases/online.ts).
      if (s.fig.role === "architecture" || s.fig.role === "presence-edge")
        Object.assign(s.fig, await storageProbes(s.t, s.w, profile.probeEach));
      s.fig.storageBytes = dirBytes(s.t.persistDir);
    }
    return sides.map((s) => s.fig);
  } finally {
    for (const s of sides) {
      s.fig.logSample = s.t.logLines().slice(0, 5);
      if (s.t.logLineCount()) s.fig.notes.push(`${s.t.logLineCount()} workerd log lines (first ones in logSample)`);
      await s.t.dispose();
    }
  }
}
