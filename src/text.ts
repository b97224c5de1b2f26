/** Postgres text holds neither NUL nor half of a UTF-16 surrogate pair: such text is refused as input, never sent. */
export const isStorableText = (value: string) => !value.includes('\u0000') && value.isWellFormed();
