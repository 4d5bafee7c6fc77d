"""The operator's edits and what they amount to. Undoable commands (every edit has an exact undo), the
pixel operations of the mask tools, the project's class list, the review's memory (the rules every proposal round
obeys), and what the reviewed work is for training (which task one-click Retrain acts on, what a task still lacks).
May import the top-level modules of ``core``, ``store`` and ``boxes``; never ``formats``, ``cleaning``,
``transfer`` or the demo."""
