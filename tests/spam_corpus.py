"""A labelled corpus of comments, spam and real, and how the spam filter is measured on it.

Built from one seed, so every run sees the same comments: readers of an
Arabic defence news site writing in Arabic, English and both (opinions,
replies, questions, now and then a source link), and the spam such a site
gets (casinos, crypto, pills, "spiritual healers" and loans with a WhatsApp
number, SEO link drops, followers for sale), Arabic spam often disguised
with tashkeel, tatweel, zero-width characters and Arabic-Indic digits. Some
spam is only a short compliment with a website, as some real comments are:
no filter gets everything right here.
"""

import random
from dataclasses import dataclass

from moderation import bayes, rules

SEED = 20240605
HAM_COUNT = 300
SPAM_COUNT = 220
THRESHOLD = 0.9

COUNTRIES_AR = ("مصر", "السعودية", "الجزائر", "المغرب", "تركيا", "إيران", "روسيا", "الصين", "أمريكا", "فرنسا",
                "الإمارات", "قطر", "العراق", "الأردن", "باكستان", "الهند")
COUNTRIES_EN = ("Egypt", "Saudi Arabia", "Algeria", "Morocco", "Turkey", "Iran", "Russia", "China", "the US",
                "France", "the UAE", "Qatar", "Israel", "India", "Pakistan")
SYSTEMS = ("F-35", "S-400", "Rafale", "Patriot", "Su-57", "J-10C", "Bayraktar TB2", "HIMARS", "Eurofighter",
           "THAAD", "K9 Thunder", "Leopard 2", "Abrams", "Kinzhal")
SYSTEMS_AR = ("رافال", "باتريوت", "إس 400", "إف 35", "سوخوي 57", "بيرقدار", "هيمارس", "يوروفايتر", "ثاد",
              "الغواصات الألمانية", "حاملة الطائرات", "الفرقاطات الإيطالية")
TOPICS_EN = ("drones", "air defence", "naval power", "electronic warfare", "military budgets", "the arms trade")

HAM_AR = (
    "{country} تحتاج إلى تطوير صناعتها الدفاعية بدل الاعتماد على الاستيراد",
    "صفقة {system} ستغير ميزان القوى في المنطقة",
    "منظومة {system_ar} أثبتت فعاليتها في الحرب الأخيرة",
    "المناورات المشتركة بين {country} و{country2} رسالة واضحة للجميع",
    "ميزانية الدفاع في {country} ارتفعت إلى {number} مليار دولار هذا العام",
    "الطائرات المسيرة غيرت قواعد الاشتباك تماماً",
    "لا أظن أن {country} ستوافق على هذه الشروط",
    "التدريب أهم من السلاح نفسه، والجيوش العربية تحتاج إلى عقيدة قتالية حديثة",
    "الخبر غير دقيق، الصفقة لم توقع بعد",
    "طائرة {system_ar} ممتازة لكن تكلفة تشغيلها مرتفعة جداً",
    "هل تم تأكيد الخبر من مصادر رسمية في {country}؟",
    "كم يبلغ مدى صواريخ {system_ar}؟",
    "أتمنى أن نرى تعاوناً عسكرياً عربياً حقيقياً",
    "الصين أصبحت منافساً قوياً في سوق السلاح",
    "مقال ممتاز وتحليل عميق، شكراً للكاتب",
    "أختلف مع الكاتب، {country} لديها خيارات أخرى",
    "الحرب الإلكترونية هي ساحة المعركة القادمة",
    "الدفاع الجوي هو نقطة الضعف الأكبر في المنطقة",
    "شركات السلاح تحقق أرباحاً ضخمة من كل حرب",
    "العقوبات دفعت بعض الدول إلى استخدام العملات الرقمية في صفقات السلاح",
    "نقل التكنولوجيا أهم من شراء {number} طائرة جاهزة",
    "الجيش في {country} من أقوى جيوش المنطقة بلا منازع",
    "سؤال للكاتب: هل تشمل الصفقة قطع الغيار والتدريب؟",
    "التصنيع المحلي في {country} خطوة في الاتجاه الصحيح",
    "هذا العرض العسكري كان رسالة سياسية قبل أن يكون استعراضاً للقوة",
    "الاعتماد على مورد واحد للسلاح خطأ استراتيجي",
    "لماذا لا يذكر المقال موقف {country2}؟",
    "الأقمار الصناعية العسكرية أصبحت ضرورة لا رفاهية",
    "أرجو تصحيح الرقم في الفقرة الثانية، العدد الصحيح {number}",
    "الغواصات هي السلاح الأخطر في أي حرب بحرية قادمة",
    "المدفعية ما زالت ملكة المعركة رغم كل التطورات",
    "متابع للموقع منذ سنوات وأفضل موقع عربي في الشؤون العسكرية",
    "الجيش منع استخدام الواتساب على هواتف الجنود وهذا قرار صحيح",
    "العرض الفرنسي كان أفضل من العرض الأمريكي بكثير",
    "أفضل تحليل قرأته عن الطائرات المسيرة هذا العام",
    "الاستثمار في التصنيع العسكري يوفر فرص عمل للشباب",
    "تواصلت مع الكاتب سابقاً وكان رده مفيداً جداً",
)
HAM_AR_OPENERS = ("", "", "", "برأيي ", "في الحقيقة ", "بصراحة ", "من وجهة نظري ", "أعتقد أن ", "للأسف ",
                  "كمتابع قديم، ")
HAM_AR_CLOSERS = ("", "", "", " والله أعلم.", " شكراً للموقع.", " ننتظر المزيد من التفاصيل.", " تحياتي.",
                  " ما رأيكم؟", ".")
HAM_EN = (
    "The {system} deal will change the balance of power in the region",
    "Interesting analysis, but I think {country_en} will not accept these terms",
    "Does anyone know the range of the {system}?",
    "Defence spending in {country_en} went up to {number} billion dollars this year",
    "Drones have changed the battlefield completely",
    "Great article, thanks for the detailed breakdown of {topic}",
    "Training matters more than hardware, always has",
    "I served in the air force for twenty years and this is exactly right",
    "Not sure about this, the contract has not been signed yet",
    "The {system} is overrated, maintenance costs are huge",
    "Who will pay for all this when oil prices drop?",
    "{country_en} is clearly hedging between Washington and Moscow",
    "Good piece on {topic}, would love a follow-up",
    "The headline overstates what was actually agreed",
    "Sanctions pushed some buyers towards paying in crypto, which is worrying",
    "Arms companies profit from every war, nothing new here",
    "The army banned WhatsApp on soldiers' phones for good reason",
    "Free advice to the ministry: buy fewer jets and more air defence",
    "I made the same point last week, the offer from {country_en} was better",
    "Best analysis I have read on {topic} this year",
    "Typo in the third paragraph: it is {number}, not {number2}",
    "Local production in {country_en} is the right move",
    "Why no mention of {country_en} in this article?",
)
HAM_MIXED = (
    "صفقة {system} مع {country} متوقفة، the F-35 is not for sale to everyone",
    "المقارنة مع {system} غير دقيقة في رأيي، different roles entirely",
    "Thanks for the article! شكراً على المقال",
    "خبر مهم جداً. Let's see what {country_en} does next",
    "منظومة {system} ليست الحل لكل شيء، the costs are huge",
    "هل ستشارك {country} في المناورات؟ Any source on that?",
)
SOURCES = ("https://www.reuters.com/world/middle-east/", "https://www.defensenews.com/air/",
           "https://www.aljazeera.net/news/", "https://ar.wikipedia.org/wiki/", "https://www.youtube.com/watch?v=",
           "https://www.janes.com/defence-news/", "https://www.bbc.com/arabic/")
NAMES_AR = ("أحمد", "محمد العتيبي", "فاطمة", "يوسف", "خالد المصري", "سارة", "عبد الله الشمري", "نور الدين", "مريم",
            "عمر", "ليلى حسن", "حسام", "أبو ياسر", "رشيد المغربي", "هدى", "مهندس طيران", "عسكري متقاعد", "أم محمد")
NAMES_EN = ("John Carter", "Mike", "Defence Watcher", "Anna K.", "Sam", "navy_fan", "Tom", "Karim", "Sara H.")
HANDLES = ("ahmed", "m.otaibi", "fatima.z", "youssef84", "khaled", "sara.h", "abdullah", "noureddine", "mariam",
           "omar.f", "layla", "hossam", "abu.yasser", "rachid", "huda", "jcarter", "mike77", "defwatch", "anna.k")
MAIL_DOMAINS = ("gmail.com", "hotmail.com", "yahoo.com", "outlook.sa", "live.com", "icloud.com")
HAM_SITES = ("https://blog.example.org", "https://defence-notes.example.net", "http://my-aviation.example.com")

SPAM_AR = (
    "اربح {money} يومياً مع أفضل كازينو أونلاين في الوطن العربي، سجل الآن واحصل على مكافأة ترحيبية {link}",
    "مواقع مراهنات رياضية موثوقة، بونص {percent}% على أول إيداع {link}",
    "العب الروليت والبوكر واربح جوائز نقدية حقيقية {link}",
    "استثمر في العملات الرقمية واربح {money} دولار أسبوعياً مع منصة تداول مضمونة، تواصل معي واتساب {phone}",
    "ربحت {money} دولار في شهر واحد من تداول البيتكوين بفضل الخبير {spammer}، راسلوه على {phone}",
    "فرصة استثمارية لا تعوض، أرباح يومية مضمونة {percent}% بدون أي مخاطرة {link}",
    "حبوب فياجرا أصلية توصيل سريع لجميع الدول العربية {link}",
    "أفضل حبوب تنحيف طبيعية، تخسيس {percent} كيلو في أسبوع، للطلب واتساب {phone}",
    "الشيخ الروحاني {spammer} لجلب الحبيب ورد المطلقة وفك السحر، اتصل {phone}",
    "علاج روحاني لفك السحر والمس والعين والحسد، واتساب {phone}",
    "قرض شخصي بدون كفيل وبدون تحويل راتب، تمويل فوري خلال ساعة، تواصل {phone}",
    "سداد المديونيات وتمويل شخصي للمواطنين والمقيمين، اتصل الآن {phone}",
    "وظائف من المنزل براتب {money} ريال شهرياً بدون خبرة، للتسجيل {link}",
    "زيادة متابعين انستقرام وتيك توك حقيقيين بأسعار رخيصة {link}",
    "شهادات جامعية معتمدة ورخص قيادة للبيع، تواصل {phone}",
    "شركة نقل عفش بالرياض، أفضل شركة تنظيف منازل بجدة، شركة مكافحة حشرات بالدمام {link} {link2} {link3}",
    "أرخص شركة نقل أثاث مع الفك والتركيب والتغليف {link}",
    "تصميم مواقع واحترافي وتسويق إلكتروني وتصدر نتائج البحث في جوجل {link}",
    "الحقيقة التي يخفيها الإعلام عن {country}، اقرأ التفاصيل الكاملة على {link}",
    "هل تبحث عن دخل إضافي؟ انضم إلى فريقنا الآن {link}",
    "أسهم شركات الدفاع ستتضاعف هذا العام، انضم إلى قناة التوصيات {link}",
)
SPAM_EN = (
    "Best online casino {year}! Get a {percent}% welcome bonus and free spins at {link}",
    "Win real money playing slots and poker, sign up now {link}",
    "Top sports betting site with instant withdrawals {link}",
    "I made ${money} in one week trading bitcoin with expert {spammer}, contact him on WhatsApp {phone}",
    "Invest in crypto today and double your money, guaranteed profit {link}",
    "Recover your lost crypto funds, contact our recovery experts at {email}",
    "Buy cialis and viagra online without prescription, cheap prices {link}",
    "Cheap generic pills, discreet shipping worldwide {link}",
    "Fast personal loans with no credit check, apply today {link}",
    "Work from home and earn ${money} per month, no experience needed {link}",
    "Buy Instagram followers and YouTube views, cheap and fast {link}",
    "Hello, I am {spammer}, a certified hacker. I can recover accounts and spy on phones, email {email}",
    "Best SEO services, rank first on Google in 30 days {link} {link2} {link3}",
    "This is what the media will not tell you about {country_en}, read the full truth at {link}",
    "Anyone interested in military surplus gear at half price, check {link}",
    "Great news for investors, defence stocks will triple this year, join our signals group {link}",
)
# Link drops: a compliment that would pass for a reader's, with the link in
# the website field (and sometimes the text). Hard on purpose.
SPAM_GENERIC = (
    "Great post, very informative. I also wrote about {topic} here {link}",
    "Thanks for sharing this useful information, keep it up!",
    "I really like your blog, the content is awesome. Check out my site too",
    "Very nice article, I bookmarked your website",
    "موضوع رائع، شكراً لكم. زوروا موقعنا لمزيد من المعلومات",
    "مقال مفيد جداً، بالتوفيق دائماً",
    "شكراً على المعلومات القيمة {link}",
    "Good article, I agree with most points",
    "مقال جميل ومعلومات مفيدة",
    "Thanks, very helpful",
)
SPAMMERS = ("Dr. Williams", "Mr. Robert", "أبو فهد", "الشيخ أبو سعد", "Crypto King", "Best Casino",
            "SEO Expert Dubai", "شركة الإتقان", "Jessica", "Mark Trader")
# Spam sites: a new name now and then, made of the words spammers like.
SITE_WORDS = ("best", "top", "cheap", "arab", "saudi", "gulf", "win", "pro", "deals", "hub", "news", "info",
              "casino", "crypto", "pharma", "loans", "followers", "seo", "jobs", "nakl", "tanzif", "rank")
SITE_TLDS = ("com", "net", "xyz", "io", "online", "shop", "info", "co", "biz")
SPAM_MAIL_DOMAINS = ("gmail.com", "gmail.com", "hotmail.com", "outlook.com", "yahoo.com", "mail.ru",
                     "protonmail.com")

TASHKEEL = "\u064e\u064f\u0650\u0651\u0652\u064b\u064c\u064d"
TATWEEL = "\u0640"
INVISIBLE = "\u200c\u200d\u200b\u2060"
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@dataclass(frozen=True)
class Labelled:
    """One comment's fields (body, author, email, url, ip) and whether a moderator would call it spam."""

    fields: dict
    spam: bool


@dataclass(frozen=True)
class Figures:
    """Precision, recall and F1 of one way of flagging spam on the held-out part."""

    precision: float
    recall: float
    f1: float
    caught: int
    false_alarms: int
    missed: int


@dataclass(frozen=True)
class Report:
    """How many comments the filter learned from and was measured on, and the figures of each way."""

    train_size: int
    test_size: int
    threshold: float
    filter: Figures
    rules: Figures
    combined: Figures


# What a moderator of a new site would start with.
STARTER_RULES = rules.Rules(
    blocked_words=("casino", "كازينو", "viagra", "فياجرا", "cialis", "porn", "قمار", "poker", "بوكر", "roulette"),
    held_words=("whatsapp", "واتساب", "bitcoin", "بيتكوين", "crypto", "loan", "قرض", "telegram", "تليجرام"),
    max_links=2,
)


def corpus(seed=SEED):
    """The labelled comments, shuffled: HAM_COUNT real ones and SPAM_COUNT spam, no body twice."""
    rnd = random.Random(seed)
    items, bodies = [], set()
    for make, count in ((_ham, HAM_COUNT), (_spam, SPAM_COUNT)):
        made = 0
        while made < count:
            item = make(rnd)
            if item.fields["body"] not in bodies:
                bodies.add(item.fields["body"])
                items.append(item)
                made += 1
    rnd.shuffle(items)
    return items


def split(items, test_share=0.5):
    """(train, test): the first part of each label to learn from, the rest held out."""
    train, test = [], []
    for label in (True, False):
        group = [item for item in items if item.spam is label]
        cut = round(len(group) * (1 - test_share))
        train += group[:cut]
        test += group[cut:]
    return train, test


def evaluate(filter_store, items, threshold=THRESHOLD, starter_rules=STARTER_RULES):
    """Teach ``filter_store`` (a FilterStore) the training part, then measure on the held-out part."""
    train, test = split(items)
    for item in train:
        filter_store.learn(bayes.tokens(item.fields), bayes.SPAM if item.spam else bayes.HAM)
    by_filter, by_rules = [], []
    for item in test:
        probability, _ = filter_store.score(bayes.tokens(item.fields))
        by_filter.append(probability >= threshold)
        by_rules.append(rules.verdict(rules.check(item.fields, starter_rules)) is not None)
    actual = [item.spam for item in test]
    combined = [a or b for a, b in zip(by_filter, by_rules, strict=True)]
    return Report(len(train), len(test), threshold, figures(by_filter, actual), figures(by_rules, actual),
                  figures(combined, actual))


def figures(predicted, actual):
    caught = sum(p and a for p, a in zip(predicted, actual, strict=True))
    false_alarms = sum(p and not a for p, a in zip(predicted, actual, strict=True))
    missed = sum(a and not p for p, a in zip(predicted, actual, strict=True))
    precision = caught / (caught + false_alarms) if caught + false_alarms else 1.0
    recall = caught / (caught + missed) if caught + missed else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Figures(precision, recall, f1, caught, false_alarms, missed)


def _ham(rnd):
    kind = rnd.random()
    if kind < 0.55:
        body = rnd.choice(HAM_AR_OPENERS) + _fill(rnd, rnd.choice(HAM_AR)) + rnd.choice(HAM_AR_CLOSERS)
        if rnd.random() < 0.3:
            body += " " + _fill(rnd, rnd.choice(HAM_AR)) + "."
        if rnd.random() < 0.08:
            body = _disguise(rnd, body, TASHKEEL, 0.15)  # some readers write the harakat
    elif kind < 0.8:
        body = _fill(rnd, rnd.choice(HAM_EN)) + rnd.choice((".", "!", "", "."))
        if rnd.random() < 0.3:
            body += " " + _fill(rnd, rnd.choice(HAM_EN)) + "."
    else:
        body = _fill(rnd, rnd.choice(HAM_MIXED))
    if rnd.random() < 0.15:
        name = rnd.choice(NAMES_AR + NAMES_EN)
        body = rnd.choice((f"رداً على {name}: ", f"@{name} ", f"أتفق مع {name}، ", f"Reply to {name}: ")) + body
    links = rnd.choices((0, 1, 2, 3), weights=(78, 17, 4, 1))[0]
    for _ in range(links):
        body += rnd.choice((" المصدر: ", " source: ", " ", " شاهد: ")) + rnd.choice(SOURCES) + _slug(rnd)
    author = rnd.choice(NAMES_AR + NAMES_EN)
    email = f"{rnd.choice(HANDLES)}{rnd.randint(1, 99) if rnd.random() < 0.4 else ''}@{rnd.choice(MAIL_DOMAINS)}"
    url = rnd.choice(HAM_SITES) if rnd.random() < 0.15 else ""
    return Labelled({"body": body, "author": author, "email": email, "url": url, "ip": _ip(rnd)}, False)


def _spam(rnd):
    kind = rnd.random()
    if kind < 0.55:
        body = _fill(rnd, rnd.choice(SPAM_AR))
        if rnd.random() < 0.6:
            body = _disguise(rnd, body, rnd.choice((TASHKEEL, TATWEEL, INVISIBLE)), rnd.choice((0.1, 0.25, 0.4)))
    elif kind < 0.85:
        body = _fill(rnd, rnd.choice(SPAM_EN))
    else:
        body = _fill(rnd, rnd.choice(SPAM_GENERIC))
    author = rnd.choice(SPAMMERS) if rnd.random() < 0.5 else rnd.choice(NAMES_AR + NAMES_EN)
    email = f"{rnd.choice(HANDLES)}{rnd.randint(1, 9999)}@{rnd.choice(SPAM_MAIL_DOMAINS)}"
    url = "https://" + _spam_site(rnd) + "/" if rnd.random() < 0.5 or kind >= 0.85 else ""
    return Labelled({"body": body, "author": author, "email": email, "url": url, "ip": _ip(rnd)}, True)


def _fill(rnd, template):
    number = rnd.choice((12, 24, 36, 48, 60, 100, 150, 580))
    return template.format(
        country=rnd.choice(COUNTRIES_AR), country2=rnd.choice(COUNTRIES_AR), country_en=rnd.choice(COUNTRIES_EN),
        system=rnd.choice(SYSTEMS), system_ar=rnd.choice(SYSTEMS_AR), topic=rnd.choice(TOPICS_EN),
        number=number, number2=number + rnd.choice((1, 10, 100)),
        money=rnd.choice((500, 1000, 2500, 3000, 5000, 10000)), percent=rnd.choice((50, 100, 150, 200, 300)),
        year=rnd.choice((2024, 2025)), spammer=rnd.choice(SPAMMERS), email=_spam_email(rnd),
        phone=_phone(rnd), link=_spam_link(rnd), link2=_spam_link(rnd), link3=_spam_link(rnd),
    )


def _phone(rnd):
    digits = "".join(str(rnd.randint(0, 9)) for _ in range(7))
    number = rnd.choice((
        f"+966 5{rnd.randint(0, 9)} {digits[:3]} {digits[3:]}",
        f"05{rnd.randint(0, 9)}{digits}",
        f"00971 50 {digits[:3]} {digits[3:]}",
        f"+20 10 {digits[:4]} {digits[4:]}0",
        f"+1 (555) {digits[:3]}-{digits[3:]}",
        f"wa.me/9665{rnd.randint(0, 9)}{digits}",
    ))
    return number.translate(ARABIC_INDIC) if rnd.random() < 0.4 else number


def _spam_link(rnd):
    return rnd.choice(("https://", "http://", "www.", "https://www.")) + _spam_site(rnd) + _slug(rnd)


def _spam_site(rnd):
    return f"{rnd.choice(SITE_WORDS)}-{rnd.choice(SITE_WORDS)}.{rnd.choice(SITE_TLDS)}"


def _spam_email(rnd):
    handle = rnd.choice(("support", "expert", "recovery", "info"))
    return f"{handle}{rnd.randint(1, 99)}@{rnd.choice(SPAM_MAIL_DOMAINS)}"


def _slug(rnd):
    return "/" + "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rnd.randint(4, 10)))


def _ip(rnd):
    return ".".join(str(part) for part in (rnd.choice((5, 37, 41, 78, 94, 185, 197)), rnd.randint(0, 255),
                                           rnd.randint(0, 255), rnd.randint(1, 254)))


def _disguise(rnd, text, marks, rate):
    """Sprinkle ``marks`` (harakat, tatweel or invisible characters) after Arabic letters."""
    out = []
    for i, ch in enumerate(text):
        out.append(ch)
        following = text[i + 1:i + 2]
        if "\u0621" <= ch <= "\u064a" and "\u0621" <= following <= "\u064a" and rnd.random() < rate:
            out.append(rnd.choice(marks))
    return "".join(out)
