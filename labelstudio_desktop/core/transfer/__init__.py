"""Getting data into and out of a project. Import: the folder walk with layout detection and
incremental re-import, annotation files (finding them, telling their format, storing what they say), mask images,
the rules for what a re-import may replace. Export: the dispatch over every format, staged so an export killed
part-way leaves nothing half-written, and the writers of each format. The readers themselves live in ``formats``.
May import the top-level modules of ``core``, ``formats``, ``store``, ``editing`` and ``boxes``; never
``cleaning`` or the demo."""
