"""Reading annotation files written by other tools, one module per format: Pascal VOC, YOLO (darknet, labelImg,
ultralytics, keras-yolo3 lines), COCO, labelme, CVAT, Label Studio, CreateML, CIFAR batches, class folders and mask
images; with the record every reader returns (:mod:`.annotations`), the checks made on values from outside before
anything is converted (:mod:`.validate`) and mask regions as interchange formats write them (:mod:`.regions`). The
writers of the same formats live in ``transfer``. May import the top-level modules of ``core`` only (images,
confine, labels_rule, ...); never ``store``, ``editing``, ``cleaning``, ``transfer``, ``boxes`` or the demo."""
