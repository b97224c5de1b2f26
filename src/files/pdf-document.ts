/**
 * A new PDF document. pdfkit, with its fonts and font parsers, weighs 7 MB of the API's heap: it
 * is loaded by the first PDF a process renders, not by every process at start (an API that only
 * scans and moves devices never needs it, and its heap cap is sized for its requests).
 */
export async function newPdfDocument(options: PDFKit.PDFDocumentOptions): Promise<PDFKit.PDFDocument> {
  const { default: PDFDocument } = await import('pdfkit');
  return new PDFDocument(options);
}
