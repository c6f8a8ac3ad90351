"""Inflection paradigms that expand the lexicon lemmas into every surface form.

The lexicon files in ``data/lexicons/`` list one lemma per country and language
(``polski``, ``polnisch``, ``polský``, ``польский``); the functions here generate
the inflected forms a tip may contain. They are deliberately simple suffix rules:
irregular words are written out in the files instead (``=form`` or ``a|b|c``).

>>> adjective_forms("pl", "polski")[:4]
['polski', 'polska', 'polskie', 'polskiego']
>>> "polnischen" in adjective_forms("de", "polnisch")
True
>>> "по-польски" in language_forms("ru", "польский")
True
>>> language_forms("hu", "lengyel")
['lengyel', 'lengyelül']
>>> "deutschsprachigen" in language_forms("de", "Deutsch")
True
"""

from __future__ import annotations

from collections.abc import Callable

_ACCENTED_LAST = {"á": "a", "é": "e", "í": "i", "ó": "o", "ú": "u", "ê": "e", "ô": "o"}


def _unaccent_last_syllable(word: str) -> str:
    """``francés`` -> ``frances``: drop the written stress of the last syllable."""
    for i in range(len(word) - 1, max(len(word) - 4, -1), -1):
        if word[i] in _ACCENTED_LAST:
            return word[:i] + _ACCENTED_LAST[word[i]] + word[i + 1 :]
    return word


def _en(lemma: str) -> list[str]:
    return [lemma]


def _de(lemma: str) -> list[str]:
    # polnisch -> polnische, polnischer, polnisches, polnischen, polnischem
    return [lemma] + [lemma + end for end in ("e", "er", "es", "en", "em")]


def _fr(lemma: str) -> list[str]:
    masc, _, fem = lemma.partition("/")
    if not fem:
        if masc.endswith("e"):
            fem = masc
        elif masc.endswith(("ien", "éen", "on")):
            fem = masc + "ne"
        else:
            fem = masc + "e"
    plural_m = masc if masc.endswith(("s", "x")) else masc + "s"
    return [masc, fem, plural_m, fem + "s"]


def _es(lemma: str) -> list[str]:
    masc, _, fem = lemma.partition("/")
    if masc.endswith("o"):
        return [masc, fem or masc[:-1] + "a", masc + "s", (fem or masc[:-1] + "a") + "s"]
    if masc.endswith(("és", "án", "ín", "ón", "ún")):
        base = _unaccent_last_syllable(masc)
        fem = fem or base + "a"
        return [masc, fem, base + "es", fem + "s"]
    if masc.endswith(("a", "e")):
        return [masc, masc + "s"]
    if masc.endswith(("í", "ú")):
        return [masc, masc + "es"]
    fem = fem or masc + "a"  # español -> española
    return [masc, fem, masc + "es", fem + "s"]


def _pt(lemma: str) -> list[str]:
    masc, _, fem = lemma.partition("/")
    if masc.endswith("ão"):  # alemão -> alemã, alemães
        fem = fem or masc[:-2] + "ã"
        return [masc, fem, masc[:-2] + "ães", fem + "s"]
    if masc.endswith("o"):
        fem = fem or masc[:-1] + "a"
        return [masc, fem, masc + "s", fem + "s"]
    if masc.endswith("ês"):
        base = masc[:-2] + "es"
        fem = fem or base + "a"
        return [masc, fem, base + "es", fem + "s"]
    if masc.endswith("ol"):  # espanhol -> espanhola, espanhóis
        fem = fem or masc + "a"
        return [masc, fem, masc[:-2] + "óis", fem + "s"]
    if masc.endswith("eu"):  # europeu -> europeia
        fem = fem or masc[:-1] + "ia"
        return [masc, fem, masc + "s", fem + "s"]
    if masc.endswith(("a", "e")):
        return [masc, masc + "s"]
    fem = fem or masc + "a"
    return [masc, fem, masc + "es", fem + "s"]


def _it(lemma: str) -> list[str]:
    if lemma.endswith("o"):
        stem = lemma[:-1]
        if stem.endswith(("c", "g")):
            hard = stem + "h"
            plural_m = hard + "i" if stem[-2:-1] not in "aeiou" else stem + "i"
            return [lemma, stem + "a", plural_m, hard + "e"]
        return [lemma, stem + "a", stem + "i", stem + "e"]
    if lemma.endswith("e"):
        return [lemma, lemma[:-1] + "i"]
    return [lemma]


def _nl(lemma: str) -> list[str]:
    if lemma.endswith("ees"):  # Chinees -> Chinese
        return [lemma, lemma[:-3] + "ese"]
    return [lemma, lemma + "e"]


def _pl(lemma: str) -> list[str]:
    if lemma.endswith(("ki", "gi")):
        stem = lemma[:-1]
        forms = [stem + end for end in ("i", "a", "ie", "iego", "iej", "im", "ich", "imi", "iemu")]
        forms.append(stem + "ą")
        if lemma.endswith("dzki"):
            forms.append(lemma[:-4] + "dzcy")
        elif lemma.endswith("ski"):
            forms.append(lemma[:-3] + "scy")
        elif lemma.endswith("cki"):
            forms.append(lemma[:-3] + "ccy")
        return forms
    if lemma.endswith("y"):
        stem = lemma[:-1]
        return [stem + end for end in ("y", "a", "e", "ego", "ej", "ym", "ych", "ymi", "emu", "ą")]
    return [lemma]


def _cs(lemma: str) -> list[str]:
    if not lemma.endswith("ý"):
        return [lemma]
    stem = lemma[:-1]
    forms = [stem + end for end in ("ý", "á", "é", "ého", "ému", "ém", "ým", "ou", "ých", "ými")]
    if stem.endswith("sk"):
        forms.append(stem[:-2] + "ští")
    elif stem.endswith("ck"):
        forms.append(stem[:-2] + "čtí")
    elif stem.endswith("k"):
        forms.append(stem[:-1] + "cí")
    else:
        forms.append(stem + "í")
    return forms


def _sk(lemma: str) -> list[str]:
    if not lemma.endswith("ý"):
        return [lemma]
    stem = lemma[:-1]
    forms = [stem + end for end in ("ý", "á", "é", "ého", "ému", "om", "ým", "ou", "ých", "ými")]
    forms.append(stem + "í")  # poľskí
    return forms


def _ru(lemma: str) -> list[str]:
    stem, end = lemma[:-2], lemma[-2:]
    ends: tuple[str, ...]
    if end == "ий":  # польский, немецкий: soft-spelling after к/г/х
        ends = ("ий", "ая", "ое", "ого", "ому", "ой", "ом", "им", "ую", "ие", "их", "ими", "ою")
    elif end in ("ый", "ой"):
        ends = ("ый", "ая", "ое", "ого", "ому", "ой", "ом", "ым", "ую", "ые", "ых", "ыми")
    else:
        return [lemma]
    return [stem + e for e in ends]


def _uk(lemma: str) -> list[str]:
    if not lemma.endswith("ий"):
        return [lemma]
    stem = lemma[:-2]
    ends = ("ий", "а", "е", "ого", "ому", "ій", "ім", "им", "у", "і", "их", "ими", "ою")
    return [stem + e for e in ends]


def _bg(lemma: str) -> list[str]:
    if not lemma.endswith("и"):
        return [lemma]
    stem = lemma[:-1]
    return [stem + e for e in ("и", "а", "о", "ия", "ият", "ата", "ото", "ите")]


def _bcs(lemma: str) -> list[str]:
    """Croatian, Bosnian, Serbian (Latin or Cyrillic): poljski, poljskog, poljskoj..."""
    if lemma.endswith("i"):
        ends = ("i", "a", "o", "e", "og", "oga", "om", "omu", "oj", "u", "ih", "im", "ima")
    elif lemma.endswith("и"):
        ends = ("и", "а", "о", "е", "ог", "ога", "ом", "ому", "ој", "у", "их", "им", "има")
    else:
        return [lemma]
    stem = lemma[:-1]
    return [stem + e for e in ends]


def _sl(lemma: str) -> list[str]:
    if not lemma.endswith("i"):
        return [lemma]
    stem = lemma[:-1]
    return [stem + e for e in ("i", "a", "o", "e", "ega", "emu", "em", "im", "ih", "imi", "ima")]


def _scandinavian(neuter: bool) -> Callable[[str], list[str]]:
    def forms(lemma: str) -> list[str]:
        out = [lemma, lemma + ("a" if neuter else "e")]
        if neuter and not lemma.endswith("t"):
            out.append(lemma + "t")  # sv: polskt
        return out

    return forms


def _fi(lemma: str) -> list[str]:
    if not lemma.endswith("nen"):
        return [lemma]
    stem = lemma[:-3]  # puolalai-
    back = any(v in lemma for v in "aou")
    a = "a" if back else "ä"
    ends = ("nen", "sen", f"st{a}", "set", f"si{a}", "sten", f"sess{a}", f"sest{a}", "seen",
            f"sell{a}", f"selt{a}", "selle", f"sen{a}", "siin", f"siss{a}", f"sist{a}",
            f"sill{a}", "sille", "siksi")  # fmt: skip
    return list(dict.fromkeys(stem + e for e in ends))


def _el(lemma: str) -> list[str]:
    if lemma.endswith("ός"):  # stress on the ending: πολωνικός, πολωνική...
        ends = ("ός", "ή", "ό", "ού", "ής", "οί", "ές", "ά", "ών", "ούς")
    elif lemma.endswith("ος"):  # stress on the stem: τούρκικος, τούρκικη...
        ends = ("ος", "η", "ο", "ου", "ης", "οι", "ες", "α", "ων", "ους")
    else:
        return [lemma]
    return [lemma[:-2] + e for e in ends]


def _ro(lemma: str) -> list[str]:
    if lemma.endswith(("ă", "a", "e", "i")):
        return [lemma]
    plural = lemma
    for hard, soft in (("s", "ș"), ("t", "ț"), ("d", "z")):
        if lemma.endswith(hard):
            plural = lemma[:-1] + soft
    forms = [lemma, lemma + "ă", plural + "i", lemma + "e", lemma + "ul", lemma + "a"]
    return [*forms, plural + "ii", lemma + "ele", lemma + "ului", lemma + "ei", plural + "ilor"]


def _lt(lemma: str) -> list[str]:
    if not lemma.endswith("as"):
        return [lemma]
    stem = lemma[:-2]
    return [stem + e for e in ("as", "a", "i", "os", "o", "ai", "ų", "ą", "us", "oje", "ame")]


_ADJECTIVE: dict[str, Callable[[str], list[str]]] = {
    "en": _en, "de": _de, "fr": _fr, "es": _es, "pt": _pt, "it": _it, "nl": _nl,
    "pl": _pl, "cs": _cs, "sk": _sk, "ru": _ru, "uk": _uk, "bg": _bg, "hr": _bcs,
    "bs": _bcs, "sr": _bcs, "sl": _sl, "sv": _scandinavian(True), "da": _scandinavian(False),
    "no": _scandinavian(False), "fi": _fi, "el": _el, "ro": _ro, "lt": _lt,
}  # fmt: skip


def adjective_forms(lang: str, lemma: str) -> list[str]:
    """Every form of the adjective ``lemma`` in ``lang`` (the lemma itself first).

    Languages without a paradigm here (hu, lv, et...) give the lemma alone.

    >>> adjective_forms("fr", "polonais")
    ['polonais', 'polonaise', 'polonaises']
    >>> adjective_forms("cs", "polský")[-1]
    'polští'
    """
    paradigm = _ADJECTIVE.get(lang, _en)
    return list(dict.fromkeys(paradigm(lemma)))


def _hu_adverb(name: str) -> str:
    """lengyel -> lengyelül, angol -> angolul, francia -> franciául."""
    back = any(v in name for v in "aáoóuú")
    if name.endswith("a"):
        name = name[:-1] + "á"
    elif name.endswith("e"):
        name = name[:-1] + "é"
    return name + ("ul" if back else "ül")


def _cs_sk_adverb(name: str) -> str | None:
    """polština -> polsky, angličtina -> anglicky (Czech and Slovak)."""
    for noun, adverb in (("ština", "sky"), ("čtina", "cky"), ("čina", "cky")):
        if name.endswith(noun):
            return name[: -len(noun)] + adverb
    return None


def language_forms(lang: str, name: str) -> list[str]:
    """A language's CLDR name in ``lang`` plus the phrases tips use for "in <language>".

    >>> language_forms("pl", "polski")[:4]
    ['polski', 'po polsku', 'język polski', 'w języku polskim']
    >>> language_forms("cs", "polština")
    ['polština', 'v polštině', 'polsky']
    >>> language_forms("ru", "польский")[:4]
    ['польский', 'по-польски', 'на польском', 'польскоязычный']
    >>> language_forms("de", "Polnisch")[:3]
    ['Polnisch', 'auf Polnisch', 'polnischsprachig']
    """
    forms = [name]
    low = name.lower()
    prefix = {"en": "in ", "de": "auf ", "fr": "en ", "es": "en ", "it": "in ", "pt": "em ",
              "nl": "in het ", "sv": "på ", "da": "på ", "no": "på ", "bg": "на ", "ro": "în ",
              "el": "στα "}.get(lang)  # fmt: skip
    if prefix:
        forms.append(prefix + (name if lang in ("de", "nl", "en") else low))
    if lang == "pl" and low.endswith("ki"):
        forms += ["po " + low[:-1] + "u", "język " + low, "w języku " + low + "m"]
    elif lang in ("cs", "sk") and low.endswith("a"):
        forms.append("v " + low[:-1] + ("ě" if lang == "cs" and low.endswith("ina") else "e"))
        adverb = _cs_sk_adverb(low)
        if adverb:
            forms.append(adverb if lang == "cs" else "po " + adverb)
    elif lang == "ru" and low.endswith("ий"):
        forms += ["по-" + low[:-2] + "и", "на " + low[:-2] + "ом"]
    elif lang == "uk" and low.endswith("а"):
        forms += [low[:-1] + "ою", "по-" + low[:-1] + "и"]
    elif lang in ("hr", "bs", "sr") and low.endswith(("i", "и")):
        cyrillic = low.endswith("и")
        forms.append(("на " if cyrillic else "na ") + low[:-1] + ("ом" if cyrillic else "om"))
    elif lang == "sl" and low.endswith("a"):
        forms.append("v " + low[:-1] + "i")
    elif lang == "hu":
        forms.append(_hu_adverb(low))
    elif lang == "fi" and low[-1:] in "aeiouyäö":
        forms.append(low + "ksi")
    elif lang == "lt":
        forms += [low + " kalba", low + " kalbą"]
    elif lang == "lv":
        forms += [low + " valodā", low + " valoda"]
    elif lang == "et":
        forms += [low + " keeles", low + " keel"]
    elif lang == "ro":
        forms.append("limba " + low)
    return list(dict.fromkeys(forms + speaking_forms(lang, name)))


def speaking_forms(lang: str, name: str) -> list[str]:
    """The "<language>-speaking" adjectives: Polish-speaking, polnischsprachig, польскоязычный.

    >>> speaking_forms("pl", "polski")[:2]
    ['polskojęzyczny', 'polskojęzyczna']
    >>> speaking_forms("sv", "svenska"), speaking_forms("nl", "Frans")
    (['svensktalande'], ['Franstalig', 'Franstalige'])
    """
    low = name.lower()
    if lang == "en":
        return [name + "-speaking"]
    if lang == "de" and low.endswith("sch"):
        return _de(low + "sprachig")
    if lang == "nl":
        return [name + "talig", name + "talige"]
    if lang == "pl" and low.endswith("ki"):
        return _pl(low[:-1] + "ojęzyczny")
    if lang == "ru" and low.endswith("ий"):
        return _ru(low[:-2] + "оязычный")
    if lang == "uk" and low.endswith("а"):
        return _uk(low[:-1] + "омовний")
    if lang == "sv" and low.endswith("a"):
        return [low[:-1] + "talande"]
    if lang in ("da", "no"):
        return [low + "talende"]
    if lang == "fi" and low[-1:] in "aeiouyäö":
        return _fi(low + "nkielinen")
    return []
