"""The translations of an addon against what Odoo extracts from its code and data today."""

import re
from pathlib import Path

import polib

from odoo.tools.translate import TranslationModuleReader

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("zh_CN", "zh_TW")


def untranslated(env, module):
    """{file name: sorted msgids}: the terms Odoo extracts from ``module`` that its .pot lacks,
    that a language's .po leaves untranslated (or translates with other placeholders), or
    whose .po entry does not name the record (view, field) they come from."""
    entries = [
        (source, f"{ttype}:{name}:{res_id}" if ttype in ("model", "model_terms") else None)
        for mod, ttype, name, res_id, source, _value, _comments in TranslationModuleReader(
            env.cr, modules=[module]
        )
        if mod == module and source
    ]
    terms = {source for source, _where in entries}
    i18n = ROOT / module / "i18n"
    pot = {entry.msgid: entry for entry in polib.pofile(str(i18n / f"{module}.pot"))}
    problems = {f"{module}.pot": sorted(terms - set(pot))}
    # A record's term (a field label, a view's text) is loaded for the records its .po entry
    # names: a term known from another record only stays in English on this one.
    for lang in LANGS:
        po = {e.msgid: e for e in polib.pofile(str(i18n / f"{lang}.po")) if not e.obsolete}
        problems[f"{lang}.po: records not named"] = sorted(
            f"{where}: {source}"
            for source, where in entries
            if where
            and source in po
            and where not in {occurrence for occurrence, _line in po[source].occurrences}
        )
    for lang in LANGS:
        po = {e.msgid: e for e in polib.pofile(str(i18n / f"{lang}.po")) if not e.obsolete}
        problems[f"{lang}.po"] = sorted(
            term
            for term in terms
            if term not in po
            or not po[term].msgstr
            or "fuzzy" in po[term].flags
            or _placeholders(term) != _placeholders(po[term].msgstr)
        )
    return {name: terms for name, terms in problems.items() if terms}


def _placeholders(text):
    """The %(name)s and %s placeholders of ``text``, as a sorted list."""
    return sorted(re.findall(r"%\([a-z_]+\)s|%s|%d", text))
