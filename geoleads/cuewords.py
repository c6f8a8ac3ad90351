"""Small word lists that decide whether a name in a tip is a place (all folded).

>>> "aus" in CONTEXT_WORDS and "w" in CONTEXT_WORDS and "в" in CONTEXT_WORDS
True
>>> "march" in CALENDAR, "road" in STREETS, "mr" in TITLES
(True, True, True)
"""

from __future__ import annotations

from geoleads.text import fold


def _words(text: str) -> frozenset[str]:
    return frozenset(fold(w) for w in text.split())


#: Words that put a place after them ("in", "aus", "w", "в", ...). The lexicons'
#: own ``context_words`` are added to these when geoleads.lexicons is present.
CONTEXT_WORDS = _words(
    """
    in from near at around outside inside into via visiting visited lives lived living born
    aus bei nach von im nahe nähe um
    à au aux en près depuis vers du
    desde cerca en
    da vicino presso nel nella
    em perto no na do
    uit bij naar te nabij
    w we z ze do koło pod przy obok niedaleko okolicach okolic
    v ve u poblíž blízko nedaleko okolí vo zo pri
    в во из под около возле у город г
    у з із біля під місто
    στην στη στο στον από κοντά σε
    i från nära vid fra nær ved
    în din lângă
    """
)
#: Context words of the lexicons too common to say that a place follows
#: ("is", "of", "to", Portuguese "das"): the extractor leaves them out.
WEAK_CONTEXT = _words("is of to a la das des del dos nas nos pe")
#: After these a name that is also a common word is that word ("the Police", "das Horn").
DETERMINERS = _words(
    """
    the an this that these those my your his her our their its any some every no
    der die das den dem des ein eine einen einem einer kein keine
    le la les un une ce cette ces mon ma mes son sa ses
    el los las una este esta il lo gli
    een het deze dit
    ten ta to tento tato
    """
)
#: Before a surname: "Mr. Clark", "Sen. Byrd", "Judge Meredith".
TITLES = _words(
    """
    mr mrs ms miss dr prof sen senator rep gov governor president judge officer sheriff
    deputy detective sgt sergeant lt capt captain chief coach pastor rev father mayor
    herr frau pan pani monsieur madame mme señor senor signor
    """
)
#: After a surname: "Sullivan said", "Meredith, who".
PERSON_NEXT = _words("said says told added asked wrote explained noted who")
#: After a name, these make it a street, not the place ("Dublin Road").
STREETS = _words(
    """
    road rd street st avenue ave drive dr lane ln boulevard blvd way court ct place pl
    square sq highway hwy pike parkway pkwy terrace circle trail strasse straße str gasse
    weg allee platz ulica ul aleja
    """
)
#: Months and weekdays that are also place names ("March", "May", "Thursday").
CALENDAR = _words(
    """
    january february march april may june july august september october november
    december monday tuesday wednesday thursday friday saturday sunday
    januar februar märz juni juli oktober dezember montag dienstag mittwoch donnerstag
    freitag samstag sonntag janvier février mars avril mai juin juillet août septembre
    octobre novembre décembre lundi mardi mercredi jeudi vendredi samedi dimanche
    enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
    gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre
    """
)
#: Languages whose place names take case endings: suffix rules apply to them.
INFLECTING_LANGUAGES = _words("pl cs sk ru uk be bg mk sr hr bs sl el fi et hu lt lv ro tr")
#: European shop chains that are also place names somewhere ("Netto", "Penny", "Hema").
SHOPS = _words(
    """
    lidl aldi hofer netto penny billa spar interspar eurospar hema albert kaufland tesco
    rossmann biedronka zabka carrefour auchan leclerc intermarche monoprix coop ica rimi
    maxima prisma boots action kruidvat jumbo mercadona esselunga konzum mercator
    continente dunnes migros edeka rewe globus norma obi ikea primark zara mango decathlon
    """
)
