import { StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';
import { attachmentDisposition, EXPORT_CONTENT_TYPES, ExportFormat } from '../odata/tabular';

/**
 * One chunk waits at most (each is many records), so the next records are read only when the
 * client has taken the last ones: a large answer costs memory for a chunk, not for the answer.
 */
const ONE_CHUNK_AHEAD = { highWaterMark: 1 } as const;

/** A body of `type` written as its chunks come (a JSON answer too large to build first). */
export function streamedAnswer(chunks: AsyncIterable<string>, type: string): StreamableFile {
  return new StreamableFile(Readable.from(chunks, ONE_CHUNK_AHEAD), { type });
}

/** A CSV or NDJSON file to save as `name` (its extension added), written as its chunks come. */
export function downloadAnswer(
  chunks: AsyncIterable<string>,
  format: ExportFormat,
  name: string,
): StreamableFile {
  return new StreamableFile(Readable.from(chunks, ONE_CHUNK_AHEAD), {
    type: EXPORT_CONTENT_TYPES[format],
    disposition: attachmentDisposition(name, format),
  });
}
