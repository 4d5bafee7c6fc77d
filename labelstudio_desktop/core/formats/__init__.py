"""The file formats, one module per format with its reader and its writer together, each registering itself with
import and export (:mod:`.registry`; :mod:`.catalog` imports them all): Pascal VOC, YOLO (darknet, labelImg,
ultralytics, keras-yolo3 lines), COCO, labelme, CVAT, Label Studio, CreateML, mask sets (VOC segmentation), crops;
CIFAR batches and class folders are read only. Beside them: the record every reader returns (:mod:`.annotations`),
mask regions as interchange formats write them (:mod:`.regions`), and what every writer shares (:mod:`.writing`:
the report, the images an export reads, file ids, the overwrite check; :mod:`.staging`: an export killed part-way
leaves nothing half-written). The pipelines that run them (folder walk, annotation import, export dispatch) live in
``transfer``. May import the top-level modules of ``core`` (images, validate, fsutil, ...), ``store``, ``editing``
(the class list) and ``boxes``; never ``cleaning``, ``transfer`` or the demo."""
