// Control bytes made visible in what the command line prints: alone, without imports, so that
// the program can use it for commander's own messages without loading the colours (colour.ts).

/**
 * Control bytes as strace shows them in strings (\x1b, not ESC), so that a path or a message
 * cannot drive the terminal: C0 except the newline, DEL, C1 (U+0080-U+009F), and a raw non-UTF-8
 * byte of a kernel name (src/utf8.ts keeps byte b as U+DC00+b) as that byte.
 */
export function escapeControls(text: string): string {
  return text.replace(/[\x00-\x09\x0b-\x1f\x7f-\x9f\udc80-\udcff]/gu, (c) => {
    const n = c.charCodeAt(0);
    return `\\x${(n >= 0xdc80 ? n - 0xdc00 : n).toString(16).padStart(2, "0")}`;
  });
}
