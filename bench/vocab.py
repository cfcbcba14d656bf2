"""Words the benchmark data generator builds realistic names from (enterprises, people, projects),
and a tiny valid PDF that the generated attachments, invoices and letters share."""

from __future__ import annotations

import random

CITY = ["广州", "广东", "粤港", "穗港", "南粤", "羊城"]
CORE = [
    "智算",
    "云图",
    "星河",
    "数联",
    "天枢",
    "灵犀",
    "深瞳",
    "慧眼",
    "极光",
    "量子",
    "瀚海",
    "中科",
    "华擎",
    "鲲鹏",
    "澜舟",
    "昇腾",
    "睿思",
    "知行",
    "明镜",
    "赛博",
    "启元",
    "微图",
    "易航",
    "琢石",
    "北辰",
    "南溪",
    "珠江",
    "越秀",
    "黄埔",
    "天河",
    "科创",
    "云帆",
    "智谷",
    "数擎",
    "芯原",
    "凌云",
    "思维",
    "蓝海",
    "拓普",
    "远景",
]
TRADE = [
    "智能科技",
    "信息技术",
    "数据科技",
    "软件技术",
    "算力科技",
    "人工智能研究院",
    "网络科技",
    "机器人",
    "智能制造",
    "数字科技",
]
FORM = ["有限公司", "有限公司", "有限公司", "股份有限公司"]

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁")
GIVEN = list("伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华慧建国文辉鹏宇浩然子涵欣怡俊杰思远晓东雨婷志强海燕")

STREETS = [
    "科学大道",
    "开创大道",
    "香雪大道",
    "天河路",
    "体育西路",
    "珠江新城华夏路",
    "中新知识城凤凰三路",
    "黄埔东路",
    "广州国际生物岛螺旋三路",
    "天河北路",
    "科韵路",
    "高普路",
]

PROJECT_WORDS = [
    "大模型推理平台",
    "工业质检视觉系统",
    "智能客服",
    "医疗影像辅助诊断",
    "城市交通数字孪生",
    "金融风控模型",
    "多模态内容生成",
    "智能网联汽车感知",
    "能源调度优化",
    "供应链预测",
    "政务知识问答",
    "教育个性化学习",
    "智慧园区运营",
    "跨境电商智能选品",
    "生物医药分子设计",
    "低空经济飞行调度",
    "数据标注平台",
    "算力调度平台",
    "语音识别引擎",
    "机器人具身智能",
]
PROJECT_SUFFIX = ["项目", "建设项目", "研发项目", "应用示范项目", "升级改造项目"]


def enterprise_names(rng: random.Random, n: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        name = rng.choice(CITY) + rng.choice(CORE) + rng.choice(CORE) + rng.choice(TRADE) + rng.choice(FORM)
        if name in seen:
            name = name.replace("有限公司", f"（{rng.choice(['黄埔', '天河', '南沙', '番禺'])}）有限公司", 1)
            if name in seen:
                continue
        seen.add(name)
        out.append(name)
    return out


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"


def address(rng: random.Random, district: str) -> str:
    elsewhere = rng.choice(["广州市番禺区", "广州市南沙区"])
    area = {"huangpu": "广州市黄埔区", "tianhe": "广州市天河区"}.get(district, elsewhere)
    return f"{area}{rng.choice(STREETS)}{rng.randint(1, 300)}号{rng.randint(1, 20)}楼"


def project_title(rng: random.Random) -> str:
    return rng.choice(PROJECT_WORDS) + rng.choice(PROJECT_SUFFIX)


def tiny_pdf(text: str = "GZAI bench") -> bytes:
    """A one-page PDF (valid xref) of a few hundred bytes."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
