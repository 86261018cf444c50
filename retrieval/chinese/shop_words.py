"""Hand-written Chinese shop vocabulary that CC-CEDICT lacks or glosses in other senses.

CC-CEDICT gives 包 "cover, wrap, hold, ..." and has no 移动硬盘 or 数据线; a shopper means a bag,
an external hard drive and a data cable. These tables hold the everyday words of Chinese
e-commerce for electronics and general goods (the words any shop's search box sees), the
Chinese names of international brands, and the words that carry no product meaning. Each
English word is checked against the catalog at run time: a gloss the catalog never uses is
not searched for.
"""

from __future__ import annotations

SHOP_WORDS: dict[str, str] = {
    # computers and parts
    "电脑": "computer", "台式机": "desktop", "台式电脑": "desktop computer",
    "笔记本": "notebook|laptop", "笔记本电脑": "laptop|notebook", "游戏本": "gaming laptop",
    "轻薄本": "ultrabook", "一体机": "all-in-one", "主机": "desktop|pc", "上网本": "netbook",
    "平板": "tablet", "平板电脑": "tablet", "电竞": "gaming", "游戏": "gaming",
    "显示器": "monitor", "屏幕": "screen", "显示屏": "display", "曲面屏": "curved monitor",
    "键盘": "keyboard", "机械键盘": "mechanical keyboard", "鼠标": "mouse",
    "鼠标垫": "mouse pad", "键鼠套装": "keyboard mouse set", "手写笔": "stylus",
    "触控笔": "stylus", "电容笔": "stylus", "摄像头": "webcam|camera", "麦克风": "microphone",
    "话筒": "microphone", "声卡": "sound card", "显卡": "graphics card", "主板": "motherboard",
    "内存": "memory|ram", "内存条": "memory module|ram", "处理器": "processor|cpu",
    "硬盘": "hard drive", "机械硬盘": "hard drive|hdd", "固态硬盘": "ssd|solid state drive",
    "固态": "ssd", "移动硬盘": "external hard drive", "外置硬盘": "external hard drive",
    "光驱": "optical drive|dvd drive", "刻录机": "dvd writer", "外置光驱": "external dvd drive",
    "电源": "power supply", "机箱": "computer case", "散热器": "cooler", "风扇": "fan",
    "散热风扇": "cooling fan", "机箱风扇": "case fan", "网卡": "network adapter",
    "路由器": "router", "无线路由器": "wireless router", "交换机": "switch",
    "网线": "network cable",
    "集线器": "hub", "扩展坞": "docking station", "拓展坞": "docking station",
    "转换器": "adapter", "转接头": "adapter", "适配器": "adapter", "扫描仪": "scanner",
    "投影仪": "projector", "投影幕": "projector screen", "幕布": "projector screen",
    "打印机": "printer", "激光打印机": "laser printer", "喷墨打印机": "inkjet printer",
    "墨盒": "ink cartridge", "粉盒": "toner cartridge|toner", "墨粉盒": "toner cartridge|toner",
    "硒鼓": "toner cartridge", "碳粉": "toner", "墨粉": "toner",
    "打印纸": "paper", "复印纸": "copy paper", "计算器": "calculator", "碎纸机": "shredder",
    "服务器": "server", "存储": "storage", "网络存储": "nas",
    # words of Taiwan and Hong Kong, when typed in simplified characters
    "滑鼠": "mouse", "随身碟": "usb flash drive", "萤幕": "screen", "笔电": "laptop|notebook",
    "笔记型电脑": "laptop|notebook", "记忆卡": "memory card", "硬碟": "hard drive",
    "印表机": "printer", "喇叭": "speaker", "耳麦克风": "headset",
    # phones, tablets and accessories
    "手机": "phone|smartphone", "智能手机": "smartphone", "手机壳": "phone case",
    "保护壳": "case", "保护套": "case|cover", "手机套": "phone case", "贴膜": "screen protector",
    "钢化膜": "screen protector", "手机支架": "phone stand", "支架": "stand",
    "充电器": "charger", "充电头": "charger", "快充": "fast charger", "无线充": "wireless charger",
    "充电宝": "power bank", "移动电源": "power bank", "数据线": "cable", "充电线": "charging cable",
    "线": "cable", "延长线": "extension cord", "插线板": "power strip", "排插": "power strip",
    "插座": "socket", "电话线": "phone cord", "电池": "battery", "充电电池": "rechargeable battery",
    "电话": "phone", "座机": "telephone", "对讲机": "two-way radio",
    # audio and video
    "耳机": "headphones|earphones", "头戴式耳机": "headphones", "入耳式耳机": "earphones",
    "耳塞": "earbuds", "头戴": "head-band|over-ear", "入耳": "in-ear", "头戴耳机": "headphones",
    "蓝牙耳机": "bluetooth headphones", "无线耳机": "wireless headphones",
    "耳麦": "headset", "音箱": "speaker", "音响": "speakers", "蓝牙音箱": "bluetooth speaker",
    "低音炮": "subwoofer", "环绕声": "surround sound", "回音壁": "soundbar", "功放": "amplifier",
    "收音机": "radio", "播放器": "player", "唱机": "turntable", "随身听": "portable player",
    "电视": "tv|television", "电视机": "tv|television", "智能电视": "smart tv",
    "平板电视": "flat screen tv", "机顶盒": "set-top box", "遥控器": "remote control",
    "相机": "camera", "数码相机": "digital camera", "单反": "dslr camera",
    "微单": "mirrorless camera",
    "镜头": "lens", "三脚架": "tripod", "相机包": "camera bag", "存储卡": "memory card",
    "内存卡": "memory card", "储存卡": "memory card", "读卡器": "card reader",
    "闪存卡": "flash card",
    "U盘": "usb flash drive", "优盘": "usb flash drive", "TF卡": "micro sd card",
    "SD卡": "sd card", "CF卡": "compactflash card", "卡": "card", "壳": "case", "套": "case",
    "苹果手机": "iphone",
    "苹果平板": "ipad", "苹果电脑": "mac", "苹果笔记本": "macbook", "闪存盘": "usb flash drive",
    "录音笔": "voice recorder", "摄像机": "camcorder", "运动相机": "action camera",
    "无人机": "drone", "游戏机": "game console", "手柄": "controller",
    "游戏手柄": "gamepad|controller",
    "掌机": "handheld console", "光盘": "disc",
    # wearables and smart home
    "手表": "watch", "智能手表": "smartwatch", "手环": "fitness tracker",
    "智能手环": "fitness tracker",
    "导航": "gps|navigation", "导航仪": "gps navigator", "定位": "gps", "智能家居": "smart home",
    "灯": "lamp|light", "台灯": "desk lamp", "小夜灯": "night light", "夜灯": "night light",
    "灯泡": "bulb", "手电筒": "flashlight", "电扇": "fan", "落地扇": "floor fan",
    "空调": "air conditioner",
    "加湿器": "humidifier", "净化器": "purifier", "吸尘器": "vacuum cleaner", "电水壶": "kettle",
    "咖啡机": "coffee machine", "微波炉": "microwave", "冰箱": "fridge",
    "洗衣机": "washing machine",
    # bags, furniture, general goods
    "包": "bag", "电脑包": "laptop bag", "笔记本包": "laptop bag", "双肩包": "backpack",
    "背包": "backpack", "书包": "backpack", "收纳包": "pouch", "内胆包": "sleeve",
    "旅行箱": "suitcase",
    "桌子": "desk", "电脑桌": "computer desk", "书桌": "desk", "办公桌": "office desk",
    "椅子": "chair", "电竞椅": "gaming chair", "办公椅": "office chair", "桌": "desk",
    "书": "book", "图书": "books", "书籍": "books", "鞋": "shoes", "鞋子": "shoes",
    "球鞋": "sneakers",
    "帆布鞋": "canvas shoes", "衣服": "clothing", "咖啡": "coffee", "咖啡豆": "coffee beans",
    # qualities shoppers ask for
    "无线": "wireless", "有线": "wired", "蓝牙": "bluetooth", "便携": "portable",
    "便携式": "portable", "外置": "external", "外接": "external", "内置": "internal",
    "静音": "silent", "降噪": "noise cancelling", "防水": "waterproof", "超薄": "slim",
    "高清": "hd", "超高清": "ultra hd", "曲面": "curved", "触摸屏": "touchscreen",
    "触屏": "touchscreen",
    "彩色": "colour", "黑白": "monochrome", "激光": "laser", "喷墨": "inkjet",
    "多功能": "multifunction", "一体": "all-in-one", "智能": "smart", "迷你": "mini",
    "黑色": "black", "白色": "white", "红色": "red", "蓝色": "blue", "银色": "silver",
    "灰色": "grey", "粉色": "pink", "金色": "gold", "绿色": "green", "黄色": "yellow",
    "机械": "mechanical", "光学": "optical", "人体工学": "ergonomic", "背光": "backlit",
    "专业": "professional|pro", "商务": "business", "办公": "office", "家用": "home",
    "儿童": "kids", "老人": "senior", "车载": "car", "户外": "outdoor", "运动": "sports",
    "安卓": "android", "原装": "original", "正品": "",
}
"""Word -> the English a catalog would use; "|" separates alternatives (the one the catalog's
titles use most is searched: "notebook" in one shop, "laptop" in another); "" means the word
carries nothing to search for ("genuine")."""

BRANDS: dict[str, str] = {
    "欧珀": "Oppo", "维沃": "Vivo", "真我": "Realme", "劳力士": "Rolex", "香奈儿": "Chanel",
    "迪奥": "Dior", "古驰": "Gucci", "杜嘉班纳": "Dolce & Gabbana", "欧米茄": "Omega",
    "罗技": "Logitech", "惠普": "HP", "联想": "Lenovo", "华为": "Huawei", "三星": "Samsung",
    "索尼": "Sony", "戴尔": "Dell", "苹果": "Apple", "微软": "Microsoft", "华硕": "ASUS",
    "宏碁": "Acer", "宏基": "Acer", "佳能": "Canon", "尼康": "Nikon", "爱普生": "Epson",
    "兄弟": "Brother", "飞利浦": "Philips", "松下": "Panasonic", "东芝": "Toshiba",
    "希捷": "Seagate", "西部数据": "Western Digital", "西数": "Western Digital",
    "金士顿": "Kingston", "闪迪": "SanDisk", "小米": "Xiaomi", "英特尔": "Intel", "超威": "AMD",
    "英伟达": "NVIDIA", "技嘉": "Gigabyte", "微星": "MSI", "明基": "BenQ", "优派": "ViewSonic",
    "雷蛇": "Razer", "海盗船": "Corsair", "贝尔金": "Belkin", "博士": "Bose",
    "铁三角": "Audio-Technica",
    "森海塞尔": "Sennheiser", "漫步者": "Edifier", "任天堂": "Nintendo", "富士": "Fujifilm",
    "富士通": "Fujitsu", "理光": "Ricoh", "施乐": "Xerox", "利盟": "Lexmark", "京瓷": "Kyocera",
    "奥林巴斯": "Olympus", "卡西欧": "Casio", "夏普": "Sharp", "日立": "Hitachi", "先锋": "Pioneer",
    "建伍": "Kenwood", "雅马哈": "Yamaha", "天龙": "Denon", "哈曼卡顿": "Harman Kardon",
    "捷波朗": "Jabra", "缤特力": "Plantronics", "魅族": "Meizu", "一加": "OnePlus",
    "谷歌": "Google", "亚马逊": "Amazon", "摩托罗拉": "Motorola", "诺基亚": "Nokia",
    "黑莓": "BlackBerry", "中兴": "ZTE", "荣耀": "Honor", "努比亚": "Nubia", "锐捷": "Ruijie",
    "普联": "TP-Link", "友讯": "D-Link", "网件": "Netgear", "思科": "Cisco", "绿联": "Ugreen",
    "安克": "Anker", "倍思": "Baseus", "公牛": "Bull", "得力": "Deli", "晨光": "M&G",
    "莱卡": "Leica", "徕卡": "Leica", "适马": "Sigma", "腾龙": "Tamron", "大疆": "DJI",
    "影驰": "Galax", "七彩虹": "Colorful", "映众": "Inno3D", "索泰": "Zotac", "蓝宝石": "Sapphire",
    "讯景": "XFX", "海力士": "SK Hynix", "美光": "Micron", "英睿达": "Crucial", "威刚": "ADATA",
    "宇瞻": "Apacer", "创见": "Transcend", "朗科": "Netac", "雷克沙": "Lexar",
    "酷冷至尊": "Cooler Master",
    "九州风神": "Deepcool", "爱国者": "Aigo", "先马": "Sama", "航嘉": "Huntkey",
    "长城": "Great Wall",
    "艾尔莎": "Elsa", "乐视": "LeTV", "海信": "Hisense", "创维": "Skyworth", "长虹": "Changhong",
    "康佳": "Konka", "海尔": "Haier", "美的": "Midea", "格力": "Gree", "戴森": "Dyson",
    "博朗": "Braun", "伊莱克斯": "Electrolux", "西门子": "Siemens", "博世": "Bosch",
    "德龙": "DeLonghi",
    "雀巢": "Nestle", "耐克": "Nike", "阿迪达斯": "Adidas", "万斯": "Vans", "匡威": "Converse",
    "新秀丽": "Samsonite", "威戈": "Wenger", "瑞士军刀": "Victorinox", "宝利通": "Polycom",
    "施耐德": "Schneider", "山特": "Santak", "艾默生": "Emerson", "伊顿": "Eaton",
    "金河田": "Golden Field", "双飞燕": "A4Tech", "雷柏": "Rapoo", "达尔优": "Dareu",
    "樱桃": "Cherry", "赛睿": "SteelSeries", "冰豹": "Roccat", "美商海盗船": "Corsair",
    "索尼爱立信": "Sony Ericsson", "爱立信": "Ericsson", "西铁城": "Citizen", "精工": "Seiko",
    "佳明": "Garmin", "颂拓": "Suunto", "飞毛腿": "Scud", "南孚": "Duracell", "金霸王": "Duracell",
    "劲量": "Energizer", "松下电池": "Panasonic", "威刚科技": "ADATA", "宏达": "HTC",
}
"""Chinese brand name -> its name in Latin letters (only brands the catalog carries become
filters; the rest read as brands it lacks)."""

NO_MEANING: frozenset[str] = frozenset([
    "小",  # a diminutive before a product word (小风扇, 小音箱), not a size asked for
    "的", "了", "吗", "呢", "吧", "啊", "呀", "哦", "嘛", "我", "我们", "你", "你们", "您", "他",
    "她", "它", "想", "想要", "要", "需要", "买", "购买", "找", "找找", "看看", "看", "给", "给我",
    "帮", "帮我", "推荐", "推荐一下", "一下", "一个", "一款", "一台", "一部", "一副", "一只",
    "一条", "一些", "个", "款", "台", "部", "副", "只", "条", "件", "些", "种", "有没有", "请",
    "请问", "能", "可以", "哪个", "哪款", "什么", "好", "好用", "好的", "不错", "便宜的", "适合",
    "用", "用的", "用于", "专用", "款式", "这个", "那个", "这些", "那些", "东西", "产品", "商品",
    "来", "一点", "点", "还", "也", "都", "就", "是", "在", "和", "与", "跟", "及", "或", "或者",
    "还是", "以及", "又", "很", "非常", "最好", "比较好", "价格", "价位", "预算", "左右", "大概",
    "大约", "差不多", "送", "送人", "礼物", "新款", "新", "最新", "热门", "爆款", "质量", "性价比",
    "高性价比",
])
"""Words with no product meaning in a shopping query ("我想买一个 ..."): dropped, never
reported as words the catalog lacks."""
