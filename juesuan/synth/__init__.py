"""Synthetic 部门决算 disclosures with exact ground truth, for testing the parser end to end.

``python -m juesuan.synth --out DIR --count N --seed S`` writes N PDFs, each with a ``.truth.json`` beside it
in the ``documents`` / ``facts`` / ``narrative_figures`` shapes of the warehouse contract. Generation is
deterministic: the same arguments give the same bytes.
"""

from juesuan.synth.corpus import generate_corpus, generate_document

__all__ = ["generate_corpus", "generate_document"]
