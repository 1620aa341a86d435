/**
 * The async rewrites, from what async-plan.ts found: async functions become tasks, awaits announce
 * themselves, reads that feed a later write of shared state remember their segment, and those writes are
 * recorded (see transform.ts for the shapes).
 */
import { GENERATED, PROLOGUE } from '../abi.js';
import { asyncEntry } from './accessors.js';
import type { AsyncPlan, WritePlan } from './async-plan.js';
import type { Edit, Node } from './edit.js';

const SEGMENT = PROLOGUE.segment;
const NAMES = PROLOGUE.names;
const TASK = GENERATED.task;
const SLOT = GENERATED.readSlot;
const BINDING = GENERATED.binding;

export class AsyncRewrites {
  /** Property names of shared state, as the prologue defines them. */
  readonly propertyNames: string[] = [];
  /** Rewrites made: none, and the module needs no async prologue. */
  count = 0;
  readonly walk: (node: Node, functionName: string) => void;

  constructor(edit: Edit, plan: AsyncPlan) {
    const { code, s, siteOf, tokenIn, openAt } = edit;
    const propertyNames = this.propertyNames;
    const counted = (): void => {
      this.count++;
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
      counted();
    };

    /** A planned write of shared state: recorded just before the store, its value passed through. */
    const rewriteStateWrite = (node: Node, write: WritePlan, functionName: string): void => {
      const target = (node.type === 'UpdateExpression' ? node.argument : node.left) as Node;
      let args = `${stateArguments(write)}, ${siteOf(target, functionName)}`;
      if (write.stale) args += `, ${SLOT}${write.stale.slot}, ${siteOf(write.stale.read, functionName)}, ${siteOf(write.stale.await as unknown as Node, functionName)}`;
      counted();
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
      const slots = plan.functions.get(node);
      if (slots) wrapAsyncFunction(node, slots, functionName);
      if (node.type === 'AwaitExpression' && plan.awaits.has(node)) {
        const argument = node.argument as Node;
        openAt(argument.start, `${asyncEntry('s')}(`);
        s.prependLeft(argument.end, `, ${TASK}, ${siteOf(node, functionName)})`);
        counted();
      }
      const slot = plan.reads.get(node);
      if (slot !== undefined) {
        openAt(node.start, `(${SLOT}${slot} = ${SEGMENT}[0], `);
        s.prependLeft(node.end, ')');
      }
      const write = plan.writes.get(node);
      if (write) rewriteStateWrite(node, write, functionName);
    };
    this.walk = walkAsync;
  }
}
