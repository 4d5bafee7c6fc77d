"""The project store: one SQLite database per project and everything that keeps it safe. The schema and its
migrations, the records read back from it (checked values, database errors told by their codes), opening it safely
(integrity check, lock, read-only fallback), rolling backups and restore, paths kept relative so a project can move,
the journal of moved image files, what a received project holds that the confinement rule refuses, and the tables
other parts fill: masks, training runs, image features. May import the top-level modules of ``core`` only (its
value checks are :mod:`..validate`); never ``formats``, ``editing``, ``cleaning``, ``transfer``, ``boxes`` or the
demo."""
