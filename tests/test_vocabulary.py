"""One vocabulary (issue 25): every Chinese and English word the build writes is in one place.

* Every entry of ``book.vocabulary.WORDS`` has a Chinese and an English text, with the same
  ``str.format`` fields in both; every pattern of ``ZH_PHRASES`` compiles.
* No other module of the build (``book/``, ``scripts/``) holds a Chinese string literal or a
  ``{"zh": ..., "en": ...}`` dict: it names its words by a key of the vocabulary
  (``word(key, lang)``, ``label(key)``). Docstrings and comments may show Chinese.

Fast: it reads the modules' source, it imports nothing but ``book.vocabulary``.
"""

import ast
import re
import string
from pathlib import Path

import pytest

from book.vocabulary import WORDS, ZH_PHRASES

ROOT = Path(__file__).resolve().parents[1]
VOCABULARY = ROOT / "book" / "vocabulary.py"
#: Chinese characters and the full-width punctuation that goes with them (，：（）《》 ...).
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
LANG_KEYS = {"zh", "en"}

#: Modules that may hold words of their own, and why (none now); an entry whose module is clean
#: (or gone) fails the test.
EXEMPT: dict[str, str] = {}


def build_modules() -> list[str]:
    """Every module of the build but the vocabulary, as paths from the repository's root."""
    paths = [*(ROOT / "book").rglob("*.py"), *(ROOT / "scripts").rglob("*.py")]
    return sorted(p.relative_to(ROOT).as_posix() for p in paths if p != VOCABULARY)


def own_words(source: str) -> list[str]:
    """Where ``source`` writes words of its own: Chinese string literals (docstrings and other
    bare strings aside) and dicts keyed by language, as ``line N: ...``."""
    tree = ast.parse(source)
    bare = {  # docstrings, and the parts of an f-string (the f-string is checked whole)
        id(part)
        for node in ast.walk(tree)
        for part in ([node.value] if isinstance(node, ast.Expr) else getattr(node, "values", []))
        if isinstance(node, (ast.Expr, ast.JoinedStr)) and isinstance(part, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Constant, ast.JoinedStr)) and id(node) not in bare:
            values = node.values if isinstance(node, ast.JoinedStr) else [node]
            if not any(isinstance(v.value, str) and CHINESE.search(v.value) for v in values):
                continue  # quick: no Chinese in the value, so none in the source either
            segment = ast.get_source_segment(source, node) or ""  # not from escapes: \u4e00
            if CHINESE.search(segment):
                found.append(f"line {node.lineno}: Chinese text {segment[:40]}")
        elif isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            if keys & LANG_KEYS:
                found.append(f"line {node.lineno}: a dict keyed by language")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "dict":
            if {k.arg for k in node.keywords} & LANG_KEYS:
                found.append(f"line {node.lineno}: a dict keyed by language")
    return found


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("key", sorted(WORDS))
def test_every_word_has_both_languages(key):
    pair = WORDS[key]
    assert set(pair) == LANG_KEYS, f"{key}: has {sorted(pair)}, wants zh and en"
    assert all(isinstance(pair[lang], str) and pair[lang].strip() for lang in LANG_KEYS), (
        f"{key}: an empty text"
    )
    assert fields(pair["zh"]) == fields(pair["en"]), (
        f"{key}: the languages fill different fields: zh {sorted(fields(pair['zh']))}, "
        f"en {sorted(fields(pair['en']))}"
    )


def test_the_chinese_phrases_compile():
    for pattern, replacement in ZH_PHRASES:
        re.compile(pattern)
        assert isinstance(replacement, str) and replacement.strip(), pattern


def test_the_check_finds_what_it_should():
    assert own_words('"""文档。"""\nx = 1  # 注释\n') == []
    assert len(own_words('x = "本书"\n')) == 1
    assert len(own_words('x = f"{n} 轮"\n')) == 1
    assert len(own_words('x = {"zh": a, "en": b}\n')) == 1
    assert len(own_words("x = dict(zh=a, en=b)\n")) == 1
    assert own_words('x = "\\u4e00-\\u9fff"\n') == []  # a range of characters, not words


@pytest.mark.parametrize("module", build_modules())
def test_no_module_of_the_build_has_words_of_its_own(module):
    found = own_words((ROOT / module).read_text(encoding="utf-8"))
    if module in EXEMPT:
        assert found, f"{module} has no words of its own any more: take it off EXEMPT"
        pytest.skip(f"{module}: {EXEMPT[module]}")
    assert not found, (
        f"{module} writes words of its own; put them in book/vocabulary.py and name them by "
        "key (word(), label()):\n" + "\n".join(found)
    )


def test_every_exempt_module_exists():
    missing = sorted(set(EXEMPT) - set(build_modules()))
    assert not missing, f"EXEMPT names modules that are gone: {missing}"
