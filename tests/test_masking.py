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
