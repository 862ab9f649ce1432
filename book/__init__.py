"""book: the build of *Image Classification with Keras 3*, beside the reader's library.

``companion`` (src/companion, shipped in the wheel) holds only what the chapters' code
imports. This package holds what builds the book from it and is never installed with it:
result records and provenance (``results``), recipes and budgets (``recipes``), the
experiment lock (``lock``), the browser export and sprites (``export``, ``sprite``), the
figures only the build draws (``architecture``, ``visualize_training``), the chapters'
experiments (``experiments``), run by ``scripts/build_figures.py``, the MkDocs hooks
(``hooks``: notebooks, fixes to the pages, vendored JavaScript, the ``--8<--`` reader the tests
share) and every Chinese and English word the build writes (``vocabulary``).

It is imported from the repository's root (the tests, scripts and hooks put it on ``sys.path``);
``companion`` never imports it (tests/test_layout.py checks that).
"""
