// The public API report: every entry point of package.json `exports`, each exported name with its declared
// signature, written to api/<entry>.api.md. `npm run api` rewrites the files; test/package/api-report.test.ts
// fails when they are stale, so a change to the public API shows in review as a change to api/*.api.md.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { REPO_ROOT } from './shared.js';

/** Folder of the checked-in reports. */
export const API_DIR = path.join(REPO_ROOT, 'api');

/** The command that regenerates the reports (quoted in the test's failure message). */
export const API_COMMAND = 'npm run api';

/** One public entry point: its import specifier and the source module behind it. */
export interface EntryPoint {
  /** As users import it: `haystack-ts`, `haystack-ts/client`, ... */
  readonly specifier: string;
  /** Absolute path of the `.ts` door in src/. */
  readonly source: string;
  /** File name of its report in api/. */
  readonly report: string;
}

interface ExportTarget {
  readonly import?: string;
}

/** `./dist/x/index.js` -> `src/x/index.ts`. */
function sourceOf(distPath: string): string {
  return path.join(REPO_ROOT, distPath.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
}

/** The entry points package.json declares, `./storage/*` expanded to every `src/storage/<name>/index.ts`. */
export function entryPoints(): EntryPoint[] {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    readonly name: string;
    readonly exports: Record<string, ExportTarget | string>;
  };
  const entries: EntryPoint[] = [];
  const add = (sub: string, dist: string): void => {
    const specifier = sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`;
    const report = `${specifier.replaceAll('/', '.')}.api.md`;
    entries.push({ specifier, source: sourceOf(dist), report });
  };
  for (const [sub, target] of Object.entries(pkg.exports)) {
    const dist = typeof target === 'string' ? target : target.import;
    if (dist === undefined || !dist.endsWith('.js')) continue;
    if (!sub.includes('*')) {
      add(sub, dist);
      continue;
    }
    const [prefix = ''] = dist.split('*');
    const dir = sourceOf(`${prefix}x.js`).slice(0, -'x.ts'.length);
    for (const name of readdirSync(dir, { withFileTypes: true })) {
      if (name.isDirectory() && existsSync(path.join(dir, name.name, 'index.ts'))) {
        add(sub.replace('*', name.name), dist.replace('*', name.name));
      }
    }
  }
  return entries.sort((a, b) => a.specifier.localeCompare(b.specifier));
}

const PRINTER = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

/** True for members users cannot reach: `private`, `#private`, and names starting with `_`. */
function isHidden(member: ts.ClassElement | ts.TypeElement): boolean {
  if (member.name !== undefined && ts.isPrivateIdentifier(member.name)) return true;
  const mods = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : [];
  return mods.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword);
}

/** A class member without its body or initializer; a property without a written type gets the inferred one. */
function memberSignature(member: ts.ClassElement, checker: ts.TypeChecker): ts.ClassElement | undefined {
  const f = ts.factory;
  const mods = ts.canHaveModifiers(member) ? publicModifiers(ts.getModifiers(member)) : undefined;
  if (ts.isMethodDeclaration(member)) {
    return f.updateMethodDeclaration(
      member,
      mods,
      member.asteriskToken,
      member.name,
      member.questionToken,
      member.typeParameters,
      withoutDefaults(member.parameters, checker),
      member.type,
      undefined,
    );
  }
  if (ts.isConstructorDeclaration(member)) {
    return f.updateConstructorDeclaration(member, mods, withoutDefaults(member.parameters, checker), undefined);
  }
  if (ts.isGetAccessorDeclaration(member)) {
    return f.updateGetAccessorDeclaration(member, mods, member.name, member.parameters, member.type, undefined);
  }
  if (ts.isSetAccessorDeclaration(member)) {
    return f.updateSetAccessorDeclaration(member, mods, member.name, member.parameters, undefined);
  }
  if (ts.isPropertyDeclaration(member)) {
    const type = member.type ?? typeNode(checker.getTypeAtLocation(member), member, checker);
    return f.updatePropertyDeclaration(member, mods, member.name, member.questionToken, type, undefined);
  }
  if (ts.isClassStaticBlockDeclaration(member) || ts.isSemicolonClassElement(member)) return undefined;
  return member;
}

/** Modifiers as a declaration file shows them: `async` is an implementation detail. */
function publicModifiers(mods: readonly ts.Modifier[] | undefined): ts.Modifier[] | undefined {
  return mods?.filter((m) => m.kind !== ts.SyntaxKind.AsyncKeyword);
}

/** True for the body of an overloaded function or method (callers see only the overload signatures). */
function isOverloadImplementation(decl: ts.FunctionLikeDeclaration, checker: ts.TypeChecker): boolean {
  if (decl.body === undefined) return false;
  const sym = decl.name === undefined ? undefined : checker.getSymbolAtLocation(decl.name);
  return (sym?.declarations ?? []).some((d) => d !== decl && ts.isFunctionLike(d) && !('body' in d && d.body));
}

/** An inferred type as a node; object types print one member a line, so a new member is a one-line diff. */
function typeNode(type: ts.Type, at: ts.Node, checker: ts.TypeChecker): ts.TypeNode | undefined {
  const node = checker.typeToTypeNode(type, at, ts.NodeBuilderFlags.NoTruncation | ts.NodeBuilderFlags.InTypeAlias);
  const multiline = (n: ts.Node): void => {
    if (ts.isTypeLiteralNode(n)) ts.setEmitFlags(n, ts.EmitFlags.MultiLine);
    ts.forEachChild(n, multiline);
  };
  if (node !== undefined) multiline(node);
  return node;
}

/** A parameter's default value, shown as `...` (the value is an implementation detail; that one exists is not). */
function withoutDefaults(
  params: ts.NodeArray<ts.ParameterDeclaration>,
  checker: ts.TypeChecker,
): ts.ParameterDeclaration[] {
  return params.map((p) =>
    ts.factory.updateParameterDeclaration(
      p,
      ts.getModifiers(p),
      p.dotDotDotToken,
      p.name,
      p.initializer === undefined ? p.questionToken : ts.factory.createToken(ts.SyntaxKind.QuestionToken),
      p.type ?? typeNode(checker.getTypeAtLocation(p), p, checker),
      undefined,
    ),
  );
}

/** One declaration as a signature: no bodies, no initializers, no private members, no comments. */
function declarationNode(decl: ts.Declaration, checker: ts.TypeChecker): ts.Node | undefined {
  const f = ts.factory;
  if (ts.isFunctionDeclaration(decl)) {
    // An implementation that has overloads is not callable by its own signature.
    if (isOverloadImplementation(decl, checker)) return undefined;
    return f.updateFunctionDeclaration(
      decl,
      publicModifiers(ts.getModifiers(decl)),
      decl.asteriskToken,
      decl.name,
      decl.typeParameters,
      withoutDefaults(decl.parameters, checker),
      decl.type ?? returnTypeNode(decl, checker),
      undefined,
    );
  }
  if (ts.isClassDeclaration(decl)) {
    const members = decl.members
      .filter((m) => !isHidden(m))
      .filter(
        (m) => !((ts.isMethodDeclaration(m) || ts.isConstructorDeclaration(m)) && isOverloadImplementation(m, checker)),
      )
      .map((m) => memberSignature(m, checker))
      .filter((m): m is ts.ClassElement => m !== undefined);
    return f.updateClassDeclaration(
      decl,
      ts.getModifiers(decl),
      decl.name,
      decl.typeParameters,
      decl.heritageClauses,
      members,
    );
  }
  if (ts.isVariableDeclaration(decl)) {
    const type = decl.type ?? typeNode(checker.getTypeAtLocation(decl), decl, checker);
    const isLet = ts.isVariableDeclarationList(decl.parent) && (decl.parent.flags & ts.NodeFlags.Let) !== 0;
    const flags = isLet ? ts.NodeFlags.Let : ts.NodeFlags.Const;
    return f.createVariableStatement(
      [f.createModifier(ts.SyntaxKind.ExportKeyword), f.createModifier(ts.SyntaxKind.DeclareKeyword)],
      f.createVariableDeclarationList([f.createVariableDeclaration(decl.name, undefined, type)], flags),
    );
  }
  return decl;
}

function returnTypeNode(decl: ts.FunctionDeclaration, checker: ts.TypeChecker): ts.TypeNode | undefined {
  const sig = checker.getSignatureFromDeclaration(decl);
  return sig === undefined ? undefined : typeNode(checker.getReturnTypeOfSignature(sig), decl, checker);
}

/** The report of one entry point: its exported names, sorted, each with the signatures of its declarations. */
function renderEntry(entry: EntryPoint, program: ts.Program): string {
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(entry.source);
  const moduleSymbol = file === undefined ? undefined : checker.getSymbolAtLocation(file);
  if (file === undefined || moduleSymbol === undefined) throw new Error(`no module at ${entry.source}`);
  const exported = checker.getExportsOfModule(moduleSymbol).sort((a, b) => a.name.localeCompare(b.name));
  const blocks: string[] = [];
  for (const sym of exported) {
    const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
    const lines: string[] = [];
    for (const decl of target.declarations ?? []) {
      const node = declarationNode(decl, checker);
      if (node === undefined) continue;
      lines.push(PRINTER.printNode(ts.EmitHint.Unspecified, node, decl.getSourceFile()).trim());
    }
    // Renamed re-exports (`RowWriter as ZincRowWriter`) say so; the declaration keeps its own name.
    const heading = target.name === sym.name ? sym.name : `${sym.name} (declared as ${target.name})`;
    blocks.push(`### ${heading}\n\n\`\`\`ts\n${lines.join('\n')}\n\`\`\``);
  }
  return [
    `# API report: \`${entry.specifier}\``,
    '',
    `<!-- Generated from ${path.relative(REPO_ROOT, entry.source)} by \`${API_COMMAND}\`; do not edit by hand. -->`,
    '',
    `${exported.length} exported names.`,
    '',
    ...blocks.flatMap((b) => [b, '']),
  ].join('\n');
}

/** Every report, by file name in api/. */
export function renderApiReports(): Map<string, string> {
  const entries = entryPoints();
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(REPO_ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (config === undefined) throw new Error('tsconfig.json not readable');
  const program = ts.createProgram({
    rootNames: entries.map((e) => e.source),
    options: { ...config.options, noEmit: true },
  });
  return new Map(entries.map((e) => [e.report, renderEntry(e, program)]));
}

/** The reports now in api/, by file name. */
export function readApiReports(): Map<string, string> {
  if (!existsSync(API_DIR)) return new Map();
  const files = readdirSync(API_DIR).filter((f) => f.endsWith('.api.md'));
  return new Map(files.map((f) => [f, readFileSync(path.join(API_DIR, f), 'utf8')]));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(API_DIR, { recursive: true });
  const reports = renderApiReports();
  for (const stale of readApiReports().keys()) if (!reports.has(stale)) rmSync(path.join(API_DIR, stale));
  for (const [file, text] of reports) writeFileSync(path.join(API_DIR, file), text);
  for (const [file, text] of reports) console.log(`${file}: ${/^(\d+) exported names/m.exec(text)?.[1] ?? '?'} names`);
}
