"""newsbench.baselines: the extractor protocol and the built-in baseline extractors."""

from newsbench.baselines.base import (
    BUILTIN,
    Extractor,
    ExtractorUnavailable,
    SourceDocument,
    import_extractor_class,
)

__all__ = [
    "BUILTIN",
    "Extractor",
    "ExtractorUnavailable",
    "SourceDocument",
    "import_extractor_class",
]
