import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

/**
 * The core and the worker return codes and facts; the words belong to the adapters. This reads
 * src/core and src/worker with the TypeScript parser and fails on English prose where a user
 * could see it: in the arguments of fail()/refuse() and of `new GenerationError(code, details)`,
 * and in zod schema messages (`error:` and `message:` properties, which become issue messages).
 * Prose is two words of letters separated by whitespace in a string or template literal; codes,
 * field names and the admin-only `adminText` (logged, never shown to users) are not prose.
 */

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const PROSE = /\p{L}{2,}\s+\p{L}{2,}/u;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sources(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The literal text pieces under a node, skipping `adminText: ...` (the admin's, never a user's). */
function literalTexts(node: ts.Node): ts.Node[] {
  if (ts.isPropertyAssignment(node) && node.name.getText() === 'adminText') return [];
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) return [node];
  return node.getChildren().flatMap(literalTexts);
}

function calleeName(call: ts.CallExpression | ts.NewExpression): string | undefined {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}

/** Where prose sits in failure-making code of one source text: "line: text". */
function proseInFailures(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  // Keyed by position: a literal inside both a fail() call and a message property is one finding.
  const found = new Map<number, string>();
  const report = (pieces: ts.Node[]) => {
    for (const piece of pieces) {
      const text = (piece as ts.LiteralLikeNode).text;
      if (PROSE.test(text)) found.set(piece.getStart(), `${source.getLineAndCharacterOfPosition(piece.getStart()).line + 1}: ${text}`);
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ['fail', 'refuse'].includes(calleeName(node) ?? '')) report(node.arguments.flatMap(literalTexts));
    else if (ts.isNewExpression(node) && calleeName(node) === 'GenerationError') report((node.arguments ?? []).slice(0, 2).flatMap(literalTexts));
    else if (ts.isPropertyAssignment(node) && ['error', 'message'].includes(node.name.getText())) report(literalTexts(node.initializer));
    ts.forEachChild(node, visit);
  };
  visit(source);
  return [...found.values()];
}

describe('no user prose in the failures of the core and the worker', () => {
  test.each(['core', 'worker'])('src/%s', (layer) => {
    const findings = sources(join(SRC, layer)).flatMap((file) => proseInFailures(file, readFileSync(file, 'utf8')).map((f) => `${relative(SRC, file)}:${f}`));
    expect(findings).toEqual([]);
  });

  test('the scan finds prose in each form it guards, and passes codes, fields and admin text', () => {
    const bad = `
      fail('not_found', 'no such job');
      refuse('forbidden', { message: \`only \${role} may do that\` });
      const slug = z.string().regex(/x/, { error: 'slug must be a slug' });
      ctx.addIssue({ code: 'custom', message: 'pattern refused: ' + problem });
      throw new GenerationError('backend_error', { node: 'the sampler node' }, 'never');
    `;
    expect(proseInFailures('bad.ts', bad)).toHaveLength(5);
    const good = `
      fail({ reason: 'project_unknown', slug }, { field: 'project' });
      fail({ reason: 'field_invalid', field: 'seed', rule: 'whole_range', min: 0, max: 10 });
      const slug = z.string().regex(/x/, { error: ruleMessage({ rule: 'slug' }) });
      throw new GenerationError('backend_error', {}, 'backoff', { adminText: 'unreadable /history entry' });
      log.warn({ jobId }, 'could not stop a replaced reply');
    `;
    expect(proseInFailures('good.ts', good)).toEqual([]);
  });
});
