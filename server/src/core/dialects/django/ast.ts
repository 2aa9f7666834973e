/**
 * The syntax tree shared by the Django-style dialects (Klaviyo, HubSpot HubL). The scanner walks it to
 * find uses; the preview renderer evaluates it, so both read the template the same way.
 */
import type { Span } from '../../model';

export type Expr =
  | LiteralExpr | PathExpr | FilterExpr | CallExpr | UnaryExpr | BinaryExpr
  | TestExpr | ConditionalExpr | ListExpr | DictExpr | MemberExpr;

export interface LiteralExpr { kind: 'literal'; span: Span; value: string | number | boolean | null }

/** `a.b['c d'][0]`: a reference that starts with a name. */
export interface PathExpr { kind: 'path'; span: Span; root: string; segments: PathSegment[] }
export type PathSegment = { name: string; span: Span } | { index: Expr; span: Span };

export interface FilterExpr { kind: 'filter'; span: Span; input: Expr; name: string; nameSpan: Span; args: Expr[] }

/** `range(3)`, `personalization_token('contact.firstname', 'there')`, or a method `x.items()`. */
export interface CallExpr {
  kind: 'call'; span: Span; name: string; nameSpan: Span;
  /** The object of a method call. */
  target?: Expr;
  args: Expr[];
  named: { name: string; value: Expr }[];
}

export interface UnaryExpr { kind: 'unary'; span: Span; op: 'not' | '-' | '+'; operand: Expr }
export interface BinaryExpr { kind: 'binary'; span: Span; op: string; left: Expr; right: Expr }
/** Jinja tests: `x is defined`, `x is not none`, `n is divisibleby 3`. */
export interface TestExpr { kind: 'test'; span: Span; operand: Expr; name: string; negated: boolean; args: Expr[] }
/** Jinja's inline if: `a if cond else b`. */
export interface ConditionalExpr { kind: 'conditional'; span: Span; then: Expr; test: Expr; otherwise?: Expr }
export interface ListExpr { kind: 'list'; span: Span; items: Expr[] }
export interface DictExpr { kind: 'dict'; span: Span; entries: { key: Expr; value: Expr }[] }
/** A member of something that is not a plain path: `range(3)[0]`, `(a ~ b).x`. */
export interface MemberExpr { kind: 'member'; span: Span; object: Expr; key: Expr | string }

export type Node = TextNode | OutputNode | IfNode | ForNode | WithNode | SetNode | TagNode;

export interface TextNode { kind: 'text'; start: number; end: number }
export interface OutputNode { kind: 'output'; tagSpan: Span; expr?: Expr }

export interface IfNode { kind: 'if'; tagSpan: Span; branches: IfBranch[] }
export interface IfBranch {
  /** The tag that opens the branch: `{% if %}`, `{% elif %}`, `{% else %}`. */
  tagSpan: Span;
  /** Undefined for `else`, and when the condition could not be read. */
  test?: Expr;
  body: Node[];
  bodySpan: Span;
}

export interface ForNode {
  kind: 'for'; tagSpan: Span;
  variables: { name: string; span: Span }[];
  source?: Expr;
  /** Jinja's `for x in list if cond`. */
  condition?: Expr;
  reversed: boolean;
  body: Node[];
  bodySpan: Span;
  /** Django's `{% empty %}`, Jinja's loop `{% else %}`: runs when the list is empty. */
  otherwise?: Node[];
}

/** Django's `{% with name=value %}…{% endwith %}`. */
export interface WithNode { kind: 'with'; tagSpan: Span; bindings: Binding[]; body: Node[] }
/** HubL's `{% set name = value %}`. */
export interface SetNode { kind: 'set'; tagSpan: Span; bindings: Binding[] }
export interface Binding { name: string; nameSpan: Span; value?: Expr }

/** Any other tag: the platform's own (`{% unsubscribe %}`, `{% module %}`), with a body when it is a block. */
export interface TagNode {
  kind: 'tag'; tagSpan: Span; name: string;
  args: Expr[];
  named: { name: string; value: Expr }[];
  body?: Node[];
  /** HubL's block `{% set name %}…{% endset %}`: the variable that takes the body's output. */
  captures?: string;
  /** `{% include %}`, `{% import %}`, `{% from %}`, `{% extends %}`: the template's name is `args[0]`, passed values are `named`. */
  include?: TagInclude;
}

export interface TagInclude {
  kind: 'include' | 'import' | 'extends';
  /** The pulled-in template sees the caller's variables: Jinja's default for include and extends, `with context` for imports. */
  withContext: boolean;
  /** Names the tag binds in the caller: `m` of `import … as m`, `c` of `from … import a as c`. */
  binds: string[];
}
