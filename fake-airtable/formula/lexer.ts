/**
 * Tokens of Airtable's formula language (support.airtable.com "Formula field reference"):
 * numbers, "double" or 'single' quoted strings with backslash escapes, {Field name} references,
 * function names / bare field names, and the operators = != < > <= >= & + - * /.
 */
export class FormulaSyntaxError extends Error {
  override name = 'FormulaSyntaxError';
}

export type Token =
  | { kind: 'num'; value: number; pos: number }
  | { kind: 'str'; value: string; pos: number }
  | { kind: 'field'; name: string; pos: number }
  | { kind: 'ident'; name: string; pos: number }
  | { kind: 'op'; op: string; pos: number }
  | { kind: 'eof'; pos: number };

const OPERATORS = ['!=', '<=', '>=', '<', '>', '=', '&', '+', '-', '*', '/', '(', ')', ','];

/** Escapes inside string literals: \" \' \\ \n \t \r; any other escaped character stands for itself. */
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r' };

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= src.length)
          throw new FormulaSyntaxError(`unterminated string starting at ${start}`);
        const ch = src[i]!;
        if (ch === '\\') {
          const next = src[i + 1];
          if (next === undefined) throw new FormulaSyntaxError('dangling backslash');
          value += ESCAPES[next] ?? next;
          i += 2;
          continue;
        }
        if (ch === c) {
          i++;
          break;
        }
        value += ch;
        i++;
      }
      out.push({ kind: 'str', value, pos: start });
      continue;
    }
    if (c === '{') {
      let name = '';
      i++;
      for (;;) {
        if (i >= src.length)
          throw new FormulaSyntaxError(`unterminated field reference at ${start}`);
        const ch = src[i]!;
        if (ch === '\\' && (src[i + 1] === '}' || src[i + 1] === '\\')) {
          name += src[i + 1];
          i += 2;
          continue;
        }
        if (ch === '}') {
          i++;
          break;
        }
        name += ch;
        i++;
      }
      if (name === '') throw new FormulaSyntaxError(`empty field reference at ${start}`);
      out.push({ kind: 'field', name, pos: start });
      continue;
    }
    const num = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ kind: 'num', value: Number(num[0]), pos: start });
      i += num[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (ident) {
      out.push({ kind: 'ident', name: ident[0], pos: start });
      i += ident[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op) {
      out.push({ kind: 'op', op, pos: start });
      i += op.length;
      continue;
    }
    throw new FormulaSyntaxError(`unexpected character "${c}" at ${i}`);
  }
  out.push({ kind: 'eof', pos: src.length });
  return out;
}
