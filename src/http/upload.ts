import { z } from '@hono/zod-openapi';
import { DomainError, ValidationError } from '../errors.ts';

/** The uploaded file, sent raw (text/csv) or as the `file` field of a form (multipart/form-data). */
export async function uploadedFile(request: Request, defaultName: string): Promise<{ filename: string; content: Uint8Array }> {
  const type = request.headers.get('content-type') ?? '';
  if (type.startsWith('multipart/form-data')) {
    const form = await request.formData().catch(() => {
      throw new DomainError(400, 'malformed_request', 'The form could not be read.');
    });
    const file = form.get('file');
    if (!(file instanceof File)) throw new ValidationError([{ path: 'file', message: 'Attach the CSV file in the field "file".' }]);
    return { filename: file.name || defaultName, content: new Uint8Array(await file.arrayBuffer()) };
  }
  if (type.startsWith('text/csv') || type.startsWith('text/plain') || type.startsWith('application/octet-stream')) {
    const filename = request.headers.get('x-filename') ?? defaultName;
    return { filename, content: new Uint8Array(await request.arrayBuffer()) };
  }
  throw new DomainError(415, 'unsupported_media_type', 'Send the file as text/csv, or as the field "file" of a multipart form.');
}

const fileContent = z.string().openapi({ format: 'binary' });

/**
 * The OpenAPI description of an uploaded file: its raw media types. A form's `file` field is said
 * in the route's summary only: declared here, the form would be parsed before uploadedFile reads it.
 */
export const uploadedFileBody = (...mediaTypes: ('text/csv' | 'text/plain')[]) => ({
  required: true,
  content: Object.fromEntries(mediaTypes.map((type) => [type, { schema: fileContent }])),
});
