/** Evaluates a parsed formula against one record. */
import type { Expr } from './ast';
import { FUNCTIONS, type FormulaEnv } from './functions';
import { compare, FormulaRuntimeError, toNumber, toText, type FValue } from './values';

export function evaluate(e: Expr, env: FormulaEnv): FValue {
  switch (e.kind) {
    case 'num':
    case 'str':
    case 'bool':
      return e.value;
    case 'field':
      return env.field(e.name);
    case 'neg':
      return -toNumber(evaluate(e.arg, env));
    case 'call': {
      const fn = FUNCTIONS[e.name];
      if (!fn) throw new FormulaRuntimeError(`unknown function ${e.name}`);
      return fn.fn(
        e.args.map((a) => () => evaluate(a, env)),
        env,
      );
    }
    case 'bin': {
      const l = evaluate(e.left, env);
      const r = evaluate(e.right, env);
      switch (e.op) {
        case '&':
          return toText(l) + toText(r);
        case '+':
          return toNumber(l) + toNumber(r);
        case '-':
          return toNumber(l) - toNumber(r);
        case '*':
          return toNumber(l) * toNumber(r);
        case '/': {
          const d = toNumber(r);
          if (d === 0) throw new FormulaRuntimeError('division by zero');
          return toNumber(l) / d;
        }
        case '=':
          return compare(l, r) === 0;
        case '!=':
          return compare(l, r) !== 0;
        case '<':
          return compare(l, r) < 0;
        case '>':
          return compare(l, r) > 0;
        case '<=':
          return compare(l, r) <= 0;
        case '>=':
          return compare(l, r) >= 0;
        default:
          throw new FormulaRuntimeError(`unknown operator ${e.op}`);
      }
    }
  }
}

/** Evaluates, turning runtime errors into Airtable's #ERROR! marker. */
export function evaluateSafely(e: Expr, env: FormulaEnv): FValue | { error: '#ERROR!' } {
  try {
    return evaluate(e, env);
  } catch (err) {
    if (err instanceof FormulaRuntimeError) return { error: '#ERROR!' };
    throw err;
  }
}
