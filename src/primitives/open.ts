/** The start every primitive shares: new words or a handle on shared ones, its identity, its creation event. */
import { allocate, attach, objectIdOf, type SharedDescriptor } from '../core/handles.js';
import { emit, tracing } from '../tracer/probe.js';
import { EventKind, type ObjectType } from '../tracer/schema.js';

/**
 * Allocates `wordCount` words tagged `tag` (recording that a `type` was made, for names and lock classes in
 * reports) or, given `shared`, attaches to existing ones after checking the tag.
 */
export function openWords(
  shared: SharedDescriptor | undefined,
  tag: number,
  wordCount: number,
  typeName: string,
  type: ObjectType,
): { words: Int32Array; id: number } {
  const words = shared ? attach(shared, tag, wordCount, typeName) : allocate(tag, wordCount);
  const id = objectIdOf(words);
  if (!shared && tracing) emit(EventKind.ObjectCreate, id, type);
  return { words, id };
}
