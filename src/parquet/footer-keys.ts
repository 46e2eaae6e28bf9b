/** Parquet key-value metadata keys lakevault writes into every data file's footer. */
export const META_DIGEST = 'lakevault.digest';
export const META_COLUMN_DIGESTS = 'lakevault.column_digests';
export const META_ROW_GROUP_DIGESTS = 'lakevault.row_group_digests';
export const META_ROWS = 'lakevault.rows';
