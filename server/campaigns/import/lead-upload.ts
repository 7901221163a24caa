/**
 * The multipart upload of a lead CSV: busboy streams the one `file` field straight into the importer, so an
 * upload never sits in memory. Other fields are ignored; no file is a 400, a file over 200 MB a 413.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../errors.ts';
import { CsvHeaderError } from './lead-csv.ts';

const MAX_FILE_BYTES = 200 * 1024 * 1024;

export function readUpload<T>(req: IncomingMessage, consume: (file: Readable) => Promise<T>): Promise<T> {
  if (!String(req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data')) throw new UnsupportedMediaTypeError('multipart/form-data');
  return new Promise<T>((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 1, fileSize: MAX_FILE_BYTES } });
    } catch (err) {
      return reject(new BadRequestError(`malformed multipart body: ${(err as Error).message}`));
    }
    let work: Promise<T> | null = null;
    bb.on('file', (name, file) => {
      if (name !== 'file' || work) return void file.resume();
      // busboy truncates at the limit; an import of part of a file must fail, not look complete.
      file.on('limit', () => file.destroy(new PayloadTooLargeError(MAX_FILE_BYTES)));
      work = consume(file);
      work.catch(() => file.resume());
    });
    bb.on('error', (err) => reject(new BadRequestError(`malformed multipart body: ${(err as Error).message}`)));
    bb.on('close', () => {
      if (!work) return reject(new BadRequestError('没有 CSV 文件：请以 multipart 字段 "file" 上传 No CSV file: send it as the multipart field "file"', [{ path: 'body.file', message: 'required' }]));
      work.then(resolve, (err: unknown) => reject(err instanceof CsvHeaderError ? new BadRequestError(err.message, [{ path: 'body.file', message: err.message }]) : err));
    });
    req.pipe(bb);
  });
}
