/** Text from the user's program, made safe to print. */

/**
 * Text safe to print on a terminal: C0 and C1 control characters, DEL and the bidirectional overrides
 * (which reorder what a reader sees) shown as escapes, `\x1b` rather than the byte.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
