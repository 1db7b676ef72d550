/**
 * `quire-server import --doc NAME --file F [--format text|yjs]`: seeds a document exactly once,
 * with the semantics of POST /api/docs (http/api/docs-collection.ts): created when nothing is
 * stored under the name, refused (exit 1, nothing changed) when it exists — stored by anyone,
 * opened by an editor, or deleted and still restorable. Through a running server (--server) or
 * into a data directory no server has open (--data).
 */
import { readFileSync } from 'node:fs';
import {
  CommandFailure,
  CommandUsageError,
  defineCommand,
  resolveTarget,
  TARGET_OPTIONS,
  TARGET_USAGE,
} from './command-line.js';
import { openDocumentAccess } from './document-access.js';
import { DOC_FORMATS, type DocContent, type DocFormat } from './document-formats.js';
import { documentName } from './export-command.js';
import { errorMessage } from '../log.js';

export const IMPORT_USAGE = `Usage: quire-server import --doc <name> --file <file> [--format text|yjs] [where]

Creates a document from a file, exactly once: refused (exit 1) when the name exists.

Options:
  --doc <name>         the document to create
  --file <file>        what to seed it with
  --format <f>         text: UTF-8 text, becomes the editor text; yjs: a whole Yjs state
                       (from \`export --format yjs\`)     default yjs for *.yjs files, else text
  -h, --help           show this help

${TARGET_USAGE}
A data directory is written only while no server has it open (else: use --server).
`;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export const runImportCommand = defineCommand(
  'import',
  {
    ...TARGET_OPTIONS,
    doc: { type: 'string' },
    file: { type: 'string' },
    format: { type: 'string' },
  },
  IMPORT_USAGE,
  async (v, env, io) => {
    const problems: string[] = [];
    const target = resolveTarget(v, env, problems);
    if (v.doc === undefined) problems.push('--doc <name> is required: the document to create');
    if (v.file === undefined) problems.push('--file <file> is required: what to seed it with');
    const format = (v.format ?? (v.file?.endsWith('.yjs') ? 'yjs' : 'text')) as DocFormat;
    if (!DOC_FORMATS.includes(format)) {
      problems.push(`--format "${v.format}" must be one of ${DOC_FORMATS.join(', ')}`);
    }
    const name = v.doc === undefined ? '' : documentName(v.doc, problems);
    let bytes: Buffer | null = null;
    if (v.file !== undefined) {
      try {
        bytes = readFileSync(v.file);
      } catch (error) {
        problems.push(`--file ${v.file}: cannot read it (${errorMessage(error)})`);
      }
    }
    if (problems.length > 0 || bytes === null) throw new CommandUsageError(problems.join('\n'));
    const content = contentOf(bytes, format);
    const access = await openDocumentAccess(target, 'write', io);
    try {
      if ((await access.create(name, content)) === 'exists') {
        throw new CommandFailure(
          `"${name}" exists (stored, opened by an editor, or deleted and restorable): nothing changed`,
        );
      }
      io.stdout.write(`imported "${name}" from ${v.file} (${bytes.length} bytes, ${format})\n`);
    } finally {
      await access.close();
    }
  },
);

function contentOf(bytes: Buffer, format: DocFormat): DocContent {
  if (format === 'yjs') return { format, update: new Uint8Array(bytes) };
  try {
    return { format, text: utf8.decode(bytes) };
  } catch {
    throw new CommandFailure('the file is not UTF-8 text; for a Yjs state use --format yjs');
  }
}
