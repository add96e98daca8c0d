"""The domain: plain functions named by verbs.

A service takes the acting user as a parameter, does the work, writes the
timeline event in the same transaction, flushes and never commits: the caller
(a view, the CLI, a test) commits once. Services never touch `request`,
`session` or `current_user`.
"""
