"""Getting data into and out of a project: the pipelines around the formats. Import: the folder walk with layout
detection and incremental re-import, annotation files (finding them, telling their format, storing what they say),
mask images, the rules for what a re-import may replace. Export: the dispatch over every registered format
(:mod:`.export_formats`) and the augmented copies, which are no format. The readers and writers of each format live in
``formats``. May import the top-level modules of ``core``, ``formats``, ``store``, ``editing`` and ``boxes``; never
``cleaning`` or the demo."""
