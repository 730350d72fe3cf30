"""From a file to a checked person-level table: reading (in memory), workbook guard,
validation, column mapping, the trial specification, crimes extracts."""
