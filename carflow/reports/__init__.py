"""Reports (issue 16): the roll-up that keeps them fast, the dashboard's figures, exports.

- `facts`: what one lead contributes to the roll-up (a pure function of its rows);
- `rollup`: keeping the roll-up equal to the sum of those contributions, in the same
  transaction as every change (session hooks), and rebuilding it from scratch;
- `filters`: the dashboard's filters (period, branch, owner, type, source) and scoping;
- `queries` / `figures`: the dashboard's few grouped queries and the figures built on them.
"""
