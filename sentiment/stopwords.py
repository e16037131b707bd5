"""Words that never name a theme or an incident: function words, words every review
uses, and bare verdicts ("terrible", "love") that say how, not what.

English words are compared after lower-casing (the tokeniser splits at apostrophes, so
"don't" arrives as "don" and "t"); Korean words after their particle or ending is cut.
"""

from __future__ import annotations

ENGLISH = frozenset(
    """
    a about above after again against all also am an and any are aren as at be because
    been before being below between both but by can cannot could couldn did didn do does
    doesn doing don down during each even ever every few for from further get gets getting
    got had hadn has hasn have haven having he her here hers herself him himself his how
    however i if in into is isn it its itself just let ll me more most much must my myself
    no nor not now of off on once one only or other our ours ourselves out over own re
    same she should shouldn so some still such than that the their theirs them themselves
    then there these they this those through to too under until up upon us ve very was
    wasn we were weren what when where which while who whom why will with won would wouldn
    you your yours yourself yourselves already always another anyone anything around back
    bought buy came come could day days does done else enough etc first going gone good
    great guys know like made make makes many may maybe might mine need new next nothing
    okay once others please pretty quite really right said say says see seems since
    something thing things think though time times today try two use used using want way
    week well went yet yes weeks ago yesterday never three
    order ordered product item company brand store shop customer thanks thank review
    reviews star stars bad worst terrible awful horrible poor disappointed disappointing
    hate love
    """.split()  # noqa: SIM905 - a word list reads better as text
)

KOREAN = frozenset(
    """
    그 이 저 것 거 게 수 등 및 더 좀 잘 안 못 또 다 왜 때 나 너 우리 저희
    제가 저는 나는 내가 정말 너무 아주 진짜 매우 완전 그냥 그리고 그런데 그래서
    하지만 근데 또한 이거 그거 저거 이런 그런 저런 이번 지금 오늘 어제 다시 계속
    벌써 이미 아직 처음 하나 두 세 번 한번 있어요 있습니다 있는 있다 있고 없어요
    없습니다 없는 없다 없고 같아요 같은 같습니다 합니다 했어요 해요 입니다 됩니다
    되는 하는 하고 해서 했는데 했습니다 보니 보고 보여요 그리고요 주세요 있네요
    없네요 있어 없어 만에 나고 아무 않아요 않고 않는 않습니다 않았어요 보입니다
    많아요 많이 주지 하나도
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# Korean particles and endings cut from the end of a word, longest first; a cut happens
# only when at least two syllables remain, so 불만 ("complaint") keeps its 만.
KOREAN_SUFFIXES = tuple(
    sorted(
        """
    이 가 은 는 을 를 에 의 도 로 와 과 만 께 랑 해 으로 에서 에게 한테 까지
    부터 처럼 보다 이나 이랑 에는 에도 에서는 으로는 로는 이라 라고 이라고 이라는
    라는 마다 조차 밖에 이에요 에요 예요 어요 아요 여요 해요 네요 군요 지요 습니다
    니다 합니다 입니다 됩니다 했어요 했습니다 했는데 했다 했고 해서 하고 하는 하다
    하게 하며 하지 됐어요 되고 되어 돼요 났어요 났다 나고 났고 났습니다 는데 지만
    니까 어서 아서 었어요 았어요 었다 았다 겠어요 하네요 이네요
        """.split(),  # noqa: SIM905 - a word list reads better as text
        key=len,
        reverse=True,
    )
)
