/**
 * Extracts the facts of stripe-node's generated examples into test/emulator/stripe-node-examples.json:
 * for each example its name, the SDK call (`paymentIntents.capture`) and its arguments as JSON (ids
 * and parameter objects), nothing else. The examples are written for stripe-mock; our test
 * (test/emulator/stripe-node-examples.test.ts) replays them against the emulator.
 *
 * Regenerate from a stripe-node checkout at the tag of the pinned SDK (v15.3.0, API 2024-04-10):
 *
 *     git -C stripe-node show v15.3.0:test/resources/generated_examples_test.spec.js > /tmp/examples.js
 *     npx tsx scripts/extract-stripe-examples.ts /tmp/examples.js
 *
 * The file is parsed with TypeScript's parser (no evaluation): every `it('<name>', …)` must hold one
 * `await stripe.<resource>.<method>(<literals>)`; anything else fails the script.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';

export interface StripeExample {
  /** the example's name in stripe-node (`test_customers_get`) */
  name: string;
  /** the SDK's resource path and method, dotted (`testHelpers.testClocks.advance`) */
  call: string;
  /** the call's arguments: ids (strings) and parameter objects, as JSON */
  args: unknown[];
}

export const EXAMPLES_FIXTURE = 'test/emulator/stripe-node-examples.json';

/** Free-text parameters: their example sentences are not kept, a neutral word stands in. */
const FREE_TEXT = new Set(['description', 'explanation', 'payload']);

/** The JSON value of a literal expression; throws on anything that is not a plain literal. */
function literal(node: ts.Expression): unknown {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken)
    return -(literal(node.operand) as number);
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (node.kind === ts.SyntaxKind.NullKeyword) return null;
  if (ts.isArrayLiteralExpression(node)) return node.elements.map(literal);
  if (ts.isObjectLiteralExpression(node)) {
    const out: Record<string, unknown> = {};
    for (const prop of node.properties) {
      if (!ts.isPropertyAssignment(prop)) throw new Error(`unexpected property ${prop.getText()}`);
      const key = prop.name;
      const name =
        ts.isIdentifier(key) || ts.isStringLiteral(key) || ts.isNumericLiteral(key) ? key.text : undefined;
      if (name === undefined) throw new Error(`unexpected key ${key.getText()}`);
      out[name] =
        FREE_TEXT.has(name) && ts.isStringLiteral(prop.initializer) ? 'text' : literal(prop.initializer);
    }
    return out;
  }
  throw new Error(`not a literal: ${node.getText()}`);
}

/** `stripe.a.b.c` → `a.b.c` */
function callPath(node: ts.Expression): string | undefined {
  const parts: string[] = [];
  let current: ts.Expression = node;
  while (ts.isPropertyAccessExpression(current)) {
    parts.unshift(current.name.text);
    current = current.expression;
  }
  return ts.isIdentifier(current) && current.text === 'stripe' ? parts.join('.') : undefined;
}

export function extractExamples(source: string): StripeExample[] {
  const file = ts.createSourceFile('examples.js', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const examples: StripeExample[] = [];
  const visitIt = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'it' &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      const name = node.arguments[0].text;
      const calls: StripeExample[] = [];
      const visitBody = (inner: ts.Node): void => {
        if (ts.isAwaitExpression(inner) && ts.isCallExpression(inner.expression)) {
          const call = callPath(inner.expression.expression);
          if (call) calls.push({ name, call, args: inner.expression.arguments.map(literal) });
        }
        ts.forEachChild(inner, visitBody);
      };
      ts.forEachChild(node, visitBody);
      if (calls.length !== 1) throw new Error(`${name}: expected one SDK call, found ${calls.length}`);
      examples.push(calls[0]!);
      return;
    }
    ts.forEachChild(node, visitIt);
  };
  visitIt(file);
  return examples;
}

if (process.argv[1]?.endsWith('extract-stripe-examples.ts')) {
  const input = process.argv[2];
  if (!input) {
    console.error('usage: tsx scripts/extract-stripe-examples.ts <generated_examples_test.spec.js>');
    process.exit(2);
  }
  const examples = extractExamples(readFileSync(input, 'utf8'));
  writeFileSync(EXAMPLES_FIXTURE, `${JSON.stringify(examples, null, 2)}\n`);
  // In the repository's format, so that regenerating it changes nothing when nothing changed.
  execFileSync('npx', ['biome', 'format', '--write', EXAMPLES_FIXTURE], { stdio: 'inherit' });
  console.log(`${EXAMPLES_FIXTURE}: ${examples.length} examples`);
}
