"""Name masking for public pages (domain.md: 张*明, 王*, compound and minority names)."""

import pytest

from generator.masking import mask_name, mask_phone


@pytest.mark.parametrize("name, masked", [
    ("张晓明", "张*明"), ("王五", "王*"), ("欧阳峰", "欧阳*"), ("欧阳娜娜", "欧阳*娜"), ("司马相如", "司马*如"),
    ("阿依古丽·买买提", "阿*丽·买*提"), ("阿依古丽•买买提", "阿*丽·买*提"), ("阿依古丽‧买买提", "阿*丽·买*提"),
    ("阿依古丽・买买提", "阿*丽·买*提"), ("李𠀋明", "李*明"), ("王𪚥", "王*"),
    ("𠀋明华", "𠀋*华"), ("李\U00031350明", "李*明"), ("张", "张*"), ("", ""), (None, ""),
    (" 张晓明 ", "张*明"), ("王\u200b五", "王*"), ("\x1b张晓明", "张*明"), ("\u202e张三", "张*"), ("Tom Lee", "T*"),
])
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_mask_never_keeps_more_than_two_characters_of_a_long_name():
    assert mask_name("爱新觉罗溥仪") == "爱****仪"


def test_mask_phone():
    assert mask_phone("13805310001") == "138****0001"


def test_a_han_name_is_told_by_one_expression_as_by_each_character():
    """mask_name tells an all-Han name by a regular expression (_ALL_HAN): the same answer as
    is_han of every character, at and around each block's ends."""
    from generator.masking import _ALL_HAN, _HAN_RANGES, is_han

    codes = [c for lo, hi in _HAN_RANGES for c in (lo - 1, lo, lo + 1, hi - 1, hi, hi + 1)] + [0x41, 0x3000, 0xFF21]
    for c in codes:
        assert bool(_ALL_HAN.fullmatch(chr(c))) == is_han(chr(c)), hex(c)
    for lo, hi in _HAN_RANGES:
        name = "张" + chr(lo) + chr(hi)
        assert _ALL_HAN.fullmatch(name) and mask_name(name) == "张*" + chr(hi)
        outside = "张" + chr(hi + 1) + "明"
        assert not _ALL_HAN.fullmatch(outside) and mask_name(outside) == "张*"
