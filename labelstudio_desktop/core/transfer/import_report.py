"""What an import did: counts of images added, refreshed, unchanged, restored and gone missing, what the annotation
files and masks gave, and every file's problem (:class:`Problem`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .annotation_import import AnnotationCounts
from .mask_import import MaskCounts


@dataclass
class Problem:
    path: str
    severity: str  # "error": not imported; "warning": imported with a problem; "mask": mask file not used
    reason: str


@dataclass
class ImportReport:
    format: str
    added: int = 0
    refreshed: int = 0
    unchanged: int = 0
    missing: int = 0
    restored: int = 0
    boxes: int = 0
    masks: MaskCounts | None = None  # None when the import had no mask source
    annotations: AnnotationCounts | None = None  # None when the import read no annotation file
    problems: list[Problem] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.added + self.refreshed + self.unchanged + self.restored

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def as_dict(self) -> dict:
        return {
            "format": self.format, "added": self.added, "refreshed": self.refreshed,
            "unchanged": self.unchanged, "missing": self.missing, "restored": self.restored,
            "boxes": self.boxes, "masks": self.masks.as_dict() if self.masks else None,
            "annotations": self.annotations.as_dict() if self.annotations else None,
            "problems": [p.__dict__ for p in self.problems],
        }
