"""Shared test helpers (inputs, generated corpora, truth and parse comparisons); imported as ``helpers.…``,
never from another test module."""
