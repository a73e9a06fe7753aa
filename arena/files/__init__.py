"""Battle files in and out: the column schema of the exports (schema), writing them (export),
reading files (read), what a file must pass (checks, rows), the import into the store
(importer), and the formula rule of every CSV the arena writes (spreadsheet)."""
