/**
 * The source transform behind `racecheck run`'s instrumentation of unmodified programs. It parses a module
 * with acorn (a real ECMAScript parser: no pattern matching over source text) and rewrites, with
 * magic-string so that every untouched character keeps its place in the source map:
 *
 * - element reads `o[k]` → `R.r(o, k, site)`; writes `o[k] = v` → `R.w(o, k, v, site)`; compound
 *   assignments `o[k] op= v` → `R.u(o, k, "op=", v, site)`; `o[k]++` and friends → `R.p(o, k, ±1, prefix,
 *   site)`. Which `o` is a SharedArrayBuffer-backed typed array is only known at run time; the runtime
 *   checks it cheaply and passes everything else straight through.
 * - `Atomics.op(...)` → `R.atomics.op(...)`, which performs the operation and records it.
 * - DataView reads and writes `v.getInt32(o, le)`, `v.setFloat64(o, x, le)` → a per-site function that
 *   makes the same call on the same object and then, when the object is a DataView on shared memory,
 *   records the access (one difference: the method is looked up after the arguments are evaluated).
 * - Typed-array methods that read or write elements without calling back into the program (`fill`, `set`,
 *   `copyWithin`, `slice`, `join`, `indexOf`, …), `Array.from(a)` and spreading `...a`: the same, recording
 *   the elements the built-in touched as one range. What `for…of` and array patterns iterate goes through
 *   `I(x, site)`, which reads a shared typed array element by element, recording each read as it happens.
 *
 * Evaluation order is kept: object, key and value are evaluated left to right exactly once, as before.
 * Left alone, because a call would change their meaning: call targets `o[k]()` (the `this` binding),
 * optional chains, `delete o[k]`, destructuring targets, logical assignments (`o[k] ||= v` evaluates `v`
 * conditionally), `super[k]`, and string-literal keys (`o['name']` is a property, not an element).
 *
 * With `async`, also what async-plan.ts finds: async functions become tasks (`const T = A.enter(site); try
 * { … } finally { A.exit(T) }`), awaits announce themselves (`await A.s(v, T, site)`), reads that feed a
 * later write of the same shared state remember their segment (`(S = A.seg[0], x)`), and writes of that
 * state are recorded (`x = A.w(v, 0, declarationSite, site[, S, readSite, awaitSite])`).
 *
 * Call sites are computed here, where the code is at hand (sites.ts): each rewritten expression's position
 * is mapped through the incoming source map (tsx's, for TypeScript) to the user's original file, line and
 * column, and the module's prologue defines them in the running thread. Every name the generated code uses
 * comes from abi.ts, through accessors.ts.
 */
import { parse, type Comment } from 'acorn';
import MagicString from 'magic-string';
import { ATOMICS_ARITY, GENERATED, INSTRUMENTED_MARK, PROLOGUE } from '../abi.js';
import { accessorName, asyncEntry, entry, maybeShared, methodAccessor, prologue, readAccessor, writeAccessor, type MethodRecord } from './accessors.js';
import { planAsync, type AsyncPlan, type WritePlan } from './async-plan.js';
import { inlineMap, SiteTable, toPath, withSourceMap } from './sites.js';

const SPREAD = PROLOGUE.spread;
const ITERATE = PROLOGUE.iterate;
const SEGMENT = PROLOGUE.segment;
const NAMES = PROLOGUE.names;
const TASK = GENERATED.task;
const SLOT = GENERATED.readSlot;
const BINDING = GENERATED.binding;

/** Atomics functions that read or write shared memory (the others, like isLockFree, are left alone). */
const ATOMICS_OPERATIONS = new Set(Object.keys(ATOMICS_ARITY));

/**
 * Typed-array methods whose element accesses are known from their arguments and result, and that run no
 * code of the program while they access (`sort` and `toSorted` only without a comparator): the runtime
 * records the range they touched after they return. Methods taking callbacks (forEach, map, …) are not
 * here: the program's code runs between their accesses, and a range recorded before or after it could
 * put an access on the wrong side of its synchronisation.
 */
const BULK_METHODS = new Set(['fill', 'set', 'copyWithin', 'slice', 'join', 'reverse', 'toReversed', 'with', 'at', 'indexOf', 'lastIndexOf', 'includes', 'sort', 'toSorted']);
const WITHOUT_CALLBACK = new Set(['sort', 'toSorted']);

/** DataView methods that read or write memory, with the width of what they access. */
const DATA_VIEW_WIDTHS: Record<string, number> = {};
for (const [type, width] of [['Int8', 1], ['Uint8', 1], ['Int16', 2], ['Uint16', 2], ['Float16', 2], ['Int32', 4], ['Uint32', 4], ['Float32', 4], ['Float64', 8], ['BigInt64', 8], ['BigUint64', 8]] as const) {
  DATA_VIEW_WIDTHS[`get${type}`] = width;
  DATA_VIEW_WIDTHS[`set${type}`] = width;
}

const COMPOUND_OPERATORS = new Set(['+=', '-=', '*=', '/=', '%=', '**=', '<<=', '>>=', '>>>=', '&=', '|=', '^=']);

export interface InstrumentOptions {
  /** Path (or file URL) of the module, for its call sites and source map. */
  filename: string;
  /** 'module' for ES modules; 'script' for CommonJS bodies (top-level return allowed). */
  sourceType: 'module' | 'script';
  /** Also rewrite for async tasks (async functions, awaits, shared state). */
  async?: boolean;
}

export interface InstrumentResult {
  code: string;
  /** Call sites defined by the prologue. */
  sites: number;
}

/** The code could not be parsed: the module runs uninstrumented. */
export class InstrumentParseError extends Error {
  override name = 'InstrumentParseError';
}

interface Node {
  type: string;
  start: number;
  end: number;
  loc?: { start: { line: number; column: number } };
  [key: string]: unknown;
}

interface MemberNode extends Node {
  object: Node;
  property: Node;
  computed: boolean;
  optional: boolean;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as Node).type === 'string';
}

/**
 * Instruments one module's code, or returns undefined when there is nothing to instrument (no element
 * access and no Atomics call) or it already was. Throws InstrumentParseError when acorn cannot parse it.
 */
export function instrumentSource(code: string, options: InstrumentOptions): InstrumentResult | undefined {
  if (code.includes(INSTRUMENTED_MARK)) return undefined;
  const comments: Comment[] = [];
  let program: Node;
  try {
    program = parse(code, {
      ecmaVersion: 'latest',
      sourceType: options.sourceType,
      locations: true,
      allowHashBang: true,
      // CommonJS bodies may return; in an ES module Node itself rejects a top-level return.
      allowReturnOutsideFunction: true,
      allowAwaitOutsideFunction: options.sourceType === 'module',
      onComment: comments,
      ranges: options.async === true,
    }) as unknown as Node;
  } catch (error) {
    throw new InstrumentParseError((error as Error).message, { cause: error });
  }
  const { map: inputMap, comment: mapComment } = inlineMap(comments);
  const file = toPath(options.filename);
  const s = new MagicString(code);
  const siteTable = new SiteTable(file, inputMap);
  const siteOf = (node: Node, functionName: string): string => siteTable.of(node, functionName);
  const plan: AsyncPlan | undefined = options.async ? planAsync(program as never, options.sourceType) : undefined;
  const propertyNames: string[] = [];
  let asyncRewrites = 0;

  /** Position of the first `token` in code[from, to) outside comments (between two nodes: brackets, operators). */
  const tokenIn = (from: number, to: number, token: string): number => {
    let i = from;
    while (i < to) {
      if (code.startsWith('/*', i)) {
        const end = code.indexOf('*/', i + 2);
        if (end < 0) break;
        i = end + 2;
        continue;
      }
      if (code.startsWith('//', i)) {
        i = code.indexOf('\n', i);
        if (i < 0) break;
        continue;
      }
      if (code.startsWith(token, i)) return i;
      i++;
    }
    throw new InstrumentParseError(`racecheck: could not find '${token}' at ${from} in ${file}`);
  };

  const eligible = (node: unknown): node is MemberNode => {
    if (!isNode(node) || node.type !== 'MemberExpression') return false;
    const member = node as MemberNode;
    if (!member.computed || member.optional || member.object.type === 'Super') return false;
    const key = member.property;
    if (key.type === 'Literal' && typeof key.value === 'string') return false;
    if (key.type === 'TemplateLiteral') return false;
    if (key.type === 'MemberExpression' && isNode(key.object) && key.object.type === 'Identifier' && key.object.name === 'Symbol') return false;
    return !inOptionalChain(member.object);
  };

  /** `[` and `]` of a member expression, found between its object, its key and its end. */
  const brackets = (member: MemberNode): [open: number, close: number] => {
    const open = tokenIn(member.object.end, member.property.start, '[');
    let close = member.end - 1;
    while (close > member.property.end && code[close] !== ']') close--;
    return [open, close];
  };

  /**
   * Calls open at the first character of the expression they wrap, written as part of that character
   * (not inserted before it), so that the call's position maps back to the expression's: a stack frame
   * inside the call then points at the user's code. Nested calls starting at one character are joined,
   * outermost first.
   */
  const openings = new Map<number, string>();
  const openAt = (position: number, text: string): void => {
    openings.set(position, (openings.get(position) ?? '') + text);
  };

  /** The per-site functions (accessors.ts), defined in the prologue. */
  const accessors: string[] = [];
  const rewriteRead = (member: MemberNode, functionName: string): void => {
    const [open, close] = brackets(member);
    const site = siteOf(member, functionName);
    const name = accessorName.read(accessors.length);
    accessors.push(readAccessor(name, site));
    const object = member.object;
    const key = member.property;
    const simple = (node: Node): boolean =>
      node.type === 'Identifier' || (node.type === 'Literal' && typeof node.value === 'number') || node.type === 'ThisExpression';
    if (simple(object) && simple(key) && member.start === object.start && member.end === close + 1) {
      // `a[i]` with a plain name and a plain key: the check goes inline, with the original `a[i]` left
      // where it is as the ordinary case. Naming `a` and `i` again has no effect of its own, and no call
      // means nothing for V8 to inline: vector code full of `v[0]` keeps its speed in large functions.
      const objectText = code.slice(object.start, object.end);
      const keyText = code.slice(key.start, key.end);
      // The call comes first, inside the opening, so that a frame in it maps to the start of `a[i]`.
      openAt(member.start, `(${maybeShared(objectText)} ? ${name}(${objectText}, ${keyText}) : `);
      s.prependLeft(member.end, ')');
      return;
    }
    openAt(member.start, `${name}(`);
    s.update(open, open + 1, ', ');
    s.update(close, close + 1, ')');
  };

  /** `v.getInt32(a, b)`, `a.fill(…)`, `Array.from(a)` → `M7(v, a, b)` (accessors.ts, methodAccessor). */
  const rewriteMethodCall = (call: Node, member: MemberNode, functionName: string): void => {
    const method = member.property.name as string;
    const args = call.arguments as Node[];
    const site = siteOf(member, functionName);
    const name = accessorName.method(accessors.length);
    const record: MethodRecord = Object.hasOwn(DATA_VIEW_WIDTHS, method)
      ? { kind: 'dataView', width: DATA_VIEW_WIDTHS[method]!, write: method.startsWith('set') }
      : method === 'from'
        ? { kind: 'arrayFrom' }
        : { kind: 'bulk', method };
    accessors.push(methodAccessor(name, method, args.length, record, site));
    const open = tokenIn(member.property.end, args[0]?.start ?? call.end, '(');
    openAt(call.start, `${name}(`);
    s.update(member.object.end, open + 1, args.length > 0 ? ', ' : '');
  };

  /**
   * A value a `for…of` loop or an array pattern iterates: `x` → `I(x, site)`, which for a shared typed array
   * is an iterator recording each element as it is read, interleaved with the loop body as the reads are.
   */
  const iterated = (value: Node, functionName: string): void => passedThrough(ITERATE, value, value, functionName);

  /** `value` → `F(value, site)`: a runtime function that records what happens to the value and returns it. */
  const passedThrough = (runtimeFunction: string, value: Node, at: Node, functionName: string): void => {
    openAt(value.start, `${runtimeFunction}(`);
    s.prependLeft(value.end, `, ${siteOf(at, functionName)})`);
  };

  /** Which method calls `rewriteMethodCall` takes: DataView accesses, bulk typed-array methods, Array.from. */
  const recordedMethod = (call: Node, member: MemberNode): boolean => {
    const method = member.property.name as string;
    const count = (call.arguments as Node[]).length;
    if (Object.hasOwn(DATA_VIEW_WIDTHS, method)) return true;
    if (BULK_METHODS.has(method)) return !WITHOUT_CALLBACK.has(method) || count === 0;
    // Array.from with a mapping function runs the program's code between its reads.
    return method === 'from' && member.object.type === 'Identifier' && member.object.name === 'Array' && count === 1;
  };

  const rewriteAssignment = (assignment: Node, member: MemberNode, functionName: string): void => {
    const operator = assignment.operator as string;
    const right = assignment.right as Node;
    const [open, close] = brackets(member);
    const at = tokenIn(member.end, right.start, operator);
    const site = siteOf(member, functionName);
    if (operator === '=') {
      const name = accessorName.write(accessors.length);
      accessors.push(writeAccessor(name, site));
      openAt(member.start, `${name}(`);
    } else {
      openAt(member.start, `${entry('u')}(`);
    }
    s.update(open, open + 1, ', ');
    s.update(close, close + 1, '');
    s.update(at, at + operator.length, operator === '=' ? ', ' : `, ${JSON.stringify(operator)}, `);
    s.prependLeft(assignment.end, operator === '=' ? ')' : `, ${site})`);
  };

  const rewriteUpdate = (update: Node, member: MemberNode, functionName: string): void => {
    const [open, close] = brackets(member);
    const operator = update.operator as string;
    const prefix = update.prefix as boolean;
    const at = prefix ? tokenIn(update.start, member.start, operator) : tokenIn(member.end, update.end, operator);
    openAt(member.start, `${entry('p')}(`);
    s.update(at, at + 2, '');
    s.update(open, open + 1, ', ');
    s.update(close, close + 1, '');
    s.prependLeft(update.end, `, ${operator === '++' ? 1 : -1}, ${prefix ? 1 : 0}, ${siteOf(member, functionName)})`);
  };

  const bindings = new Map<Node, string>();
  const stateArguments = (write: WritePlan): string => {
    if (write.key.kind === 'variable') {
      const declaration = write.key.declaration as unknown as Node;
      // A variable's key is the site of its declaration (named after it), one id however often asked.
      const site = siteOf(declaration, write.key.name);
      const at = write.key.bindingAt as unknown as Node | undefined;
      if (!at) return `0, ${site}`;
      // A variable of a function: each of its bindings (each call that declares it) is its own state.
      let binding = bindings.get(declaration);
      if (!binding) {
        binding = `${BINDING}${bindings.size}`;
        bindings.set(declaration, binding);
        openAt(at.start, `const ${binding} = ${asyncEntry('binding')}(); `);
      }
      return `${binding}, ${site}`;
    }
    let index = propertyNames.indexOf(write.key.name);
    if (index < 0) index = propertyNames.push(write.key.name) - 1;
    const object = write.object as unknown as Node;
    return `${code.slice(object.start, object.end)}, ${NAMES}[${index}]`;
  };

  /** `const T = A.enter(site); let slots; try { body } finally { A.exit(T) }` around an async function's body. */
  const wrapAsyncFunction = (fn: Node, slots: number[], functionName: string): void => {
    const body = fn.body as Node;
    const declare = `const ${TASK} = ${asyncEntry('enter')}(${siteOf(fn, functionName)}); ${slots.length > 0 ? `let ${slots.map((slot) => SLOT + slot).join(', ')}; ` : ''}try { `;
    const close = ` } finally { ${asyncEntry('exit')}(${TASK}); }`;
    if (body.type === 'BlockStatement') {
      const first = (body.body as Node[]).find((statement) => !(statement.type === 'ExpressionStatement' && typeof statement.directive === 'string'));
      if (!first) return;
      openAt(first.start, declare);
      s.prependLeft(body.end - 1, close);
    } else {
      // After `=>`, before any parentheses around the body (an object literal's), and after them at the end.
      const arrow = tokenIn((fn.params as Node[]).reduce((end, param) => Math.max(end, param.end), fn.start), body.start, '=>');
      let at = arrow + 2;
      while (/\s/.test(code[at]!)) at++;
      openAt(at, `{ ${declare}return (`);
      s.prependLeft(fn.end, `);${close} }`);
    }
    asyncRewrites++;
  };

  /** A planned write of shared state: recorded just before the store, its value passed through. */
  const rewriteStateWrite = (node: Node, write: WritePlan, functionName: string): void => {
    const target = (node.type === 'UpdateExpression' ? node.argument : node.left) as Node;
    let args = `${stateArguments(write)}, ${siteOf(target, functionName)}`;
    if (write.stale) args += `, ${SLOT}${write.stale.slot}, ${siteOf(write.stale.read, functionName)}, ${siteOf(write.stale.await as unknown as Node, functionName)}`;
    asyncRewrites++;
    if (node.type === 'UpdateExpression') {
      openAt(node.start, `(${asyncEntry('w')}(0, ${args}), `);
      s.prependLeft(node.end, ')');
      return;
    }
    const operator = node.operator as string;
    const right = node.right as Node;
    if (write.stale && write.stale.read === target && operator !== '=') {
      // `x op= await v`: the read of x happens before the await; the slot must see it there.
      const at = tokenIn(target.end, right.start, operator);
      s.update(at, at + operator.length, '=');
      openAt(right.start, `${asyncEntry('w')}((${SLOT}${write.stale.slot} = ${SEGMENT}[0], ${code.slice(target.start, target.end)}) ${operator.slice(0, -1)} (`);
      s.prependLeft(right.end, `), ${args})`);
      return;
    }
    openAt(right.start, `${asyncEntry('w')}(`);
    s.prependLeft(right.end, `, ${args})`);
  };

  /** The async part of the walk, before the element rewrites of the same node (outer calls open first). */
  const walkAsync = (node: Node, functionName: string): void => {
    if (!plan) return;
    const slots = plan.functions.get(node);
    if (slots) wrapAsyncFunction(node, slots, functionName);
    if (node.type === 'AwaitExpression' && plan.awaits.has(node)) {
      const argument = node.argument as Node;
      openAt(argument.start, `${asyncEntry('s')}(`);
      s.prependLeft(argument.end, `, ${TASK}, ${siteOf(node, functionName)})`);
      asyncRewrites++;
    }
    const slot = plan.reads.get(node);
    if (slot !== undefined) {
      openAt(node.start, `(${SLOT}${slot} = ${SEGMENT}[0], `);
      s.prependLeft(node.end, ')');
    }
    const write = plan.writes.get(node);
    if (write) rewriteStateWrite(node, write, functionName);
  };

  const walk = (node: Node, functionName: string): void => {
    let name = functionName;
    switch (node.type) {
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression': {
        const id = node.id as Node | null | undefined;
        name = id && typeof id.name === 'string' ? id.name : (node.inferredName as string | undefined) ?? '';
        break;
      }
      case 'MethodDefinition':
      case 'Property':
      case 'PropertyDefinition': {
        const key = node.key as Node;
        const value = node.value as Node | null;
        if (value && isNode(value) && (value.type === 'FunctionExpression' || value.type === 'ArrowFunctionExpression')) {
          value.inferredName = key.type === 'Identifier' || key.type === 'PrivateIdentifier' ? (key.name as string) : '';
        }
        break;
      }
      case 'VariableDeclarator': {
        const id = node.id as Node;
        const init = node.init as Node | null;
        if (init && id.type === 'Identifier' && (init.type === 'FunctionExpression' || init.type === 'ArrowFunctionExpression')) {
          init.inferredName = id.name;
        }
        break;
      }
      default:
        break;
    }
    walkAsync(node, name);
    switch (node.type) {
      case 'MemberExpression':
        if (eligible(node)) rewriteRead(node, name);
        break;
      case 'AssignmentExpression': {
        const left = node.left as Node;
        const operator = node.operator as string;
        if (eligible(left) && (operator === '=' || COMPOUND_OPERATORS.has(operator))) {
          rewriteAssignment(node, left, name);
          // The target is rewritten: walk its parts, not the target as a read.
          walk(left.object as Node, name);
          walk(left.property as Node, name);
          walk(node.right as Node, name);
          return;
        }
        if (left.type === 'MemberExpression') {
          walkTargetParts(left as MemberNode, name);
          walk(node.right as Node, name);
          return;
        }
        if (left.type === 'ArrayPattern' && operator === '=') iterated(node.right as Node, name);
        break;
      }
      case 'UpdateExpression': {
        const argument = node.argument as Node;
        if (eligible(argument)) {
          rewriteUpdate(node, argument, name);
          walk(argument.object as Node, name);
          walk(argument.property as Node, name);
          return;
        }
        if (argument.type === 'MemberExpression') {
          walkTargetParts(argument as MemberNode, name);
          return;
        }
        break;
      }
      case 'CallExpression':
      case 'NewExpression': {
        const callee = node.callee as Node;
        if (callee.type === 'MemberExpression') {
          const member = callee as MemberNode;
          if (
            node.type === 'CallExpression' &&
            !member.computed &&
            !member.optional &&
            member.object.type === 'Identifier' &&
            member.object.name === 'Atomics' &&
            member.property.type === 'Identifier' &&
            ATOMICS_OPERATIONS.has(member.property.name as string) &&
            !(node.arguments as Node[]).some((argument) => argument.type === 'SpreadElement')
          ) {
            const site = siteOf(callee, name);
            s.update(member.object.start, member.object.end, entry('atomics'));
            const args = node.arguments as Node[];
            // The site travels as an extra argument after the real ones (Atomics ignores extras).
            const closing = node.end - 1;
            s.prependLeft(closing, `${args.length > 0 ? ', ' : ''}${argumentPadding(args.length, member.property.name as keyof typeof ATOMICS_ARITY)}${site}`);
          } else if (
            node.type === 'CallExpression' &&
            !member.computed &&
            !member.optional &&
            node.optional !== true &&
            member.object.type !== 'Super' &&
            member.property.type === 'Identifier' &&
            recordedMethod(node, member) &&
            !(node.arguments as Node[]).some((argument) => argument.type === 'SpreadElement') &&
            !inOptionalChain(member.object)
          ) {
            rewriteMethodCall(node, member, name);
            walk(member.object, name);
          } else {
            // A call target keeps its `this`: walk its parts, not the member itself.
            walk(member.object, name);
            if (member.computed) walk(member.property, name);
          }
          for (const argument of node.arguments as Node[]) walk(argument, name);
          return;
        }
        break;
      }
      case 'SpreadElement': {
        // In an array or an argument list (an object spread copies properties, which walkChildren reaches
        // through ObjectExpression without coming here for its own spread).
        const argument = node.argument as Node;
        passedThrough(SPREAD, argument, node, name);
        walk(argument, name);
        return;
      }
      case 'ObjectExpression':
        for (const property of node.properties as Node[]) walk(property.type === 'SpreadElement' ? (property.argument as Node) : property, name);
        return;
      case 'TaggedTemplateExpression':
      case 'ChainExpression':
        // Optional chains short-circuit; a call would not. Their parts that are not chained are still walked.
        break;
      case 'UnaryExpression':
        if (node.operator === 'delete' && isNode(node.argument) && node.argument.type === 'MemberExpression') {
          walk(node.argument.object as Node, name);
          return;
        }
        break;
      case 'ArrayPattern':
      case 'ObjectPattern':
      case 'RestElement':
      case 'AssignmentPattern':
        walkPattern(node, name);
        return;
      case 'ForInStatement':
      case 'ForOfStatement': {
        const left = node.left as Node;
        if (left.type === 'MemberExpression') walkTargetParts(left as MemberNode, name);
        else walk(left, name);
        if (node.type === 'ForOfStatement' && node.await !== true) iterated(node.right as Node, name);
        walk(node.right as Node, name);
        walk(node.body as Node, name);
        return;
      }
      case 'VariableDeclarator':
        if ((node.id as Node).type === 'ArrayPattern' && isNode(node.init)) iterated(node.init, name);
        break;
      default:
        break;
    }
    walkChildren(node, name);
  };

  const walkChildren = (node: Node, name: string): void => {
    for (const key of Object.keys(node)) {
      if (key === 'loc' || key === 'inferredName') continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) walk(item, name);
      } else if (isNode(value)) {
        walk(value, name);
      }
    }
  };

  /** A member expression used as an assignment target that we leave alone: its object and key still run. */
  const walkTargetParts = (member: MemberNode, name: string): void => {
    walk(member.object, name);
    if (member.computed) walk(member.property, name);
  };

  /** Destructuring: targets are left alone, defaults and computed keys are ordinary expressions. */
  const walkPattern = (node: Node, name: string): void => {
    switch (node.type) {
      case 'MemberExpression':
        walkTargetParts(node as MemberNode, name);
        return;
      case 'AssignmentPattern':
        walkPattern(node.left as Node, name);
        walk(node.right as Node, name);
        return;
      case 'ArrayPattern':
        for (const element of node.elements as (Node | null)[]) if (element) walkPattern(element, name);
        return;
      case 'ObjectPattern':
        for (const property of node.properties as Node[]) {
          if (property.type === 'RestElement') walkPattern(property.argument as Node, name);
          else {
            if (property.computed) walk(property.key as Node, name);
            walkPattern(property.value as Node, name);
          }
        }
        return;
      case 'RestElement':
        walkPattern(node.argument as Node, name);
        return;
      default:
        return;
    }
  };

  walk(program, '');
  if (siteTable.encoded.length === 0 && asyncRewrites === 0) return undefined;
  for (const [position, text] of openings) {
    // `await(x)` and `return(x)` as compilers print them: a call opening there must not join the keyword.
    const pad = /[\w$]/.test(code[position - 1] ?? '') && /^[\w$]/.test(text) ? ' ' : '';
    s.update(position, position + 1, pad + text + code[position]!);
  }

  if (mapComment) s.remove(mapComment.start, mapComment.end);
  // Before anything the rewrites put at the same position.
  s.prependRight(prologueAt(program, code), prologue(siteTable.encoded, asyncRewrites > 0 ? { propertyNames } : undefined, accessors));
  return { code: withSourceMap(s, file, inputMap), sites: siteTable.encoded.length };
}

/**
 * Atomics.wait and notify take optional trailing arguments; the site must land in a fixed position, so
 * missing optional ones are filled with undefined (which is what they were).
 */
function argumentPadding(count: number, operation: keyof typeof ATOMICS_ARITY): string {
  const missing = Math.max(0, ATOMICS_ARITY[operation] - count);
  return 'undefined, '.repeat(missing);
}

/** Is this node part of an optional chain (`a?.b[c]`)? Then rewriting it would lose the short-circuit. */
function inOptionalChain(node: Node): boolean {
  let current: Node | undefined = node;
  while (current) {
    if (current.optional === true) return true;
    if (current.type === 'MemberExpression') current = current.object as Node;
    else if (current.type === 'CallExpression') current = current.callee as Node;
    else return false;
  }
  return false;
}

/** Where the prologue goes: after a hashbang and after the directive prologue ('use strict' must stay first). */
function prologueAt(program: Node, code: string): number {
  let at = code.startsWith('#!') ? code.indexOf('\n') + 1 : 0;
  for (const statement of program.body as Node[]) {
    if (statement.type === 'ExpressionStatement' && typeof statement.directive === 'string') at = statement.end;
    else break;
  }
  return at;
}
