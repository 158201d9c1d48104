"""Bulk upload of listings: a CSV, a ZIP of CSVs or an XLSX in the sheet layout of the e-Katalog spec.

`sheet` defines the columns, `reader` opens the files, `checks` validates rows, `template` writes the blank
template, `services` holds the use cases (upload, validate, decide, import) that the pages, the API and the tasks
call.
"""
