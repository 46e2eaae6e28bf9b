/** The bounds `table create` accepts (the CLI checks flags against them before loading any table code). */
export const MAX_ROWS = 1_000_000_000;
export const MAX_ROWS_PER_FILE = 2_000_000;
