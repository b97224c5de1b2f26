/** A column of a table printed in a PDF: its heading and its width in points. */
export type PdfColumn = { title: string; width: number };

/**
 * Prints a table into a pdfkit document at the cursor: the headings in bold, then one row per
 * line, each row as tall as its tallest cell, a new page when the row would run off this one.
 */
export function drawPdfTable(doc: PDFKit.PDFDocument, columns: PdfColumn[], rows: string[][], fontSize: number) {
  const drawRow = (cells: string[], bold: boolean) => {
    if (doc.y > doc.page.height - 60) doc.addPage();
    const y = doc.y;
    let x = doc.page.margins.left;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(fontSize);
    const heights = cells.map((cell, index) => doc.heightOfString(cell, { width: columns[index]!.width - 4 }));
    cells.forEach((cell, index) => {
      doc.text(cell, x, y, { width: columns[index]!.width - 4 });
      x += columns[index]!.width;
    });
    doc.x = doc.page.margins.left;
    doc.y = y + Math.max(...heights) + 3;
  };
  drawRow(
    columns.map((column) => column.title),
    true,
  );
  for (const row of rows) drawRow(row, false);
}
