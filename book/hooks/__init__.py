"""The MkDocs hooks of the site (mkdocs.yml, ``hooks:``), and the snippet reader they share.

* :mod:`book.hooks.notebooks`: every chapter becomes a notebook, with links to it under the
  chapter's title.
* :mod:`book.hooks.pages`: fixes to the rendered HTML (wrapped Chinese lines, a rendered
  notebook's contents and language switcher, the head's alternate links).
* :mod:`book.hooks.vendor`: MathJax and ONNX Runtime Web copied from npm into the site.
* :mod:`book.hooks.snippets`: the ``--8<--`` lines, read as the site reads them; the notebooks
  and the tests use it.

MkDocs loads a hook from its file, not as a module of this package: a hook that imports from
``book`` puts the repository's root on ``sys.path`` first (MkDocs restores the path after
loading the file).
"""
