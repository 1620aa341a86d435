/**
 * What the transform must rewrite in a module for async-race detection, found with eslint-scope (ESLint's
 * own scope analysis) before any rewriting:
 * - every async function (not generators) becomes a task: it announces itself and each of its awaits;
 * - state that tasks can share: variables declared outside the async function that uses them (module-level
 *   or captured), and properties of objects the function did not make itself (`this.x`, `param.x`,
 *   `outer.x`, `local.x` where the local holds something it was given);
 * - in an async function that awaits, a write of such state whose value is computed from a read of the same
 *   state — directly (`x = x + await f()`, `x += await f()`) or through locals (`const v = x; … x = v + 1`) —
 *   is a candidate lost update: the read gets a slot that remembers its segment, the write checks it;
 * - every other write of the same state in the module is recorded too: it is the other side of a race.
 * The run decides the rest: the read is stale only if an await actually came between it and the write,
 * and a race only if another write is not ordered with it by happens-before.
 *
 * What ESLint's require-atomic-updates gets wrong is left out by construction: locals and parameters that
 * are not captured (even when reassigned), objects the function made itself, and reads made after the
 * await.
 */
import { createRequire } from 'node:module';
import type { Reference, Scope, ScopeManager, Variable } from 'eslint-scope';
import type { Node } from './edit.js';

// Loaded on first use, as CommonJS (a quarter of the ES build's load time): every loader thread pays it.
const require = createRequire(import.meta.url);
let eslintScope: typeof import('eslint-scope') | undefined;

export type { Node } from './edit.js';

/** Shared state, as the transform names it: a variable (by its declaration) or a property name. */
export type StateKey =
  | {
      kind: 'variable';
      declaration: Node;
      name: string;
      /**
       * For a variable declared in a function: the statement before which each new binding of it (each call,
       * each loop turn) gets an identity of its own. Module-level variables have one binding.
       */
      bindingAt?: Node;
    }
  | { kind: 'property'; name: string };

export interface StaleSource {
  /** The read whose segment the slot remembers (an Identifier or MemberExpression; for `x op= …` the target). */
  read: Node;
  slot: number;
  /** The await the report names: the first between the read and the write in the source. */
  await: Node;
}

export interface WritePlan {
  key: StateKey;
  /** The object expression of a property write (an Identifier or `this`), evaluated again for the record. */
  object?: Node;
  stale?: StaleSource;
}

export interface AsyncPlan {
  /** Async functions to run as tasks, with the read slots each declares. */
  functions: Map<Node, number[]>;
  /** Awaits inside those functions (not in nested functions that are not async). */
  awaits: Set<Node>;
  /** Reads that fill a slot. */
  reads: Map<Node, number>;
  /** Writes to record: AssignmentExpression and UpdateExpression nodes. */
  writes: Map<Node, WritePlan>;
}

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
const ARITHMETIC_ASSIGNMENT = new Set(['=', '+=', '-=', '*=', '/=', '%=', '**=', '<<=', '>>=', '>>>=', '&=', '|=', '^=']);
const FRESH_VALUES = new Set(['ObjectExpression', 'ArrayExpression', 'NewExpression', 'Literal', 'TemplateLiteral', 'ArrowFunctionExpression', 'FunctionExpression', 'ClassExpression']);

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as Node).type === 'string';
}

/** Children of a node, not entering nested functions (their code runs at another time). */
function* children(node: Node): Generator<Node> {
  for (const key of Object.keys(node)) {
    if (key === 'loc' || key === 'range') continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) yield item;
    } else if (isNode(value)) {
      yield value;
    }
  }
}

function walkSameFunction(node: Node, visit: (node: Node, parent: Node | undefined) => void, parent?: Node): void {
  visit(node, parent);
  for (const child of children(node)) {
    if (FUNCTION_TYPES.has(child.type)) continue;
    walkSameFunction(child, visit, node);
  }
}

/** The async functions (not generators) of a program, outermost first. */
function asyncFunctionsOf(program: Node): Node[] {
  const found: Node[] = [];
  const visit = (node: Node): void => {
    if (FUNCTION_TYPES.has(node.type) && node.async === true && node.generator !== true) found.push(node);
    for (const child of children(node)) visit(child);
  };
  visit(program);
  return found;
}

export function planAsync(program: Node, sourceType: 'module' | 'script'): AsyncPlan {
  const plan: AsyncPlan = { functions: new Map(), awaits: new Set(), reads: new Map(), writes: new Map() };
  // Most modules have no async function: no scope analysis for them.
  const asyncFunctions = asyncFunctionsOf(program);
  if (asyncFunctions.length === 0) return plan;
  let manager: ScopeManager;
  try {
    eslintScope ??= require('eslint-scope') as typeof import('eslint-scope');
    manager = eslintScope.analyze(program as never, { ecmaVersion: 2022, sourceType, nodejsScope: sourceType === 'script' } as never);
  } catch {
    // Syntax the scope analysis does not know yet: this module's tasks and state are not followed (its
    // races can be missed, never invented); its element accesses and Atomics are still instrumented.
    return plan;
  }
  const references = new Map<Node, Reference>();
  for (const scope of manager.scopes) for (const reference of scope.references) references.set(reference.identifier as unknown as Node, reference);

  const functionScopeOf = (node: Node): Scope | undefined => manager.acquire(node as never) ?? undefined;
  /** The function (or module) scope a variable belongs to. */
  const homeOf = (variable: Variable): Scope => variable.scope.variableScope;

  const isStateVariable = (variable: Variable | null, home: Scope): variable is Variable =>
    variable !== null &&
    homeOf(variable) !== home &&
    variable.defs.length > 0 &&
    variable.defs.every((def) => def.type === 'Variable' || def.type === 'Parameter');

  const declarationOf = (variable: Variable): Node => variable.identifiers[0] as unknown as Node;

  const parents = new Map<Node, Node>();
  const linkParents = (node: Node): void => {
    for (const child of children(node)) {
      parents.set(child, node);
      linkParents(child);
    }
  };
  linkParents(program);
  const firstStatement = (body: Node): Node | undefined =>
    body.type === 'BlockStatement' ? (body.body as Node[]).find((statement) => !(statement.type === 'ExpressionStatement' && typeof statement.directive === 'string')) : undefined;
  /** Where a function's variable gets a fresh identity per binding (undefined: module-level, or nowhere to put it). */
  const bindingSite = (variable: Variable): Node | undefined => {
    const home = homeOf(variable);
    if (home.type === 'module' || home.type === 'global') return undefined;
    const def = variable.defs[0]!;
    const declaration = def.parent as unknown as Node | null;
    if (def.type === 'Variable' && declaration && declaration.kind !== 'var') {
      const holder = parents.get(declaration);
      return holder && (holder.type === 'BlockStatement' || holder.type === 'Program' || holder.type === 'SwitchCase' || holder.type === 'StaticBlock') ? declaration : undefined;
    }
    const fn = home.block as unknown as Node;
    if (home.type === 'function' && fn.body && isNode(fn.body)) return firstStatement(fn.body as Node);
    return undefined;
  };
  const variableKey = (variable: Variable): StateKey => {
    const bindingAt = bindingSite(variable);
    return { kind: 'variable', declaration: declarationOf(variable), name: variable.name, ...(bindingAt ? { bindingAt } : {}) };
  };

  /** Is this local (of `home`) an object the function made itself, and never anything else? */
  const isFreshLocal = (variable: Variable): boolean => {
    const writes = variable.references.filter((reference) => reference.isWrite());
    return writes.length > 0 && writes.every((reference) => reference.writeExpr !== null && reference.writeExpr !== undefined && FRESH_VALUES.has((reference.writeExpr as unknown as Node).type));
  };

  /** `this.name` or `identifier.name` (not computed, not optional): the name, the object, and its variable. */
  const propertyAccess = (node: Node): { name: string; object: Node; base: Variable | null } | undefined => {
    if (node.type !== 'MemberExpression' || node.computed || node.optional) return undefined;
    const property = node.property as Node;
    const object = node.object as Node;
    if (property.type !== 'Identifier') return undefined;
    if (object.type === 'ThisExpression') return { name: property.name as string, object, base: null };
    if (object.type !== 'Identifier') return undefined;
    const base = references.get(object)?.resolved ?? null;
    return base ? { name: property.name as string, object, base } : undefined;
  };

  /**
   * The state a node reads or writes in the function whose scope is `home`, or undefined. A property of a
   * local that is reassigned is left out: its read and its write may not be of one object.
   */
  const stateOf = (node: Node, home: Scope): { key: StateKey; object?: Node; identity: string } | undefined => {
    if (node.type === 'Identifier') {
      const variable = references.get(node)?.resolved ?? null;
      if (!isStateVariable(variable, home)) return undefined;
      return { key: variableKey(variable), identity: `v${declarationOf(variable).start}` };
    }
    const access = propertyAccess(node);
    if (!access) return undefined;
    const { name, object, base } = access;
    if (!base) return { key: { kind: 'property', name }, object, identity: `this.${name}` };
    const reassigned = base.references.filter((reference) => reference.isWrite()).length > 1;
    if (homeOf(base) === home && (isFreshLocal(base) || reassigned)) return undefined;
    return { key: { kind: 'property', name }, object, identity: `${declarationOf(base).start}.${name}` };
  };

  let nextSlot = 0;
  /** The state of candidate writes (declarations of variables, property names): what the module must record. */
  const staleVariables = new Set<number>();
  const staleProperties = new Set<string>();

  const visitAsyncFunction = (fn: Node): void => {
    const home = functionScopeOf(fn);
    if (!home) return;
    const body = fn.body as Node;
    const awaits: Node[] = [];
    /** Locals: what each one's value can come from (state reads and other locals). */
    const localSources = new Map<Variable, { reads: Node[]; locals: Variable[] }>();
    const readsIn = (expression: Node): { reads: Node[]; locals: Variable[] } => {
      const reads: Node[] = [];
      const locals: Variable[] = [];
      walkSameFunction(expression, (node, parent) => {
        if (node.type === 'AwaitExpression') return;
        if (parent && parent.type === 'MemberExpression' && parent.property === node && !parent.computed) return;
        if (parent && parent.type === 'Property' && parent.key === node && !parent.computed) return;
        if (parent && (parent.type === 'CallExpression' || parent.type === 'NewExpression') && parent.callee === node) return;
        const state = stateOf(node, home);
        if (state) {
          reads.push(node);
          return;
        }
        if (node.type === 'Identifier') {
          const variable = references.get(node)?.resolved ?? null;
          if (variable && homeOf(variable) === home) locals.push(variable);
        }
      });
      return { reads, locals };
    };
    /** `local = value` or `const local = value`: what the local's value can come from. */
    const assignsLocal = (target: Node, value: Node): void => {
      if (target.type !== 'Identifier') return;
      const variable = references.get(target)?.resolved;
      if (!variable || homeOf(variable) !== home) return;
      const sources = localSources.get(variable) ?? { reads: [], locals: [] };
      const found = readsIn(value);
      sources.reads.push(...found.reads);
      sources.locals.push(...found.locals);
      localSources.set(variable, sources);
    };
    walkSameFunction(body, (node) => {
      if (node.type === 'AwaitExpression') awaits.push(node);
      if (node.type === 'ForOfStatement' && node.await === true) awaits.push(node);
      if (node.type === 'VariableDeclarator' && node.init) assignsLocal(node.id as Node, node.init as Node);
      if (node.type === 'AssignmentExpression') assignsLocal(node.left as Node, node.right as Node);
    });
    for (const node of awaits) if (node.type === 'AwaitExpression') plan.awaits.add(node);
    const slots: number[] = [];
    plan.functions.set(fn, slots);
    if (awaits.length === 0) return;

    /** Every state read a local's value can come from (through other locals). */
    const readsThrough = (variable: Variable, seen = new Set<Variable>()): Node[] => {
      if (seen.has(variable)) return [];
      seen.add(variable);
      const sources = localSources.get(variable);
      if (!sources) return [];
      return [...sources.reads, ...sources.locals.flatMap((local) => readsThrough(local, seen))];
    };

    const firstAwaitBetween = (from: number, to: number): Node | undefined =>
      awaits.find((node) => node.start >= from && node.end <= to) ??
      [...awaits].reverse().find((node) => node.end <= to) ??
      awaits[0];

    walkSameFunction(body, (node) => {
      if (node.type !== 'AssignmentExpression' || !ARITHMETIC_ASSIGNMENT.has(node.operator as string)) return;
      const target = node.left as Node;
      const value = node.right as Node;
      const state = stateOf(target, home);
      if (!state) return;
      const found = readsIn(value);
      const candidates = [...found.reads, ...found.locals.flatMap((local) => readsThrough(local))].filter((read) => stateOf(read, home)?.identity === state.identity && read.end <= node.end);
      let stale: StaleSource | undefined;
      const compound = node.operator !== '=';
      const awaitInValue = awaits.find((candidate) => candidate.start >= value.start && candidate.end <= value.end);
      if (compound && awaitInValue) {
        stale = { read: target, slot: nextSlot++, await: awaitInValue };
      } else {
        const read = candidates.sort((a, b) => a.start - b.start)[0];
        if (read) stale = { read, slot: nextSlot++, await: firstAwaitBetween(read.end, node.start)! };
      }
      if (!stale) return;
      slots.push(stale.slot);
      if (stale.read !== target) plan.reads.set(stale.read, stale.slot);
      plan.writes.set(node, { key: state.key, ...(state.object ? { object: state.object } : {}), stale });
      if (state.key.kind === 'variable') staleVariables.add(state.key.declaration.start);
      else staleProperties.add(state.key.name);
    });
  };

  for (const fn of asyncFunctions) visitAsyncFunction(fn);
  if (staleVariables.size === 0 && staleProperties.size === 0) return plan;

  // The other side: every write of the same state anywhere in the module (sync code included).
  const recordWrites = (node: Node, home: Scope): void => {
    const scope = FUNCTION_TYPES.has(node.type) ? (functionScopeOf(node) ?? home) : home;
    let target: Node | undefined;
    if (node.type === 'AssignmentExpression' && ARITHMETIC_ASSIGNMENT.has(node.operator as string)) target = node.left as Node;
    else if (node.type === 'UpdateExpression') target = node.argument as Node;
    if (target && !plan.writes.has(node)) {
      const state = writtenState(target, scope);
      if (state) plan.writes.set(node, { key: state.key, ...(state.object ? { object: state.object } : {}) });
    }
    for (const child of children(node)) recordWrites(child, scope);
  };
  const writtenState = (target: Node, scope: Scope): { key: StateKey; object?: Node } | undefined => {
    if (target.type === 'Identifier') {
      const variable = references.get(target)?.resolved ?? null;
      if (!variable || !staleVariables.has(declarationOf(variable).start)) return undefined;
      return { key: variableKey(variable) };
    }
    const access = propertyAccess(target);
    if (!access || !staleProperties.has(access.name)) return undefined;
    if (access.base && homeOf(access.base) === scope && isFreshLocal(access.base)) return undefined;
    return { key: { kind: 'property', name: access.name }, object: access.object };
  };
  const moduleScope = manager.acquire(program as never) ?? manager.globalScope!;
  recordWrites(program, moduleScope);
  return plan;
}
