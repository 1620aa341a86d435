/**
 * Escaping what comes from the user's program — file names, thread names, messages that quote them — for
 * each output: a terminal must not receive escape sequences from a file name, an XML report must stay
 * well-formed whatever a thread was called, a SARIF location must be a valid URI. (Text for a terminal:
 * core/text.ts, which tool errors use too.)
 */

/**
 * Text for an XML 1.0 attribute or element: the five special characters as entities, and characters XML
 * 1.0 does not allow at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF) shown as `\uXXXX`.
 */
export function xmlText(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A relative path as a URI reference: each segment percent-encoded (spaces, brackets, `#`, `?`, `%`, …). */
export function uriReference(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}
