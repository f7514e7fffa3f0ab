/**
 * Recursive-descent parser. Precedence, loosest first: comparison (= != < > <= >=), concatenation
 * (&), + -, * /, unary minus. Function names are case-insensitive; a bare identifier that is not
 * a call is a field reference (Airtable allows {braces} to be omitted for one-word names).
 */
import type { Expr } from './ast';
import { FUNCTIONS } from './functions';
import { FormulaSyntaxError, tokenize, type Token } from './lexer';

const COMPARISON = ['=', '!=', '<', '>', '<=', '>='];

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i]!;
  }
  private next(): Token {
    return this.tokens[this.i++]!;
  }
  private isOp(...ops: string[]): string | undefined {
    const t = this.peek();
    return t.kind === 'op' && ops.includes(t.op) ? t.op : undefined;
  }
  private expectOp(op: string): void {
    const t = this.next();
    if (t.kind !== 'op' || t.op !== op)
      throw new FormulaSyntaxError(`expected "${op}" at ${t.pos}`);
  }

  parseAll(): Expr {
    const e = this.comparison();
    const t = this.peek();
    if (t.kind !== 'eof') throw new FormulaSyntaxError(`unexpected input at ${t.pos}`);
    return e;
  }

  private binary(ops: string[], sub: () => Expr): Expr {
    let left = sub();
    for (let op = this.isOp(...ops); op; op = this.isOp(...ops)) {
      this.next();
      left = { kind: 'bin', op, left, right: sub() };
    }
    return left;
  }

  private comparison = (): Expr => this.binary(COMPARISON, this.concat);
  private concat = (): Expr => this.binary(['&'], this.additive);
  private additive = (): Expr => this.binary(['+', '-'], this.term);
  private term = (): Expr => this.binary(['*', '/'], this.unary);

  private unary = (): Expr => {
    if (this.isOp('-')) {
      this.next();
      return { kind: 'neg', arg: this.unary() };
    }
    if (this.isOp('+')) {
      this.next();
      return this.unary();
    }
    return this.primary();
  };

  private primary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'num':
        return { kind: 'num', value: t.value };
      case 'str':
        return { kind: 'str', value: t.value };
      case 'field':
        return { kind: 'field', name: t.name };
      case 'ident': {
        if (this.isOp('(')) {
          this.next();
          const name = t.name.toUpperCase();
          const fn = FUNCTIONS[name];
          if (!fn) throw new FormulaSyntaxError(`unknown function ${t.name}()`);
          const args: Expr[] = [];
          if (!this.isOp(')')) {
            args.push(this.comparison());
            while (this.isOp(',')) {
              this.next();
              args.push(this.comparison());
            }
          }
          this.expectOp(')');
          if (args.length < fn.min || args.length > fn.max)
            throw new FormulaSyntaxError(`wrong number of arguments to ${name}()`);
          return { kind: 'call', name, args };
        }
        const upper = t.name.toUpperCase();
        if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'bool', value: upper === 'TRUE' };
        return { kind: 'field', name: t.name };
      }
      case 'op':
        if (t.op === '(') {
          const e = this.comparison();
          this.expectOp(')');
          return e;
        }
        throw new FormulaSyntaxError(`unexpected "${t.op}" at ${t.pos}`);
      case 'eof':
        throw new FormulaSyntaxError('unexpected end of formula');
    }
  }
}

export function parseFormula(src: string): Expr {
  if (src.trim() === '') throw new FormulaSyntaxError('empty formula');
  return new Parser(tokenize(src)).parseAll();
}

/** Names of every field the formula references. */
export function referencedFields(e: Expr, out = new Set<string>()): Set<string> {
  switch (e.kind) {
    case 'field':
      out.add(e.name);
      break;
    case 'call':
      e.args.forEach((a) => referencedFields(a, out));
      break;
    case 'neg':
      referencedFields(e.arg, out);
      break;
    case 'bin':
      referencedFields(e.left, out);
      referencedFields(e.right, out);
      break;
    default:
      break;
  }
  return out;
}
