"""The credit-code rule itself (portal.uscc, pure): normalisation, the checks and their reasons, the
division looked up in python-stdnum's list. The entry points are tested in tests/applications/test_uscc.py."""

import pytest

from portal.uscc import ALPHABET, AUTHORITIES, check_character, division_of, is_valid, normalize, problem_of

# Real codes of real enterprises/institutions (published on their licences) and the standard's example.
REAL_VALID = [
    "91350100M000100Y43",  # GB 32100-2015 example
    "91440300708461136T",  # 华为技术有限公司
    "914403001922038216",  # 中兴通讯股份有限公司
    "91110000802100433B",  # 北京百度网讯科技有限公司
]


def valid(first17: str) -> str:
    return first17 + check_character(first17)


@pytest.mark.parametrize("code", REAL_VALID)
def test_real_codes_are_valid(code):
    assert problem_of(code) is None


@pytest.mark.parametrize(
    "typed",
    [
        " 91350100m000100y43 ",
        "９１３５０１００Ｍ０００１００Ｙ４３",  # full-width letters and digits
        "９１３５ ０１００\u3000ｍ０００ １００ ｙ４３",  # full-width, ideographic and ASCII spaces, lower case
        "9135-0100-M000100Y43",
        "9135－0100—M000100Y43\t\n",  # full-width hyphen-minus, em dash
    ],
)
def test_what_people_type_is_normalised(typed):
    assert normalize(typed) == "91350100M000100Y43"
    assert is_valid(typed)


@pytest.mark.parametrize(
    "code,kind,fragment",
    [
        ("", "length", "18位"),
        ("91350100M000100Y4", "length", "18位"),
        ("91350100M000100Y433", "length", "18位"),
        ("91350100M000100Y4I", "alphabet", "不允许的字符"),  # I is not in the alphabet
        ("9135010OM000100Y43", "alphabet", "不允许的字符"),  # O
        ("91350100S000100Y43", "alphabet", "不允许的字符"),  # S
        ("91350100V000100Y43", "alphabet", "不允许的字符"),  # V
        ("91350100Z000100Y43", "alphabet", "不允许的字符"),  # Z
        ("9135010.M000100Y43", "alphabet", "不允许的字符"),
        ("B1350100M000100Y43", "authority", "登记管理部门代码"),  # B is no registration authority
        ("01350100M000100Y43", "authority", "登记管理部门代码"),
        ("94350100M000100Y43", "type", "机构类别代码"),  # 工商 has types 1, 2, 3 only
        ("99350100M000100Y43", "type", "机构类别代码"),
        ("Y2350100M000100Y43", "type", "机构类别代码"),  # 其他 has the single type 1
        ("5A350100M000100Y43", "type", "机构类别代码"),
        ("9135A100M000100Y43", "division", "行政区划码"),
        ("91350100M000100Y44", "check", "校验位"),  # wrong check character
        ("91440300708461136X", "check", "校验位"),
    ],
)
def test_invalid_codes_say_why(code, kind, fragment):
    problem = problem_of(code)
    assert problem is not None and problem.kind == kind and fragment in problem.message


def test_the_type_message_names_the_authority_and_the_allowed_types():
    message = problem_of("94350100M000100Y43").message
    assert "“4”" in message and "工商" in message and "1 企业" in message and "3 农民专业合作社" in message


@pytest.mark.parametrize(
    "first17",
    [
        "11440100MB1234567",
        "12440100MB1234567",
        "51440112MJ1234567",
        "53440100MJ1234567",
        "92440112MA1234567",
        "93440112MA1234567",
        "A1440100MB1234567",
        "N2440112MF1234567",
        "Y1440100MB1234567",
        "31440101MD1234567",
    ],
)
def test_every_authority_and_type_of_the_table_is_accepted(first17):
    assert problem_of(valid(first17)) is None


def test_the_table_of_authorities():
    assert set(AUTHORITIES) == set("123456789ANY")
    assert set(AUTHORITIES["9"][1]) == {"1", "2", "3"} and set(AUTHORITIES["Y"][1]) == {"1"}


def test_every_single_character_change_is_detected():
    code = "91440300708461136T"
    for i in range(17):
        for c in ALPHABET:
            if c == code[i] or (2 <= i < 8 and not c.isdigit()):
                continue
            assert not is_valid(code[:i] + c + code[i + 1 :]), (i, c)


def test_check_character_weights():
    assert check_character("91350100M000100Y4") == "3"
    assert check_character("91440106MA9Y00001") == "6"


# ---------------------------------------------------------------- the division


def test_huangpu_is_named_from_the_list():
    division = division_of(valid("91440112MA5CKGXK1"))
    assert division.code == "440112" and division.name == "广东省广州市黄埔区"
    assert division.known and division.retired_after is None
    assert division.in_guangzhou and division.district == "黄埔区"


@pytest.mark.parametrize(
    "code,name,in_guangzhou,district",
    [
        ("440106", "广东省广州市天河区", True, "天河区"),
        ("440111", "广东省广州市白云区", True, "白云区"),  # 郊区 until 1986, 白云区 since
        ("440100", "广东省广州市", True, ""),  # the city's own registration authority
        ("440101", "广东省广州市市辖区", True, ""),
        ("310101", "上海市黄浦区", False, ""),
        ("440300", "广东省深圳市", False, ""),
    ],
)
def test_divisions(code, name, in_guangzhou, district):
    division = division_of(code)
    assert (division.name, division.in_guangzhou, division.district) == (name, in_guangzhou, district)
    assert division.known and division.retired_after is None


def test_withdrawn_and_unknown_divisions_are_reported_not_refused():
    luogang = division_of("440116")
    assert luogang.known and luogang.retired_after == 2014 and luogang.name == "广东省广州市萝岗区"
    unknown = division_of("440199")
    assert not unknown.known and unknown.name == "" and unknown.in_guangzhou
    assert problem_of(valid("91440199MA5CKGXK1")) is None
    assert problem_of(valid("91999999MA5CKGXK1")) is None


def test_no_division_without_six_digits():
    assert division_of("9135A100M000100Y43") is None
    assert division_of("４４０１１２") == division_of("440112")
