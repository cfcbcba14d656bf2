import pytest

from applications.uscc import check_character, is_valid_uscc, uscc_error

# Real codes of real enterprises/institutions (published on their licences) and the standard's example.
REAL_VALID = [
    "91350100M000100Y43",  # GB 32100-2015 example
    "91440300708461136T",  # 华为技术有限公司
    "914403001922038216",  # 中兴通讯股份有限公司
    "91110000802100433B",  # 北京百度网讯科技有限公司
]


@pytest.mark.parametrize("code", REAL_VALID)
def test_real_codes_are_valid(code):
    assert uscc_error(code) is None


def test_lowercase_and_spaces_are_normalised():
    assert is_valid_uscc(" 91350100m000100y43 ")


@pytest.mark.parametrize("code,fragment", [
    ("", "18位"),
    ("91350100M000100Y4", "18位"),
    ("91350100M000100Y433", "18位"),
    ("91350100M000100Y4I", "不允许的字符"),     # I is not in the alphabet
    ("9135010OM000100Y43", "不允许的字符"),     # O
    ("91350100S000100Y43", "不允许的字符"),     # S
    ("91350100V000100Y43", "不允许的字符"),     # V
    ("91350100Z000100Y43", "不允许的字符"),     # Z
    ("9135010-M000100Y43", "不允许的字符"),
    ("9135A100M000100Y43", "行政区划码"),
    ("91350100M000100Y44", "校验位"),           # wrong check character
    ("91440300708461136X", "校验位"),
])
def test_invalid_codes_say_why(code, fragment):
    error = uscc_error(code)
    assert error is not None and fragment in error


def test_every_single_character_change_is_detected():
    code = "91440300708461136T"
    from applications.uscc import ALPHABET

    for i in range(17):
        for c in ALPHABET:
            if c == code[i] or (2 <= i < 8 and not c.isdigit()):
                continue
            assert not is_valid_uscc(code[:i] + c + code[i + 1:]), (i, c)


def test_check_character_weights():
    assert check_character("91350100M000100Y4") == "3"
