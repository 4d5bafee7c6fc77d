"""The product without Qt or TensorFlow: what the command line, the app and the models all use.

Subpackages, by concern (each one's docstring says what it owns and what it may import; tests/unit/test_layering.py
enforces it):

- ``store/``     the project database: schema and migrations, integrity, backups, relocation, the file-move
  journal, records, and the tables for masks, training runs and image features
- ``formats/``   reading annotation files, one module per format (VOC, YOLO, COCO, labelme, CVAT, Label Studio,
  CreateML, CIFAR, class folders, mask images), the record every reader returns and the checks on untrusted values
- ``transfer/``  import and export pipelines: folder walk, annotation and mask import, re-import rules, staging,
  the export dispatch and the writers
- ``cleaning/``  fingerprints, pair search, look-alikes, duplicate decisions, the split
- ``editing/``   undoable commands, mask edits, the class list, review memory, the reviewed work for training
- ``boxes/``     box search on binary maps and heatmaps (exact and Bayesian)

Beside them, modules every subpackage may use and which import no subpackage: ``images`` (reading images safely),
``jobs`` (progress and cancel tokens), ``batches`` (read-ahead batches), ``fsutil`` (atomic writes, safe names),
``durability`` (fsync), ``confine`` (no path leads out of a project), ``labels_rule`` (what a label may be); and the
modules that use the subpackages (the built-in demo: ``demo``, ``demo_annotations``; the dataset map and likely
mistakes: ``dataset_map``, ``mistakes``), which nothing in a subpackage imports.
"""
