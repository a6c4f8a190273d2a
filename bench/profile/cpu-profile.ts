// Aggregation of a V8 CPU profile (the `.cpuprofile` JSON of `node --cpu-prof` and of the inspector's
// Profiler.stop) into time per frame, and into the merged call tree a flame graph draws. Pure: the
// profile in, numbers out. Times are microseconds, like the profile's own.

export interface CallFrame {
  readonly functionName: string;
  readonly scriptId: string | number;
  readonly url: string;
  /** 0-based; -1 when V8 does not know (builtins, native code). */
  readonly lineNumber: number;
  readonly columnNumber: number;
}

export interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  /** The leaf node of each sample, in time order. */
  readonly samples?: readonly number[];
  /** Time since the previous sample (the first: since startTime). */
  readonly timeDeltas?: readonly number[];
}

/** V8's pseudo frames: the tree's root, and the time the thread waited for work. */
const ROOT = '(root)';
const IDLE = '(idle)';

export interface FrameStat {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  /** Time with this frame on top of the stack. */
  readonly selfMicros: number;
  /** Time with this frame anywhere on the stack (a recursive frame counts once). */
  readonly totalMicros: number;
  /** The calling frame that accounts for most of this frame's self time (what a native frame was doing it for); none under (root). */
  readonly topCaller?: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

export interface ProfileSummary {
  /** Time covered by the samples. */
  readonly sampledMicros: number;
  readonly idleMicros: number;
  /** sampledMicros − idleMicros: the main thread running JavaScript, native code, GC or V8 itself. */
  readonly busyMicros: number;
  readonly sampleCount: number;
  /** Every frame but (root) and (idle), keyed by function, file and line; unordered. */
  readonly frames: readonly FrameStat[];
}

export const displayName = (frame: CallFrame) => frame.functionName || '(anonymous)';

/**
 * Self time of each node. With samples and timeDeltas, a sample lasts until the next one (the last
 * one until endTime), as Chrome DevTools counts; without them, hitCount × the mean interval.
 */
export function selfTimes(profile: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  if (samples && timeDeltas && samples.length > 0 && samples.length === timeDeltas.length) {
    let timestamp = profile.startTime;
    const stamps = timeDeltas.map((delta) => (timestamp += delta));
    stamps.push(profile.endTime);
    samples.forEach((id, i) => {
      // V8 occasionally records a sample out of order: such a sample adds nothing rather than a negative time.
      self.set(id, (self.get(id) ?? 0) + Math.max(0, (stamps[i + 1] ?? 0) - (stamps[i] ?? 0)));
    });
    return self;
  }
  const hits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const interval = hits > 0 ? (profile.endTime - profile.startTime) / hits : 0;
  for (const node of profile.nodes) if (node.hitCount) self.set(node.id, node.hitCount * interval);
  return self;
}

function sampleCount(profile: CpuProfile): number {
  return profile.samples?.length ?? profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
}

/** The node no other node lists as a child (V8 puts it first, but does not promise to). */
function rootOf(profile: CpuProfile, byId: ReadonlyMap<number, ProfileNode>): ProfileNode {
  const children = new Set(profile.nodes.flatMap((node) => node.children ?? []));
  const root = profile.nodes.find((node) => !children.has(node.id));
  if (!root) throw new Error('cpu profile has no root node (every node is some node\'s child)');
  for (const id of children) nodeById(byId, id);
  return root;
}

function indexNodes(profile: CpuProfile): Map<number, ProfileNode> {
  return new Map(profile.nodes.map((node) => [node.id, node]));
}

function nodeById(byId: ReadonlyMap<number, ProfileNode>, id: number): ProfileNode {
  const node = byId.get(id);
  if (!node) throw new Error(`cpu profile names child node ${id}, which it does not contain`);
  return node;
}

/** Subtree time of every node (its self time plus its descendants'). */
function subtreeTimes(root: ProfileNode, byId: ReadonlyMap<number, ProfileNode>, self: ReadonlyMap<number, number>): Map<number, number> {
  const total = new Map<number, number>();
  const visit = (node: ProfileNode): number => {
    let sum = self.get(node.id) ?? 0;
    for (const child of node.children ?? []) sum += visit(nodeById(byId, child));
    total.set(node.id, sum);
    return sum;
  };
  visit(root);
  return total;
}

const frameKey = (frame: CallFrame) => `${displayName(frame)}\u0000${frame.url}\u0000${frame.lineNumber}`;

export function summarize(profile: CpuProfile): ProfileSummary {
  const byId = indexNodes(profile);
  const root = rootOf(profile, byId);
  const self = selfTimes(profile);
  const subtree = subtreeTimes(root, byId, self);
  const frames = new Map<string, { functionName: string; url: string; lineNumber: number; selfMicros: number; totalMicros: number; callers: Map<string, { frame: CallFrame; micros: number }> }>();
  const onStack = new Map<string, number>();
  let idleMicros = 0;
  const visit = (node: ProfileNode, parent: ProfileNode | undefined) => {
    const name = node.callFrame.functionName;
    const counted = name !== ROOT && name !== IDLE;
    if (name === IDLE) idleMicros += subtree.get(node.id) ?? 0;
    const key = frameKey(node.callFrame);
    if (counted) {
      let frame = frames.get(key);
      if (!frame) frames.set(key, (frame = { functionName: displayName(node.callFrame), url: node.callFrame.url, lineNumber: node.callFrame.lineNumber, selfMicros: 0, totalMicros: 0, callers: new Map() }));
      const selfMicros = self.get(node.id) ?? 0;
      frame.selfMicros += selfMicros;
      // Inclusive time is taken at the outermost occurrence only: a recursion is not counted twice.
      if (!onStack.get(key)) frame.totalMicros += subtree.get(node.id) ?? 0;
      onStack.set(key, (onStack.get(key) ?? 0) + 1);
      if (parent && parent.callFrame.functionName !== ROOT && selfMicros > 0) {
        const callerKey = frameKey(parent.callFrame);
        const caller = frame.callers.get(callerKey) ?? { frame: parent.callFrame, micros: 0 };
        caller.micros += selfMicros;
        frame.callers.set(callerKey, caller);
      }
    }
    for (const child of node.children ?? []) visit(nodeById(byId, child), node);
    if (counted) onStack.set(key, (onStack.get(key) ?? 1) - 1);
  };
  visit(root, undefined);
  const sampledMicros = subtree.get(root.id) ?? 0;
  const stats = [...frames.values()].map(({ callers, ...frame }): FrameStat => {
    const top = [...callers.values()].reduce<{ frame: CallFrame; micros: number } | undefined>((best, caller) => (!best || caller.micros > best.micros ? caller : best), undefined);
    return top ? { ...frame, topCaller: { functionName: displayName(top.frame), url: top.frame.url, lineNumber: top.frame.lineNumber } } : frame;
  });
  return { sampledMicros, idleMicros, busyMicros: sampledMicros - idleMicros, sampleCount: sampleCount(profile), frames: stats };
}

/** A node of the merged call tree: siblings with the same function and file are one node. */
export interface FlameNode {
  readonly functionName: string;
  readonly url: string;
  /** The line of the first profile node merged into it (0-based, -1 unknown). */
  readonly lineNumber: number;
  selfMicros: number;
  totalMicros: number;
  readonly children: FlameNode[];
}

/**
 * The merged call tree under a synthetic root `all` holding the busy time: (idle) is left out, so
 * the flame graph's full width is the time the main thread was busy.
 */
export function flameTree(profile: CpuProfile): FlameNode {
  const byId = indexNodes(profile);
  const root = rootOf(profile, byId);
  const self = selfTimes(profile);
  const subtree = subtreeTimes(root, byId, self);
  const all: FlameNode = { functionName: 'all', url: '', lineNumber: -1, selfMicros: self.get(root.id) ?? 0, totalMicros: 0, children: [] };
  const mergeInto = (parent: FlameNode, node: ProfileNode) => {
    const name = displayName(node.callFrame);
    let merged = parent.children.find((child) => child.functionName === name && child.url === node.callFrame.url);
    if (!merged) parent.children.push((merged = { functionName: name, url: node.callFrame.url, lineNumber: node.callFrame.lineNumber, selfMicros: 0, totalMicros: 0, children: [] }));
    merged.selfMicros += self.get(node.id) ?? 0;
    merged.totalMicros += subtree.get(node.id) ?? 0;
    for (const child of node.children ?? []) mergeInto(merged, nodeById(byId, child));
  };
  for (const child of root.children ?? []) {
    const node = nodeById(byId, child);
    if (node.callFrame.functionName !== IDLE) mergeInto(all, node);
  }
  all.totalMicros = all.selfMicros + all.children.reduce((sum, child) => sum + child.totalMicros, 0);
  // Alphabetical, as flame graphs order siblings: the x axis is not time, and two runs line up.
  const sort = (node: FlameNode) => {
    node.children.sort((a, b) => (a.functionName === b.functionName ? a.url.localeCompare(b.url) : a.functionName < b.functionName ? -1 : 1));
    node.children.forEach(sort);
  };
  sort(all);
  return all;
}

/**
 * Where a frame's code lives, for a reader: relative to one of `roots` (a checkout), from the last
 * `node_modules/` for packages, `node:…` for Node's own modules, '' for V8 builtins and native code.
 */
export function displayLocation(url: string, lineNumber: number, roots: readonly string[]): string {
  if (!url) return '';
  let file = url;
  if (file.startsWith('file://')) {
    try {
      file = decodeURIComponent(new URL(file).pathname);
    } catch {
      // Not a URL after all: shown as it came.
    }
  }
  const packages = file.lastIndexOf('/node_modules/');
  if (packages >= 0) file = file.slice(packages + 1);
  else {
    const root = roots.find((candidate) => file.startsWith(candidate.endsWith('/') ? candidate : `${candidate}/`));
    if (root) file = file.slice(root.length).replace(/^\//, '');
  }
  return lineNumber >= 0 ? `${file}:${lineNumber + 1}` : file;
}
