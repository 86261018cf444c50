"""Specifications in plain words ("27 inch", "16gb ram", "with hdmi") as attribute constraints
learned from the catalog's own attributes and titles."""

from __future__ import annotations

from retrieval.specs.constraint import SpecConstraint, SpecKind
from retrieval.specs.masks import SpecMasks
from retrieval.specs.parser import SpecParse, SpecParser
from retrieval.specs.vocabulary import SpecVocabulary

__all__ = ["SpecConstraint", "SpecKind", "SpecMasks", "SpecParse", "SpecParser",
           "SpecVocabulary"]
