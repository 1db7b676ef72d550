/**
 * `quire-server export`: one document, or all of them, as editor text or Yjs state.
 *   export --doc NAME [--format text|yjs] [--to FILE]   to stdout without --to
 *   export --all --to DIR [--format text|yjs]            one file per document + a manifest
 * against a running server (--server) or a data directory (--data; safe while a server runs).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalDocName, isQuireError } from '@quire/shared';
import {
  CommandFailure,
  CommandUsageError,
  defineCommand,
  resolveTarget,
  type CommandIo,
  TARGET_OPTIONS,
  TARGET_USAGE,
} from './command-line.js';
import { openDocumentAccess } from './document-access.js';
import { DOC_FORMATS, type DocFormat } from './document-formats.js';
import { writeFileAtomic } from './atomic-file.js';
import { encodeDocumentName } from './file-names.js';

/** Written beside the exported files: which file holds which document. */
export const EXPORT_MANIFEST = 'quire-export.json';
export const FILE_EXTENSIONS: Record<DocFormat, string> = { text: '.txt', yjs: '.yjs' };

export const EXPORT_USAGE = `Usage: quire-server export --doc <name> [--format text|yjs] [--to <file>] [where]
       quire-server export --all --to <dir> [--format text|yjs] [where]

Writes a document (to stdout without --to), or every document, one file each.

Options:
  --doc <name>         the document to export
  --all                every document (that the token may read), into --to <dir>
  --format <f>         text: the editor text, UTF-8; yjs: the whole Yjs state (every
                       shared type), for \`import --format yjs\`          default text
  --to <path>          the file (with --doc) or directory (with --all) to write; files are
                       replaced whole (written aside, then renamed)
  -h, --help           show this help
With --all, each file is named after its document, percent-encoded (%XX for every byte but
a-z 0-9 _ - .), plus .txt or .yjs; ${EXPORT_MANIFEST} lists every file with its document.

${TARGET_USAGE}
A data directory is read safely while a server runs on it.
`;

interface ExportArgs {
  doc?: string;
  all: boolean;
  format: DocFormat;
  to?: string;
}

export const runExportCommand = defineCommand(
  'export',
  {
    ...TARGET_OPTIONS,
    doc: { type: 'string' },
    all: { type: 'boolean' },
    format: { type: 'string' },
    to: { type: 'string' },
  },
  EXPORT_USAGE,
  async (values, env, io) => {
    const problems: string[] = [];
    const target = resolveTarget(values, env, problems);
    const args = exportArgs(values, problems, io.stdout.isTTY === true);
    if (problems.length > 0) throw new CommandUsageError(problems.join('\n'));
    const access = await openDocumentAccess(target, 'read', io);
    try {
      if (args.all) {
        const dir = args.to!;
        mkdirSync(dir, { recursive: true });
        const documents: { name: string; file: string; bytes: number }[] = [];
        for await (const name of access.names()) {
          const content = await access.read(name, args.format);
          if (content === null) continue; // deleted since it was listed
          const file = encodeDocumentName(name) + FILE_EXTENSIONS[args.format];
          writeFileAtomic(join(dir, file), content);
          documents.push({ name, file, bytes: content.length });
        }
        const manifest = { format: args.format, exportedAt: new Date().toISOString(), documents };
        writeFileAtomic(join(dir, EXPORT_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
        io.stdout.write(`exported ${documents.length} document(s) to ${dir}\n`);
        return;
      }
      const content = await access.read(args.doc!, args.format);
      if (content === null) throw new CommandFailure(`there is no document "${args.doc}"`);
      if (args.to === undefined) {
        await writeStdout(io, content);
      } else {
        writeFileAtomic(args.to, content);
        io.stdout.write(`exported "${args.doc}" (${content.length} bytes) to ${args.to}\n`);
      }
    } finally {
      await access.close();
    }
  },
);

function exportArgs(
  values: { doc?: string; all?: boolean; format?: string; to?: string },
  problems: string[],
  stdoutIsTty: boolean,
): ExportArgs {
  const format = (values.format ?? 'text') as DocFormat;
  if (!DOC_FORMATS.includes(format)) {
    problems.push(`--format "${values.format}" must be one of ${DOC_FORMATS.join(', ')}`);
  }
  const all = values.all ?? false;
  if (all === (values.doc !== undefined)) {
    problems.push('give either --doc <name> (one document) or --all (every document)');
  }
  if (all && values.to === undefined) {
    problems.push('--all needs --to <dir>, the directory to write the files into');
  }
  if (!all && values.to === undefined && format === 'yjs' && stdoutIsTty) {
    problems.push('--format yjs is binary: add --to <file>, or redirect stdout to a file');
  }
  const args: ExportArgs = { all, format };
  if (values.doc !== undefined) args.doc = documentName(values.doc, problems);
  if (values.to !== undefined) args.to = values.to;
  return args;
}

/** The canonical form of a name given on the command line (as the server would take it). */
export function documentName(raw: string, problems: string[]): string {
  try {
    return canonicalDocName(raw);
  } catch (error) {
    problems.push(
      `--doc "${raw}": ${isQuireError(error) ? error.message : String(error)} ` +
        '(letters, digits, . _ - in up to 8 /-separated segments)',
    );
    return raw;
  }
}

function writeStdout(io: CommandIo, content: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    io.stdout.write(content, (error) => (error ? reject(error) : resolve()));
  });
}
