-- 028_summary_set_shape: a summary set's arrays stay parallel (025), now
-- stated to the database. leaf_summaries expands the arrays side by side
-- in its select list, where arrays of unequal length would pad the short
-- ones with NULLs instead of failing: a figure would silently go missing.
-- Every writer (025's trigger functions) builds all seven in one pass, so
-- this holds for every stored set; the constraint makes any other writer,
-- a hand-written repair included, fail loudly instead. Checked when a row
-- is written, before its arrays are compressed: no reads of stored sets.

ALTER TABLE leaf_summary_sets ADD CONSTRAINT leaf_summary_sets_parallel CHECK (
  cardinality(n) = cardinality(codes) AND cardinality(total) = cardinality(codes)
  AND cardinality(low) = cardinality(codes) AND cardinality(high) = cardinality(codes)
  AND cardinality(latest) = cardinality(codes)
  AND cardinality(latest_start) = cardinality(codes));
