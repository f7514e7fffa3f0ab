/** The parsed form of a formula. */
export type Expr =
  | { kind: 'num'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'field'; name: string }
  | { kind: 'call'; name: string; args: Expr[] }
  | { kind: 'neg'; arg: Expr }
  | { kind: 'bin'; op: string; left: Expr; right: Expr };
