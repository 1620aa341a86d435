/**
 * The element rewrites: reads, writes, compound assignments and increments of `o[k]`; recorded method
 * calls (DataView accesses, typed-array built-ins, Array.from); spreads and iterated values. Each site's
 * generated function comes from accessors.ts.
 */
import { PROLOGUE } from '../abi.js';
import { accessorName, entry, maybeShared, methodAccessor, readAccessor, writeAccessor, type MethodRecord } from './accessors.js';
import { inOptionalChain, isNode, type Edit, type MemberNode, type Node } from './edit.js';

const ITERATE = PROLOGUE.iterate;

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

/** The rewrites of one module's element accesses, and the per-site functions they defined. */
export function elementRewrites(edit: Edit) {
  const { code, s, siteOf, tokenIn, openAt, brackets } = edit;
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

  return { eligible, rewriteRead, rewriteMethodCall, iterated, passedThrough, recordedMethod, rewriteAssignment, rewriteUpdate, accessors };
}
