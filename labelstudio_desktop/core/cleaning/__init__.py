"""Cleaning a dataset: per-file fingerprints (bytes, pixels, perceptual hashes), the exact pair search
over them, look-alike pairs from image features, the duplicate finder (copies, near duplicates, label conflicts,
split leaks), resolving duplicates as undoable commands, and the train/val/test split that keeps duplicate groups
together. May import the top-level modules of ``core``, ``store`` and ``editing``; never ``formats``, ``transfer``,
``boxes`` or the demo."""
