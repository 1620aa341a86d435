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
import { ATOMICS_ARITY, INSTRUMENTED_MARK, PROLOGUE } from '../abi.js';
import { entry, prologue } from './accessors.js';
import { planAsync, type AsyncPlan } from './async-plan.js';
import { AsyncRewrites } from './async-rewrites.js';
import { inOptionalChain, isNode, type Edit, type MemberNode, type Node } from './edit.js';
import { elementRewrites } from './element-rewrites.js';
import { inlineMap, SiteTable, toPath, withSourceMap } from './sites.js';

const SPREAD = PROLOGUE.spread;

/** Atomics functions that read or write shared memory (the others, like isLockFree, are left alone). */
const ATOMICS_OPERATIONS = new Set(Object.keys(ATOMICS_ARITY));

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

  const edit: Edit = { code, s, siteOf, tokenIn, openAt, brackets };
  const { eligible, rewriteRead, rewriteMethodCall, iterated, passedThrough, recordedMethod, rewriteAssignment, rewriteUpdate, accessors } = elementRewrites(edit);
  const asyncRewrites = plan ? new AsyncRewrites(edit, plan) : undefined;
  const walkAsync = (node: Node, functionName: string): void => asyncRewrites?.walk(node, functionName);

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
  const asyncCount = asyncRewrites?.count ?? 0;
  if (siteTable.encoded.length === 0 && asyncCount === 0) return undefined;
  for (const [position, text] of openings) {
    // `await(x)` and `return(x)` as compilers print them: a call opening there must not join the keyword.
    const pad = /[\w$]/.test(code[position - 1] ?? '') && /^[\w$]/.test(text) ? ' ' : '';
    s.update(position, position + 1, pad + text + code[position]!);
  }

  if (mapComment) s.remove(mapComment.start, mapComment.end);
  // Before anything the rewrites put at the same position.
  s.prependRight(prologueAt(program, code), prologue(siteTable.encoded, asyncCount > 0 ? { propertyNames: asyncRewrites!.propertyNames } : undefined, accessors));
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

/** Where the prologue goes: after a hashbang and after the directive prologue ('use strict' must stay first). */
function prologueAt(program: Node, code: string): number {
  let at = code.startsWith('#!') ? code.indexOf('\n') + 1 : 0;
  for (const statement of program.body as Node[]) {
    if (statement.type === 'ExpressionStatement' && typeof statement.directive === 'string') at = statement.end;
    else break;
  }
  return at;
}
