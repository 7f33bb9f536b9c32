"""Downloads of indicator 4.4: CSV (UTF-8 with BOM), XLSX and the printable A4 report."""
