"""Pinyin order of Chinese names (按音序), with surnames read as surnames.

pypinyin reads characters as ordinary words, so 单 comes out dān, 曾 céng and
解 jiě even in names. Archives are filed in pinyin order of the name, so the
surname (compound surnames included, via masking.split_surname) is read from
SURNAME_READINGS first; the given name goes through pypinyin.

    sorted(workers, key=lambda w: name_key(w.name, w.archive_no))

Keys keep each surname together: first the surname (its syllables without tones,
then its tones, then its characters, so 姜 jiāng and 蒋 jiǎng, or 谢 and 解 (both xiè),
never interleave), then the given name syllable by syllable without tones, then
tones, then characters, then the tie-break (the archive number). Surname groups
still follow pinyin order (沙 sha before 单 shan, 曾 zeng before 张 zhang). ü is
written v, so 吕 lv sorts after 卢 lu.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .masking import split_surname

_WORD = re.compile(r"[0-9a-z]+")

# Surname readings where the common reading differs (TONE3: tone digit last).
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "单": ("shan4",), "曾": ("zeng1",), "解": ("xie4",), "查": ("zha1",), "仇": ("qiu2",),
    "区": ("ou1",), "朴": ("piao2",), "盖": ("ge3",), "覃": ("qin2",), "乐": ("yue4",),
    "缪": ("miao4",), "翟": ("zhai2",), "召": ("shao4",), "褚": ("chu3",), "燕": ("yan1",),
    "纪": ("ji3",), "任": ("ren2",), "华": ("hua4",), "都": ("du1",), "秘": ("bi4",),
    "种": ("chong2",), "蕃": ("pi2",), "乜": ("nie4",), "佴": ("nai4",), "炅": ("gui4",),
    "角": ("jue2",), "句": ("gou1",), "折": ("she2",), "繁": ("po2",), "宓": ("fu2",),
    "员": ("yun4",), "能": ("nai4",), "隗": ("wei3",), "冼": ("xian3",), "洗": ("xian3",),
    "逄": ("pang2",), "祭": ("zhai4",), "卜": ("bu3",), "薄": ("bo2",), "柏": ("bai3",),
    "葛": ("ge3",), "尉": ("wei4",), "郇": ("huan2",), "阚": ("kan4",), "莘": ("shen1",),
    "訾": ("zi1",), "眭": ("sui1",), "谌": ("chen2",), "长": ("chang2",), "重": ("chong2",),
    "朝": ("chao2",), "藏": ("zang4",), "粘": ("nian2",),
    # compound surnames
    "尉迟": ("yu4", "chi2"), "万俟": ("mo4", "qi2"), "长孙": ("zhang3", "sun1"),
    "单于": ("chan2", "yu2"), "澹台": ("tan2", "tai2"), "令狐": ("ling2", "hu2"),
    "皇甫": ("huang2", "fu3"), "东方": ("dong1", "fang1"), "欧阳": ("ou1", "yang2"),
    "钟离": ("zhong1", "li2"), "宇文": ("yu3", "wen2"), "乐正": ("yue4", "zheng4"),
    "濮阳": ("pu2", "yang2"), "淳于": ("chun2", "yu2"), "呼延": ("hu1", "yan2"),
}


@lru_cache(maxsize=65536)  # a large station has tens of thousands of distinct names
def _syllables(text: str) -> tuple[str, ...]:
    seeded = _SEEDS.get(text)
    if seeded is None:
        seeded = _USED[text] = _pinyin(text)
    else:
        _USED[text] = seeded
    return seeded


_USED: dict[str, tuple[str, ...]] = {}


def _pinyin(text: str) -> tuple[str, ...]:
    """What pypinyin's lazy_pinyin(text, style=TONE3, neutral_tone_with_five=True) reads, as
    words: the text cut into words as lazy_pinyin cuts it (its segmenter), each word read by
    the converter lazy_pinyin makes (_word: one reading per distinct word, however many names
    hold it; a station's 8,000 names are made of a few thousand words)."""
    out: list[str] = []
    for word in _engine()[0].seg(text):
        out.extend(_word(word))
    return tuple(out)


@lru_cache(maxsize=65536)
def _word(word: str) -> tuple[str, ...]:
    """One word as lazy_pinyin reads it within a text (its converter reads the words of a text
    one by one, each on its own): non-Han runs come back as typed, of which words are kept and
    dots (阿依古丽·买买提) and spaces dropped."""
    _, converter, style = _engine()
    out: list[str] = []
    for readings in converter.convert(word, style, False, "default", strict=True):
        for part in readings:
            out.extend(_WORD.findall(part.lower()))
    return tuple(out)


@lru_cache(maxsize=1)
def _engine():
    """(pypinyin's Pinyin, its converter, the style): the very objects lazy_pinyin makes for
    style=TONE3 with neutral_tone_with_five=True, made once."""
    from pypinyin import Style
    from pypinyin.converter import UltimateConverter
    from pypinyin.core import Pinyin

    converter = UltimateConverter(v_to_u=False, neutral_tone_with_five=True, tone_sandhi=False)
    return Pinyin(converter), converter, Style.TONE3


_SEEDS: dict[str, tuple[str, ...]] = {}  # readings kept from an earlier build (seed_readings)


def seed_readings(known: dict) -> None:
    """Readings worked out by an earlier build of this program with this pypinyin (the private
    writer keeps them beside its fingerprints): pypinyin is the costly part of the filing
    order of 20,000 names, and a rebuild mostly files the same names."""
    _SEEDS.update((k, tuple(v.split())) for k, v in known.items() if isinstance(k, str) and isinstance(v, str))


def readings() -> dict[str, str]:
    """Every text read with pypinyin (or seeded) in this process -> its syllables as one string
    ('shan4 tian2 fang1'), for seed_readings next time."""
    return {text: " ".join(syllables) for text, syllables in _USED.items()}


def pinyin_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("pypinyin")
    except metadata.PackageNotFoundError:
        return "-"


@lru_cache(maxsize=65536)
def reading(name: str) -> tuple[str, ...]:
    """Syllables with tone digits: 单田芳 -> ('shan4', 'tian2', 'fang1')."""
    name = unicodedata.normalize("NFKC", (name or "").strip())
    if not name:
        return ()
    surname, given = split_surname(name)
    head = SURNAME_READINGS.get(surname)
    if head is None:
        return _syllables(name)
    return head + (_syllables(given) if given else ())


@lru_cache(maxsize=65536)  # every dossier shows its name's: names recur
def pinyin_text(name: str) -> str:
    """'shan tian fang' (no tones): for showing the filing order on the index page."""
    return " ".join(_split_tone(s)[0] for s in reading(name))


def _split_tone(syllable: str) -> tuple[str, str]:
    """'shan4' -> ('shan', '4'); words without a tone digit stay whole ('tom', '2')."""
    if len(syllable) > 1 and syllable[-1] in "12345" and syllable[:-1].isalpha():
        return syllable[:-1], syllable[-1]
    return syllable, ""


def name_key(name: str | None, tie: str = "") -> tuple:
    """Sort key for 按音序: the surname as a whole (syllables, tones, characters), then the
    given name's syllables, tones and characters, then the tie-break."""
    return (*_name_key(name or ""), tie)


@lru_cache(maxsize=65536)  # one key per distinct name, however many workers share it
def _name_key(name: str) -> tuple:
    text = unicodedata.normalize("NFKC", name.strip())
    syllables = reading(text)
    if not syllables:
        return (1, (), (), "", (), (), "")
    surname, given = split_surname(text)
    head = len(reading(surname)) if surname and given else len(syllables)
    split = [_split_tone(s) for s in syllables]
    bare = tuple(b for b, _ in split)
    tones = tuple(t for _, t in split)
    return (0, bare[:head], tones[:head], surname if given else text,
            bare[head:], tones[head:], given)


def initial(name: str | None) -> str:
    """The filing letter: 'S' for 单田芳, '#' when the name has no pinyin."""
    syllables = reading(name or "")
    first = syllables[0][:1].upper() if syllables else ""
    return first if first.isascii() and first.isalpha() else "#"
