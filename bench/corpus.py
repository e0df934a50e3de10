"""Realistic comments for the benchmark: Arabic, English and both in one line.

Readers of an Arabic defence news site write short and long comments,
mostly in Arabic, some in English, often with an English name of a weapon or
a place inside an Arabic sentence. Every contender gets the same text, drawn
from one seeded generator, so a run can be repeated.
"""

import random
from dataclasses import dataclass

ARABIC = (
    "لقاء القاهرة خطوة مهمة لكن لا أتوقع نتائج سريعة.",
    "المعاهدة هي آخر ما تبقى من منظومة الحد من التسلح بين البلدين.",
    "مصر تثبت مرة أخرى أنها أرض محايدة يثق بها الجميع.",
    "عمليات التفتيش المتبادلة ضرورية لبناء الثقة، والتوقف عنها منذ سنوات أمر خطير.",
    "أتمنى أن يتوصل الطرفان إلى اتفاق قبل انتهاء مدة المعاهدة.",
    "مقال ممتاز ومعلومات دقيقة، شكراً للكاتب.",
    "هل هناك مصدر رسمي لموعد الاجتماع؟",
    "الغواصات من فئة أوهايو تحمل أربعة وعشرين صاروخاً، وهذا رقم مخيف.",
    "العقد بقيمة 580 مليون دولار ليس كبيراً مقارنة بميزانية البحرية الأمريكية.",
    "روسيا لن تتنازل في ظل الحرب الحالية، هذا واضح.",
    "الحوار أفضل من القطيعة في كل الأحوال.",
    "نريد مقالات أكثر عن الصناعات الدفاعية العربية.",
    "المغرب يسير بخطى ثابتة في تصنيع الطائرات المسيرة.",
    "التكنولوجيا غيرت شكل الحروب تماماً في السنوات العشر الأخيرة.",
    "أختلف مع الكاتب في نقطة واحدة: الصين هي الطرف الغائب عن هذه المحادثات.",
    "من يضمن التزام الطرفين بعد انتهاء المعاهدة؟",
    "الردع النووي حافظ على السلام بين القوى الكبرى منذ عقود، للأسف.",
    "تحليل رائع، أتمنى متابعة الموضوع بعد الاجتماع.",
    "الصواريخ الفرط صوتية ستجعل كل هذه المعاهدات بلا معنى.",
    "أين موقف الاتحاد الأوروبي من كل هذا؟",
    "سؤال للكاتب: هل ستشمل المحادثات الأسلحة التكتيكية أيضاً؟",
    "الخبر نشر قبل يومين في وكالات الأنباء الروسية.",
    "كل عام والموقع بخير، أفضل موقع عربي في الشؤون العسكرية.",
    "المنطقة العربية تدفع دائماً ثمن صراعات الكبار.",
    "لا أفهم لماذا تأخر الإعلان الرسمي عن مكان الاجتماع.",
    "التفتيش توقف بسبب الجائحة ثم بسبب الحرب، والنتيجة فراغ خطير.",
    "أرجو تصحيح التاريخ في الفقرة الثالثة.",
    "معلومة جديدة بالنسبة لي، لم أكن أعرف أن المعاهدة تحدد عدد القاذفات أيضاً.",
    "القاهرة اختيار ذكي، فهي قريبة من الطرفين سياسياً.",
    "الجيوش الحديثة تعتمد على الأقمار الصناعية أكثر من أي وقت مضى.",
)

ENGLISH = (
    "Great summary, thanks for covering this.",
    "New START expires soon and nobody seems to have a plan B.",
    "Inspections are the only part of these treaties that actually builds trust.",
    "Cairo is an interesting choice of venue.",
    "The Trident II D5LE contract is routine sustainment, not an escalation.",
    "Does anyone have the original State Department statement?",
    "Hypersonic missiles make the old counting rules look outdated.",
    "Good article, but the headline overstates what was agreed.",
    "I doubt either side wants to be seen walking away first.",
    "Would love a follow-up once the talks actually happen.",
    "The Ohio-class boats are getting old; Columbia can't come soon enough.",
    "This site is my go-to source for defence news in the region.",
    "Arms control only works when both sides can verify.",
    "Interesting that the talks are outside Europe for the first time.",
    "Typo in the second paragraph: it should be Ryabkov.",
)

MIXED = (
    "صاروخ Trident II D5LE مداه أكثر من 12 ألف كيلومتر.",
    "المقارنة مع منظومة S-400 غير دقيقة في رأيي.",
    "الطائرة F-35 ليست الحل لكل شيء، the maintenance costs are huge.",
    "خبر مهم. Let's see what comes out of Cairo.",
    "New START هي آخر معاهدة قائمة، وهذا ما يجعل الاجتماع مهماً.",
    "Lockheed Martin تفوز دائماً بهذه العقود.",
    "درون Harop الانتحاري أثبت فعاليته في أكثر من نزاع.",
    "الصاروخ Tsirkon لم يختبر في ظروف قتال حقيقية بعد.",
    "Thanks for the article! شكراً على المقال.",
    "USS Maine من أقدم الغواصات في الأسطول.",
    "هل ستحضر IAEA هذه المحادثات؟",
    "The Moroccan drone programme مشروع طموح جداً.",
)

LINKS = (
    "https://www.state.gov/new-start/",
    "https://ar.wikipedia.org/wiki/ستارت_الجديدة",
    "https://www.navy.mil/Resources/Fact-Files/",
    "https://www.reuters.com/world/",
)

ARABIC_NAMES = (
    "أحمد بن علي", "محمد العلوي", "فاطمة الزهراء", "يوسف", "خالد المصري", "سارة", "عبد الله الشمري",
    "نور الدين", "مريم", "عمر الفاروق", "ليلى بنت حسن", "حسام", "أبو ياسر", "رشيد المغربي", "هدى",
)
ENGLISH_NAMES = ("John Carter", "Mike", "Defence Watcher", "Anna K.", "Sam O'Neil", "navy_fan", "Tom")
LATIN_HANDLES = (
    "ahmed.benali", "m.alaoui", "fatima.z", "youssef84", "khaled.masri", "sara.h", "abdullah.s",
    "noureddine", "mariam", "omar.f", "layla.hassan", "hossam", "abu.yasser", "rachid.ma", "huda",
    "jcarter", "mike1977", "defwatch", "anna.k", "sam.oneil", "navyfan", "tom.b",
)
DOMAINS = ("gmail.com", "hotmail.com", "yahoo.fr", "outlook.sa", "live.com", "icloud.com", "menara.ma")
# Internationalised addresses are allowed; a few readers use them.
IDN_EMAILS = ("أحمد@مثال.مصر", "نور@بريد.المغرب")
WEBSITES = ("", "", "", "", "https://example.org", "blog.example.net/about", "http://defence.example.com")

ARTICLES = (
    "لقاء-أمريكي-روسي-في-القاهرة-ستارت-الجديدة",
    "لوكهيد-مارتن-عقد-ترايدنت-2",
    "new-start-talks-cairo",
    "المغرب-تصنيع-الطائرات-المسيرة",
    "tsirkon-hypersonic-missile",
    "درون-هاروب-الانتحاري",
    "trident-ii-d5le-test-launch",
    "الصناعات-الدفاعية-العربية",
)

USER_AGENT = ("Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/126.0.0.0 Mobile Safari/537.36")


@dataclass(frozen=True)
class Submission:
    """What one reader types into the form."""

    comment: str
    author: str
    email: str
    url: str
    remember: bool


class Corpus:
    """A seeded source of submissions, comment bodies and thread keys."""

    def __init__(self, seed=7):
        self.random = random.Random(seed)

    def sentence(self):
        r = self.random.random()
        pool = ARABIC if r < 0.6 else MIXED if r < 0.85 else ENGLISH
        return self.random.choice(pool)

    def body(self):
        """One to six sentences, sometimes in two paragraphs, sometimes with a link."""
        sentences = [self.sentence() for _ in range(self.random.choice((1, 1, 2, 2, 3, 4, 6)))]
        if self.random.random() < 0.1:
            sentences.append(self.random.choice(LINKS))
        if len(sentences) > 2 and self.random.random() < 0.4:
            cut = len(sentences) // 2
            return " ".join(sentences[:cut]) + "\n\n" + " ".join(sentences[cut:])
        return " ".join(sentences)

    def author(self):
        return self.random.choice(ARABIC_NAMES if self.random.random() < 0.7 else ENGLISH_NAMES)

    def email(self):
        if self.random.random() < 0.03:
            return self.random.choice(IDN_EMAILS)
        return f"{self.random.choice(LATIN_HANDLES)}{self.random.randrange(1000)}@{self.random.choice(DOMAINS)}"

    def submission(self):
        return Submission(
            comment=self.body(),
            author=self.author(),
            email=self.email(),
            url=self.random.choice(WEBSITES),
            remember=self.random.random() < 0.3,
        )

    def choice(self, items):
        return self.random.choice(items)


def address(i):
    """The ``i``-th of a sequence of distinct commenter addresses, one in 33 internationalised."""
    if i % 33 == 0:
        return f"قارئ{i}@مثال.مصر"
    return f"{LATIN_HANDLES[i % len(LATIN_HANDLES)]}{i}@{DOMAINS[i % len(DOMAINS)]}"


def addresses(count):
    return [address(i) for i in range(count)]


def thread_keys(count):
    """``count`` distinct article keys, Arabic and English, for spreading a queue over threads."""
    return [f"{ARTICLES[i % len(ARTICLES)]}-{i}" for i in range(count)]
