/** A column of a table printed in a PDF: its heading, its width in points, and how its cells align (left by default). */
export type PdfColumn = { title: string; width: number; align?: 'left' | 'right' };

/**
 * Prints a table into a pdfkit document at the cursor: the headings in bold, then one row per
 * line, each as tall as its tallest cell and ruled below; a row that would run off the page
 * starts the next one, under the headings again.
 */
export function drawPdfTable(doc: PDFKit.PDFDocument, columns: PdfColumn[], rows: string[][], fontSize: number) {
  const left = doc.page.margins.left;
  const drawRow = (cells: string[], bold: boolean) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(fontSize);
    const heights = cells.map((cell, index) => doc.heightOfString(cell, { width: columns[index]!.width - 6 }));
    const height = Math.max(...heights) + 4;
    if (doc.y + height > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      if (!bold)
        drawRow(
          columns.map((column) => column.title),
          true,
        );
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(fontSize);
    }
    const y = doc.y;
    let x = left;
    cells.forEach((cell, index) => {
      doc.text(cell, x, y + 2, { width: columns[index]!.width - 6, align: columns[index]!.align ?? 'left' });
      x += columns[index]!.width;
    });
    doc
      .moveTo(left, y + height)
      .lineTo(x, y + height)
      .lineWidth(0.3)
      .strokeColor('#999999')
      .stroke();
    doc.x = left;
    doc.y = y + height;
  };
  drawRow(
    columns.map((column) => column.title),
    true,
  );
  for (const row of rows) drawRow(row, false);
  doc.fillColor('black').strokeColor('black').moveDown(0.6);
}
