"""Imports of contacts and stock from CSV or XLSX (issue 17 item 4).

`reader` streams a stored file's rows; `fields` knows the columns (header names in
English, French and Dutch) and reads each value; `matching` finds the existing contact
or vehicle a row is about; `services` are the steps (upload, check, import) and `job`
runs the checking and importing passes in batches on the job queue.
"""
