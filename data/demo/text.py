"""Word pools for the demo world: names in each script, e-mail domains, universities, companies
and resume phrases in English and Chinese. All names and companies are invented or common;
none refers to a real person.
"""

from __future__ import annotations

# --- names ---------------------------------------------------------------------------------
# Each pool: (female given names, male given names, family names); non-Latin entries are
# (native, romanised) pairs so e-mail addresses can be built from them.

Pair = tuple[str, str]

HAN: tuple[list[Pair], list[Pair], list[Pair]] = (
    [
        ("静", "jing"),
        ("丽", "li"),
        ("敏", "min"),
        ("婷", "ting"),
        ("雪", "xue"),
        ("雨涵", "yuhan"),
        ("晓燕", "xiaoyan"),
        ("思琪", "siqi"),
        ("欣怡", "xinyi"),
        ("佳琪", "jiaqi"),
    ],
    [
        ("伟", "wei"),
        ("强", "qiang"),
        ("磊", "lei"),
        ("军", "jun"),
        ("洋", "yang"),
        ("浩然", "haoran"),
        ("宇轩", "yuxuan"),
        ("子豪", "zihao"),
        ("俊杰", "junjie"),
        ("志明", "zhiming"),
    ],
    [
        ("王", "wang"),
        ("李", "li"),
        ("张", "zhang"),
        ("刘", "liu"),
        ("陈", "chen"),
        ("杨", "yang"),
        ("赵", "zhao"),
        ("黄", "huang"),
        ("周", "zhou"),
        ("吴", "wu"),
        ("徐", "xu"),
        ("孙", "sun"),
        ("胡", "hu"),
        ("朱", "zhu"),
        ("高", "gao"),
        ("林", "lin"),
        ("何", "he"),
        ("郭", "guo"),
    ],
)
JAPANESE = (
    [("陽菜", "hina"), ("結衣", "yui"), ("美咲", "misaki"), ("さくら", "sakura"), ("葵", "aoi")],
    [("健太", "kenta"), ("翔", "sho"), ("大輔", "daisuke"), ("拓海", "takumi"), ("悠真", "yuma")],
    [
        ("佐藤", "sato"),
        ("鈴木", "suzuki"),
        ("高橋", "takahashi"),
        ("田中", "tanaka"),
        ("伊藤", "ito"),
        ("渡辺", "watanabe"),
        ("山本", "yamamoto"),
        ("中村", "nakamura"),
    ],
)
KOREAN = (
    [
        ("지우", "jiwoo"),
        ("서연", "seoyeon"),
        ("민서", "minseo"),
        ("하은", "haeun"),
        ("수빈", "subin"),
    ],
    [
        ("민준", "minjun"),
        ("서준", "seojun"),
        ("도윤", "doyun"),
        ("현우", "hyunwoo"),
        ("지훈", "jihoon"),
    ],
    [
        ("김", "kim"),
        ("이", "lee"),
        ("박", "park"),
        ("최", "choi"),
        ("정", "jung"),
        ("강", "kang"),
        ("조", "cho"),
        ("윤", "yoon"),
    ],
)
CYRILLIC = (
    [
        ("Анна", "anna"),
        ("Мария", "maria"),
        ("Елена", "elena"),
        ("Ольга", "olga"),
        ("Дарья", "daria"),
        ("Ирина", "irina"),
    ],
    [
        ("Алексей", "alexey"),
        ("Дмитрий", "dmitry"),
        ("Иван", "ivan"),
        ("Сергей", "sergey"),
        ("Андрей", "andrey"),
        ("Максим", "maxim"),
    ],
    [
        ("Иванов", "ivanov"),
        ("Смирнов", "smirnov"),
        ("Кузнецов", "kuznetsov"),
        ("Попов", "popov"),
        ("Соколов", "sokolov"),
        ("Лебедев", "lebedev"),
        ("Новиков", "novikov"),
    ],
)
ARABIC = (
    [("فاطمة", "fatima"), ("مريم", "mariam"), ("نور", "nour"), ("سارة", "sara"), ("ليلى", "layla")],
    [
        ("محمد", "mohamed"),
        ("أحمد", "ahmed"),
        ("عمر", "omar"),
        ("يوسف", "youssef"),
        ("خالد", "khaled"),
    ],
    [
        ("الحسن", "alhassan"),
        ("العلي", "alali"),
        ("حداد", "haddad"),
        ("منصور", "mansour"),
        ("سالم", "salem"),
        ("الشامي", "alshami"),
    ],
)
PERSIAN = (
    [("زهرا", "zahra"), ("مریم", "maryam"), ("نگار", "negar"), ("سارا", "sara")],
    [("علی", "ali"), ("رضا", "reza"), ("امیر", "amir"), ("حسین", "hossein")],
    [("احمدی", "ahmadi"), ("حسینی", "hosseini"), ("رضایی", "rezaei"), ("کریمی", "karimi")],
)
HEBREW = (
    [("נועה", "noa"), ("תמר", "tamar"), ("מאיה", "maya"), ("יעל", "yael")],
    [("דוד", "david"), ("יוסף", "yosef"), ("איתי", "itai"), ("נועם", "noam")],
    [
        ("כהן", "cohen"),
        ("לוי", "levi"),
        ("מזרחי", "mizrahi"),
        ("פרץ", "peretz"),
        ("ביטון", "biton"),
    ],
)
THAI = (
    [("สมหญิง", "somying"), ("กมลา", "kamala"), ("นภา", "napa"), ("ปราณี", "pranee")],
    [("สมชาย", "somchai"), ("ธนากร", "thanakorn"), ("อนันต์", "anan"), ("วิชัย", "wichai")],
    [("ศรีสุข", "srisuk"), ("วงศ์ไทย", "wongthai"), ("ใจดี", "jaidee"), ("สุขสวัสดิ์", "suksawat")],
)
GREEK = (
    [("Μαρία", "maria"), ("Ελένη", "eleni"), ("Κατερίνα", "katerina"), ("Σοφία", "sofia")],
    [("Γιώργος", "giorgos"), ("Νίκος", "nikos"), ("Δημήτρης", "dimitris"), ("Κώστας", "kostas")],
    [
        ("Παπαδόπουλος", "papadopoulos"),
        ("Γεωργίου", "georgiou"),
        ("Νικολάου", "nikolaou"),
        ("Οικονόμου", "oikonomou"),
    ],
)

LATIN: dict[str, tuple[list[str], list[str], list[str]]] = {
    "english": (
        ["Emily", "Sarah", "Olivia", "Jessica", "Hannah", "Grace", "Chloe", "Megan"],
        ["James", "Michael", "Daniel", "Ethan", "Ryan", "Oliver", "Jack", "Noah"],
        [
            "Smith",
            "Johnson",
            "Brown",
            "Taylor",
            "Miller",
            "Wilson",
            "Anderson",
            "Thompson",
            "Walker",
            "Clarke",
            "Nguyen",
            "Patel",
            "Murphy",
            "Campbell",
        ],
    ),
    "hispanic": (
        ["María", "Lucía", "Sofía", "Valentina", "Camila", "Isabela"],
        ["José", "Carlos", "Juan", "Diego", "Mateo", "Santiago"],
        [
            "García",
            "Rodríguez",
            "Martínez",
            "López",
            "González",
            "Hernández",
            "Pérez",
            "Sánchez",
            "Ramírez",
            "Torres",
        ],
    ),
    "lusophone": (
        ["Ana", "Beatriz", "Mariana", "Juliana", "Larissa"],
        ["João", "Pedro", "Lucas", "Gabriel", "Rafael"],
        ["Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Ferreira"],
    ),
    "german": (
        ["Anna", "Lena", "Katharina", "Julia", "Laura", "Sophie"],
        ["Lukas", "Felix", "Jonas", "Maximilian", "Tobias", "Florian"],
        ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Wagner", "Hoffmann"],
    ),
    "french": (
        ["Camille", "Léa", "Manon", "Chloé", "Inès"],
        ["Louis", "Hugo", "Thomas", "Nicolas", "Julien"],
        ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Lefèvre"],
    ),
    "italian": (
        ["Giulia", "Francesca", "Chiara", "Sara", "Martina"],
        ["Marco", "Luca", "Alessandro", "Matteo", "Lorenzo"],
        ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo"],
    ),
    "nordic": (
        ["Emma", "Ida", "Freja", "Aino", "Linnea"],
        ["Erik", "Lars", "Mikael", "Johan", "Anders"],
        ["Andersson", "Johansson", "Nielsen", "Hansen", "Virtanen", "Korhonen", "Berg"],
    ),
    "central": (
        ["Katarzyna", "Eva", "Zsófia", "Ioana", "Anna", "Fleur"],
        ["Piotr", "Tomáš", "Bence", "Andrei", "Jan", "Daan"],
        ["Nowak", "Kowalski", "Novák", "Nagy", "Popescu", "de Vries", "Jansen", "Horváth"],
    ),
    "south_asian": (
        ["Priya", "Ananya", "Aisha", "Sneha", "Fatima", "Nisha", "Kavya"],
        ["Rahul", "Arjun", "Vikram", "Imran", "Rohan", "Aditya", "Sanjay"],
        [
            "Sharma",
            "Patel",
            "Singh",
            "Kumar",
            "Gupta",
            "Reddy",
            "Khan",
            "Iyer",
            "Rahman",
            "Perera",
            "Shrestha",
        ],
    ),
    "african": (
        ["Amara", "Chiamaka", "Abena", "Wanjiru", "Thandiwe", "Aisha"],
        ["Chinedu", "Kwame", "Oluwaseun", "Kofi", "Tendai", "Abebe"],
        ["Okafor", "Adeyemi", "Mensah", "Otieno", "Nkosi", "Bekele", "Eze", "Mwangi"],
    ),
    "southeast_asian": (
        ["Linh", "Siti", "Maria", "Nurul", "Mai", "Angelica"],
        ["Minh", "Budi", "Ahmad", "Jose", "Tuan", "Rizal"],
        [
            "Nguyen",
            "Tran",
            "Santoso",
            "Wijaya",
            "Abdullah",
            "Reyes",
            "Cruz",
            "Tan",
            "Lim",
            "Bat-Erdene",
        ],
    ),
    "turkish": (
        ["Elif", "Zeynep", "Ayşe", "Merve"],
        ["Mehmet", "Mustafa", "Emre", "Burak"],
        ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk"],
    ),
}

NAME_STYLE: dict[str, str] = {
    **{c: "han" for c in ("CN", "HK", "MO", "TW", "SG")},
    "JP": "japanese",
    "KR": "korean",
    **{c: "cyrillic" for c in ("RU", "UA", "KZ")},
    **{c: "arabic" for c in ("SA", "AE", "QA", "JO", "EG", "MA")},
    "IR": "persian",
    "IL": "hebrew",
    "TH": "thai",
    "GR": "greek",
    **{c: "english" for c in ("US", "CA", "GB", "IE", "AU", "NZ")},
    **{c: "hispanic" for c in ("MX", "AR", "CL", "CO", "PE", "UY", "ES")},
    **{c: "lusophone" for c in ("BR", "PT")},
    **{c: "german" for c in ("DE", "AT", "CH")},
    **{c: "french" for c in ("FR", "BE")},
    "IT": "italian",
    **{c: "nordic" for c in ("SE", "NO", "DK", "FI", "EE")},
    **{c: "central" for c in ("PL", "CZ", "HU", "RO", "NL")},
    **{c: "south_asian" for c in ("IN", "PK", "BD", "LK", "NP")},
    **{c: "african" for c in ("NG", "GH", "KE", "ET", "ZA")},
    **{c: "southeast_asian" for c in ("VN", "ID", "MY", "PH", "MN")},
    "TR": "turkish",
}

NATIVE: dict[str, tuple[list[Pair], list[Pair], list[Pair]]] = {
    "han": HAN,
    "japanese": JAPANESE,
    "korean": KOREAN,
    "cyrillic": CYRILLIC,
    "arabic": ARABIC,
    "persian": PERSIAN,
    "hebrew": HEBREW,
    "thai": THAI,
    "greek": GREEK,
}

EMAIL_DOMAINS: dict[str, list[str]] = {
    "CN": ["qq.com", "163.com", "126.com", "foxmail.com", "gmail.com"],
    "HK": ["gmail.com", "yahoo.com.hk", "outlook.com"],
    "TW": ["gmail.com", "yahoo.com.tw"],
    "JP": ["yahoo.co.jp", "gmail.com", "docomo.ne.jp"],
    "KR": ["naver.com", "daum.net", "gmail.com"],
    "RU": ["yandex.ru", "mail.ru", "gmail.com"],
    "DE": ["web.de", "gmx.de", "gmail.com"],
    "FR": ["orange.fr", "free.fr", "gmail.com"],
    "IN": ["gmail.com", "rediffmail.com", "outlook.com"],
    "GB": ["gmail.com", "btinternet.com", "outlook.com"],
}
DEFAULT_DOMAINS = ["gmail.com", "outlook.com", "proton.me", "yahoo.com", "hotmail.com"]

# --- resumes -------------------------------------------------------------------------------

UNIVERSITIES: dict[str, list[tuple[str, str]]] = {  # (English, Chinese)
    "CN": [
        ("Tsinghua University", "清华大学"),
        ("Peking University", "北京大学"),
        ("Zhejiang University", "浙江大学"),
        ("Shanghai Jiao Tong University", "上海交通大学"),
        ("Fudan University", "复旦大学"),
        ("University of Science and Technology of China", "中国科学技术大学"),
        ("Harbin Institute of Technology", "哈尔滨工业大学"),
        ("Nanjing University", "南京大学"),
        ("Wuhan University", "武汉大学"),
        ("Huazhong University of Science and Technology", "华中科技大学"),
        ("Xidian University", "西安电子科技大学"),
        ("Sun Yat-sen University", "中山大学"),
    ],
    "HK": [
        ("The University of Hong Kong", "香港大学"),
        ("HKUST", "香港科技大学"),
        ("The Chinese University of Hong Kong", "香港中文大学"),
    ],
    "TW": [
        ("National Taiwan University", "台湾大学"),
        ("National Tsing Hua University", "清华大学（新竹）"),
    ],
    "SG": [
        ("National University of Singapore", "新加坡国立大学"),
        ("Nanyang Technological University", "南洋理工大学"),
    ],
    "US": [
        ("Stanford University", "斯坦福大学"),
        ("Carnegie Mellon University", "卡内基梅隆大学"),
        ("University of California, Berkeley", "加州大学伯克利分校"),
        ("Georgia Institute of Technology", "佐治亚理工学院"),
        ("University of Washington", "华盛顿大学"),
        ("University of Michigan", "密歇根大学"),
    ],
    "CA": [
        ("University of Toronto", "多伦多大学"),
        ("University of Waterloo", "滑铁卢大学"),
        ("McGill University", "麦吉尔大学"),
    ],
    "GB": [
        ("University of Cambridge", "剑桥大学"),
        ("University of Oxford", "牛津大学"),
        ("Imperial College London", "帝国理工学院"),
        ("University of Edinburgh", "爱丁堡大学"),
    ],
    "IN": [
        ("IIT Bombay", "印度理工学院孟买分校"),
        ("IIT Delhi", "印度理工学院德里分校"),
        ("Indian Institute of Science", "印度科学理工学院"),
        ("BITS Pilani", "比尔拉理工学院"),
    ],
    "DE": [
        ("Technical University of Munich", "慕尼黑工业大学"),
        ("RWTH Aachen University", "亚琛工业大学"),
        ("Karlsruhe Institute of Technology", "卡尔斯鲁厄理工学院"),
    ],
    "FR": [("École Polytechnique", "巴黎综合理工学院"), ("Sorbonne University", "索邦大学")],
    "CH": [("ETH Zurich", "苏黎世联邦理工学院"), ("EPFL", "洛桑联邦理工学院")],
    "JP": [("The University of Tokyo", "东京大学"), ("Kyoto University", "京都大学")],
    "KR": [("KAIST", "韩国科学技术院"), ("Seoul National University", "首尔大学")],
    "AU": [("University of Melbourne", "墨尔本大学"), ("University of Sydney", "悉尼大学")],
    "IL": [("Technion", "以色列理工学院"), ("Tel Aviv University", "特拉维夫大学")],
    "RU": [
        ("Moscow Institute of Physics and Technology", "莫斯科物理技术学院"),
        ("HSE University", "高等经济大学"),
    ],
    "BR": [("University of São Paulo", "圣保罗大学"), ("UNICAMP", "坎皮纳斯州立大学")],
    "NL": [
        ("Delft University of Technology", "代尔夫特理工大学"),
        ("University of Amsterdam", "阿姆斯特丹大学"),
    ],
}

COMPANIES: list[tuple[str, str]] = [
    ("Nimbus Analytics", "云朵数据"),
    ("BlueRiver AI", "蓝河智能"),
    ("Helix Robotics", "螺旋机器人"),
    ("Starlight Intelligence", "星辰智能"),
    ("CloudMap Technologies", "云图科技"),
    ("DeepBlue Data", "深蓝数据"),
    ("Vertex Labs", "顶点实验室"),
    ("Orchid Systems", "兰花系统"),
    ("Pioneer Mobility", "先锋出行"),
    ("Lattice Finance", "格点金融"),
    ("Harbor Health AI", "海港医疗智能"),
    ("Quantum Retail", "量子零售"),
    ("Maple Logistics", "枫叶物流"),
    ("Aurora Games", "极光游戏"),
    ("Sunrise E-commerce", "朝阳电商"),
    ("Tidewater Media", "潮汐传媒"),
    ("Atlas Semiconductors", "擎天半导体"),
    ("Greenfield Energy", "绿野能源"),
    ("Kestrel Security", "隼安全"),
    ("Mosaic Education", "拼图教育"),
]

DEGREES = {  # (English, Chinese)
    "phd": ("PhD", "博士"),
    "msc": ("MSc", "硕士"),
    "bsc": ("BSc", "学士"),
}

FIELDS: dict[str, list[tuple[str, str]]] = {
    "research": [
        ("Computer Science", "计算机科学与技术"),
        ("Mathematics", "数学"),
        ("Electrical Engineering", "电子工程"),
        ("Physics", "物理学"),
    ],
    "engineering": [
        ("Computer Science", "计算机科学与技术"),
        ("Software Engineering", "软件工程"),
        ("Electrical Engineering", "电子工程"),
        ("Automation", "自动化"),
    ],
    "data": [
        ("Statistics", "统计学"),
        ("Computer Science", "计算机科学与技术"),
        ("Applied Mathematics", "应用数学"),
        ("Economics", "经济学"),
    ],
    "product": [
        ("Business Administration", "工商管理"),
        ("Computer Science", "计算机科学与技术"),
        ("Industrial Engineering", "工业工程"),
    ],
    "design": [
        ("Interaction Design", "交互设计"),
        ("Visual Communication", "视觉传达设计"),
        ("Psychology", "心理学"),
    ],
    "people": [
        ("Human Resource Management", "人力资源管理"),
        ("Psychology", "心理学"),
        ("Business Administration", "工商管理"),
    ],
}

TITLES: dict[str, list[tuple[str, str]]] = {  # related job titles per family (English, Chinese)
    "research": [
        ("Research Engineer", "研究工程师"),
        ("Applied Scientist", "应用科学家"),
        ("Postdoctoral Researcher", "博士后研究员"),
        ("Algorithm Researcher", "算法研究员"),
    ],
    "engineering": [
        ("Algorithm Engineer", "算法工程师"),
        ("Backend Engineer", "后端工程师"),
        ("Senior Software Developer", "高级软件开发工程师"),
        ("Platform Engineer", "平台工程师"),
    ],
    "data": [
        ("Data Analyst", "数据分析师"),
        ("Analytics Engineer", "分析工程师"),
        ("Business Intelligence Engineer", "商业智能工程师"),
    ],
    "product": [
        ("Product Owner", "产品负责人"),
        ("Product Specialist", "产品专员"),
        ("Product Operations Manager", "产品运营经理"),
    ],
    "design": [
        ("UX Designer", "用户体验设计师"),
        ("Interaction Designer", "交互设计师"),
        ("UI Designer", "UI 设计师"),
    ],
    "people": [
        ("HR Generalist", "人力资源专员"),
        ("Talent Acquisition Partner", "人才招聘伙伴"),
        ("People Operations Specialist", "员工运营专员"),
    ],
}

THINGS: dict[str, list[tuple[str, str]]] = {
    "research": [
        ("a multilingual pre-training recipe", "多语言预训练方案"),
        ("an evaluation benchmark for reasoning", "推理能力评测基准"),
        ("a sparse mixture-of-experts model", "稀疏混合专家模型"),
        ("a long-context attention method", "长上下文注意力方法"),
        ("a reward model for dialogue", "对话奖励模型"),
    ],
    "engineering": [
        ("a recommendation service", "推荐服务"),
        ("the model-serving platform", "模型服务平台"),
        ("a real-time feature pipeline", "实时特征管道"),
        ("an internal developer portal", "内部开发者平台"),
        ("a low-latency inference API", "低延迟推理接口"),
        ("a search backend", "搜索后端"),
        ("an on-device vision model", "端侧视觉模型"),
        ("a GPU training cluster scheduler", "GPU 训练集群调度器"),
    ],
    "data": [
        ("the company data warehouse", "公司数据仓库"),
        ("a churn prediction model", "用户流失预测模型"),
        ("an experimentation platform", "实验平台"),
        ("daily KPI dashboards", "每日指标看板"),
        ("a training-data quality pipeline", "训练数据质量管道"),
    ],
    "product": [
        ("an AI writing assistant", "AI 写作助手"),
        ("a customer-support copilot", "智能客服助手"),
        ("the enterprise onboarding flow", "企业客户开通流程"),
        ("a pricing experiment", "定价实验"),
        ("a meeting-summary feature", "会议纪要功能"),
    ],
    "design": [
        ("the chat interface of an AI assistant", "AI 助手对话界面"),
        ("a design system for AI features", "AI 功能设计系统"),
        ("usability tests for a voice app", "语音应用可用性测试"),
    ],
    "people": [
        ("the campus hiring programme", "校园招聘项目"),
        ("a global referral scheme", "全球内推计划"),
        ("a talent review cycle", "人才盘点流程"),
        ("onboarding for international hires", "国际员工入职流程"),
        ("a structured interview guide", "结构化面试指南"),
    ],
}

METRICS: list[tuple[str, str]] = [
    ("latency", "延迟"),
    ("training cost", "训练成本"),
    ("error rate", "错误率"),
    ("time to hire", "招聘周期"),
    ("churn", "流失率"),
    ("inference cost", "推理成本"),
    ("defect rate", "缺陷率"),
    ("review time", "评审时间"),
]

BULLETS_EN = [
    "Built {thing} with {s1} and {s2}, cutting {metric} by {n}%.",
    "Led a team of {k} to deliver {thing} using {s1}.",
    "Designed and shipped {thing}; main tools: {s1}, {s2}.",
    "Improved {metric} by {n}% by applying {s1}.",
    "Owned {thing} used by {m} million people, built on {s1}.",
    "Mentored {k} colleagues in {s1} and {s2}.",
    "Introduced {s1} to the team and reduced {metric} by {n}%.",
]
BULLETS_ZH = [
    "使用{s1}和{s2}搭建{thing}，{metric}降低{n}%。",
    "带领{k}人团队基于{s1}完成{thing}。",
    "负责{thing}的设计与上线，主要技术：{s1}、{s2}。",
    "运用{s1}将{metric}优化了{n}%。",
    "负责服务{m}百万用户的{thing}，基于{s1}开发。",
    "指导{k}名同事掌握{s1}与{s2}。",
    "在团队中推广{s1}，{metric}下降{n}%。",
]

INTERESTS_EN = [
    "open-source contributor",
    "marathon runner",
    "chess",
    "photography",
    "hiking",
    "teaches a weekend coding club",
    "writes a technical blog",
    "plays the violin",
    "volunteer maths tutor",
    "hackathon organiser",
    "Go (weiqi) player",
    "rock climbing",
]
INTERESTS_ZH = [
    "开源社区贡献者",
    "马拉松",
    "国际象棋",
    "摄影",
    "徒步",
    "周末编程社团讲师",
    "技术博客作者",
    "小提琴",
    "数学志愿辅导",
    "黑客马拉松组织者",
    "围棋",
    "攀岩",
]

SENIORITY_EN = {"junior": "Junior", "mid": "Experienced", "senior": "Senior"}
SENIORITY_ZH = {"junior": "初级", "mid": "资深", "senior": "高级"}

STAFF_RECRUITERS = [
    "li.na",
    "wang.fang",
    "sarah.chen",
    "james.okafor",
    "maria.gonzalez",
    "zhang.wei",
    "priya.sharma",
    "recruiter",
]
STAFF_MANAGERS = ["chen.jie", "liu.yang", "david.kim", "anna.schmidt", "zhou.min", "omar.haddad"]
STAFF_HR = ["hr.sun.li", "hr.emily.brown", "hr.guo.jing"]
