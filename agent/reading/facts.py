"""Invented facts to read: fictional entities of a dozen kinds, each with typed attributes,
the sentences that state them and the questions that ask for them.

Everything is drawn from a seeded `random.Random`, so a generator run is reproducible,
and everything is invented, so the model can only answer by reading the sources.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

_ONSETS = [
    "b", "br", "c", "ch", "d", "dr", "f", "g", "gr", "h", "j", "k", "l", "m", "n", "p", "pr", "qu", "r", "s", "sh",
    "st", "t", "th", "tr", "v", "w", "z",
]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ie", "oa", "ou"]
_CODAS = ["", "", "n", "r", "l", "s", "th", "m", "nd", "rk", "x"]
FIRST_NAMES = [
    "Ada", "Bram", "Cleo", "Dario", "Edda", "Femi", "Galen", "Hana", "Ivo", "Jora", "Kemal", "Lise", "Mato", "Nadia",
    "Otto", "Priya", "Quinn", "Rosa", "Sami", "Tova", "Ulric", "Vera", "Wen", "Xavi", "Yara", "Zeno", "Amara", "Bodil",
    "Cyrus", "Dagny", "Elio", "Farah", "Gus", "Ilse", "Joss", "Kaia", "Leif", "Mina", "Nils", "Orla", "Pavel", "Rhea",
    "Sven", "Talia", "Umar", "Vito", "Wanda", "Yusuf", "Zora",
]
LAST_NAMES = [
    "Abbott", "Brenner", "Castillo", "Delacroix", "Eriksen", "Falk", "Gallo", "Haddad", "Ibarra", "Jansen", "Kowalski",
    "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quist", "Rahman", "Sato", "Tanaka", "Umber", "Varga",
    "Whitlock", "Xu", "Yilmaz", "Zimmer", "Achebe", "Bauer", "Costa", "Dunn", "Engel", "Ferro", "Grady", "Holm",
    "Iqbal", "Kerr", "Lund", "Mendez", "Novak", "Ortiz", "Pike", "Reyes", "Stroud", "Thorne", "Vance",
]
COLOURS = [
    "teal", "crimson", "amber", "ochre", "violet", "slate", "olive", "coral", "indigo", "saffron", "maroon", "ivory",
    "jade", "cobalt", "rust",
]
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MATERIALS = [
    "oak", "granite", "copper", "glass", "basalt", "cedar", "brass", "limestone", "bamboo", "steel", "clay", "marble",
]
FOODS = ("barley stew", "smoked trout", "plum dumplings", "lentil soup", "fig bread", "saffron rice",
         "pickled herring", "walnut cake", "chili crab", "mushroom pie", "honey buns", "seaweed noodles")
ANIMALS = ["heron", "otter", "lynx", "ibis", "marten", "badger", "crane", "gecko", "falcon", "tapir"]
INSTRUMENTS = ["cello", "oboe", "harp", "banjo", "zither", "flute", "tuba", "marimba"]
LICENSES = ("MIT", "Apache-2.0", "BSD-3-Clause", "GPL-3.0", "MPL-2.0")
SECRET_WORDS = ["marigold", "thimble", "lantern", "pebble", "walrus", "juniper", "kettle", "biscuit", "meadow",
                "compass", "velvet", "acorn", "harbour", "quill", "tangerine"]
KEY_PLACES = ("under the blue pot by the door", "in the key safe by the gate", "on the hook inside the shed",
              "with the neighbour at number 6", "behind the loose brick left of the step")
SHELL_WORDS = ["sync", "prune", "mirror", "stash", "pack", "seed", "probe", "flush", "relay", "trace", "vault", "merge"]


def invented_word(rng: random.Random, syllables: int | None = None) -> str:
    parts = [rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables or rng.randint(2, 3))]
    return ("".join(parts) + rng.choice(_CODAS)).capitalize()


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def place(rng: random.Random) -> str:
    word = invented_word(rng)
    return rng.choice([word, word, f"{word} {rng.choice(['Bay', 'Falls', 'Ridge', 'Harbour', 'Hollow', 'Cross'])}"])


def year(rng: random.Random) -> str:
    return str(rng.randint(1820, 2024))


def date(rng: random.Random) -> str:
    day, month, yr = rng.randint(1, 28), rng.choice(MONTHS), rng.randint(1950, 2026)
    return rng.choice([f"{month} {day}, {yr}", f"{day} {month} {yr}"])


def count(rng: random.Random, low: int, high: int) -> str:
    value = rng.randint(low, high)
    return f"{value:,}" if value >= 1000 and rng.random() < 0.7 else str(value)


def money(rng: random.Random) -> str:
    return rng.choice([f"${rng.randint(5, 900)}", f"€{rng.randint(5, 900)}", f"{rng.randint(5, 900)} crowns",
                       f"${rng.randint(1, 99)}.{rng.randint(10, 99)}"])


def clock(rng: random.Random) -> str:
    hour, minute = rng.randint(5, 22), rng.choice([0, 15, 30, 45])
    return rng.choice([f"{hour:02d}:{minute:02d}", f"{(hour - 1) % 12 + 1}:{minute:02d} {'am' if hour < 12 else 'pm'}"])


def duration(rng: random.Random) -> str:
    return rng.choice([f"{rng.randint(2, 90)} minutes", f"{rng.randint(2, 40)} hours", f"{rng.randint(2, 30)} days",
                       f"{rng.randint(2, 12)} weeks"])


def measure(rng: random.Random, unit: str, low: int, high: int) -> str:
    value = rng.randint(low, high)
    return f"{value / 10:g} {unit}" if rng.random() < 0.3 else f"{value} {unit}"


def code_name(rng: random.Random) -> str:
    return rng.choice([f"{invented_word(rng, 2).lower()}_{rng.choice(SHELL_WORDS)}",
                       f"--{rng.choice(SHELL_WORDS)}-{invented_word(rng, 1).lower()}",
                       f"{invented_word(rng, 2).upper()[:4]}-{rng.randint(10, 999)}"])


Value = Callable[[random.Random], str]


@dataclass(frozen=True)
class Attribute:
    key: str
    label: str  # its name in a list or a table
    value: Value
    statements: tuple[str, ...]  # sentences stating it: {name}, {value}
    questions: tuple[str, ...]  # questions asking for it: {name}


@dataclass(frozen=True)
class Kind:
    """A kind of entity: how it is named and what can be said of it."""

    name: str
    noun: str
    naming: Callable[[random.Random], str]
    attributes: tuple[Attribute, ...]
    bare: bool = False  # asked about without its name ("What is the wifi password?"): one per prompt


def _a(key: str, label: str, value: Value, statements: str, questions: str) -> Attribute:
    return Attribute(key, label, value, tuple(statements.split(" | ")), tuple(questions.split(" | ")))


KINDS: tuple[Kind, ...] = (
    Kind("town", "town", place, (
        _a("population", "Population", lambda r: count(r, 300, 250_000),
           "{name} has a population of {value}. | About {value} people live in {name}. | "
           "The last census counted {value} residents in {name}.",
           "What is the population of {name}? | How many people live in {name}? | "
           "How many residents does {name} have?"),
        _a("mayor", "Mayor", person,
           "The mayor of {name} is {value}. | {value} has served as mayor of {name} since the last election. | "
           "{name} is run by its mayor, {value}.",
           "Who is the mayor of {name}? | Who runs {name} as mayor? | Who is {name}'s mayor?"),
        _a("founded", "Founded", year,
           "{name} was founded in {value}. | Settlers established {name} in {value}. | "
           "The town of {name} dates from {value}.",
           "When was {name} founded? | In what year was {name} established? | "
           "How old is {name}? Give the founding year."),
        _a("river", "River", lambda r: f"{invented_word(r)} River",
           "The {value} runs through {name}. | {name} sits on the banks of the {value}.",
           "Which river runs through {name}? | What river is {name} on?"),
        _a("dish", "Local dish", lambda r: r.choice(FOODS),
           "Visitors to {name} should try the local {value}. | {name} is famous for its {value}.",
           "What dish is {name} known for? | What food should you try in {name}?"),
        _a("festival", "Festival month", lambda r: r.choice(MONTHS),
           "Every {value}, {name} holds its lantern festival. | The {name} lantern festival takes place in {value}.",
           "In which month is the {name} lantern festival? | When does {name} hold its lantern festival?"),
    )),
    Kind("company", "company",
         lambda r: f"{invented_word(r)} {r.choice(['Works', 'Labs', 'Systems', 'Foods', 'Motors', 'Textiles'])}", (
        _a("founder", "Founder", person,
           "{name} was founded by {value}. | {value} started {name} in a rented garage. | "
           "The founder of {name} is {value}.",
           "Who founded {name}? | Who started {name}? | Who is the founder of {name}?"),
        _a("headquarters", "Headquarters", place,
           "{name} has its headquarters in {value}. | {name} is based in {value}. | "
           "The head office of {name} is in {value}.",
           "Where is {name} based? | Where are the headquarters of {name}? | In which city is {name}'s head office?"),
        _a("employees", "Employees", lambda r: count(r, 12, 40_000),
           "{name} employs {value} people. | The company has {value} employees. | {name} now has a staff of {value}.",
           "How many employees does {name} have? | How many people work at {name}? | How large is {name}'s staff?"),
        _a("founded", "Founded", year,
           "{name} was established in {value}. | Since {value}, {name} has grown steadily.",
           "When was {name} founded? | In which year was {name} established?"),
        _a("product", "Best-selling product",
           lambda r: f"the {invented_word(r)} {r.choice(['kettle', 'bicycle', 'lamp', 'drone', 'loom', 'scanner'])}",
           "The best-selling product of {name} is {value}. | {name} is best known for {value}.",
           "What is {name}'s best-selling product? | What product is {name} best known for?"),
        _a("ceo", "Chief executive", person,
           "The current chief executive of {name} is {value}. | {value} leads {name} as CEO.",
           "Who is the CEO of {name}? | Who leads {name}? | Who is the chief executive of {name}?"),
    )),
    Kind("device", "device", lambda r: f"{invented_word(r)} {r.choice(['X2', '500', 'Mini', 'Pro', 'S'])}", (
        _a("price", "Price", money,
           "The {name} costs {value}. | The {name} sells for {value}. | At launch the {name} was priced at {value}.",
           "How much does the {name} cost? | What is the price of the {name}? | What does the {name} sell for?"),
        _a("weight", "Weight", lambda r: measure(r, r.choice(["grams", "kg"]), 3, 950),
           "The {name} weighs {value}. | With its battery, the {name} weighs {value}.",
           "How much does the {name} weigh? | What is the weight of the {name}?"),
        _a("battery", "Battery life", duration,
           "The battery of the {name} lasts {value}. | On one charge the {name} runs for {value}.",
           "How long does the {name}'s battery last? | What is the battery life of the {name}?"),
        _a("colour", "Colour", lambda r: r.choice(COLOURS),
           "The {name} comes in {value}. | The {name} is only sold in {value}.",
           "What colour is the {name}? | Which colour does the {name} come in?"),
        _a("reset", "Reset",
           lambda r: f"hold the {r.choice(['power', 'mode', 'home', 'dial'])} button for {r.randint(3, 30)} seconds",
           "To reset the {name}, {value}. | A factory reset of the {name}: {value}.",
           "How do you reset the {name}? | How can I factory-reset the {name}?"),
        _a("maker", "Maker", lambda r: f"{invented_word(r)} Works",
           "The {name} is made by {value}. | {value} designed and builds the {name}.",
           "Who makes the {name}? | Which company builds the {name}?"),
    )),
    Kind("tool", "command-line tool", lambda r: invented_word(r, 2).lower(), (
        _a("port", "Default port", lambda r: str(r.randint(1025, 65000)),
           "By default {name} listens on port {value}. | The default port of {name} is {value}.",
           "Which port does {name} use by default? | What is the default port of {name}?"),
        _a("config", "Config file",
           lambda r: f"{invented_word(r, 1).lower()}.{r.choice(['toml', 'yaml', 'ini', 'json'])}",
           "{name} reads its settings from {value}. | The configuration of {name} lives in {value}.",
           "Which file holds the settings of {name}? | What is the config file of {name} called?"),
        _a("flag", "Dry-run flag", code_name,
           "Pass {value} to {name} to preview changes without writing. | The dry-run option of {name} is {value}.",
           "Which flag makes {name} do a dry run? | How do I preview changes with {name}?"),
        _a("author", "Author", person,
           "{name} was written by {value}. | {value} is the original author of {name}.",
           "Who wrote {name}? | Who is the author of {name}?"),
        _a("license", "License", lambda r: r.choice(LICENSES),
           "{name} is released under the {value} license. | The license of {name} is {value}.",
           "What license does {name} use? | Under which license is {name} released?"),
        _a("version", "Latest version", lambda r: f"{r.randint(0, 9)}.{r.randint(0, 30)}.{r.randint(0, 9)}",
           "The latest release of {name} is version {value}. | {name} {value} is the current version.",
           "What is the latest version of {name}? | Which version of {name} is current?"),
    )),
    Kind("species", "animal", lambda r: f"{invented_word(r)} {r.choice(ANIMALS)}", (
        _a("habitat", "Habitat", lambda r: r.choice(["salt marshes", "cloud forests", "limestone caves", "river deltas",
                                                      "alpine meadows", "mangrove swamps", "sand dunes"]),
           "The {name} lives in {value}. | You can find the {name} in {value}.",
           "Where does the {name} live? | What is the habitat of the {name}?"),
        _a("length", "Length", lambda r: measure(r, "centimetres", 4, 300),
           "An adult {name} grows to {value}. | The {name} reaches a length of {value}.",
           "How long does the {name} grow? | What length does an adult {name} reach?"),
        _a("diet", "Diet", lambda r: r.choice(["beetles", "snails", "seeds", "small fish", "algae", "moss", "berries"]),
           "The {name} feeds mainly on {value}. | The diet of the {name} is mostly {value}.",
           "What does the {name} eat? | What is the main food of the {name}?"),
        _a("lifespan", "Lifespan", lambda r: f"{r.randint(2, 80)} years",
           "The {name} can live for {value}. | A {name} lives about {value} in the wild.",
           "How long does the {name} live? | What is the lifespan of the {name}?"),
        _a("discoverer", "First described by", person,
           "The {name} was first described by {value}. | {value} was the first to describe the {name}.",
           "Who first described the {name}? | Who discovered the {name}?"),
    )),
    Kind("event", "event",
         lambda r: f"{invented_word(r)} {r.choice(['Marathon', 'Fair', 'Regatta', 'Open', 'Summit', 'Cup'])}", (
        _a("date", "Date", date,
           "The {name} took place on {value}. | This year's {name} was held on {value}.",
           "When was the {name} held? | On what date did the {name} take place?"),
        _a("venue", "Venue", lambda r: f"{invented_word(r)} {r.choice(['Hall', 'Park', 'Stadium', 'Pier', 'Arena'])}",
           "The {name} was held at {value}. | {value} hosted the {name}.",
           "Where was the {name} held? | Which venue hosted the {name}?"),
        _a("winner", "Winner", person,
           "{value} won the {name}. | The winner of the {name} was {value}.",
           "Who won the {name}? | Who was the winner of the {name}?"),
        _a("attendance", "Attendance", lambda r: count(r, 80, 90_000),
           "{value} people attended the {name}. | The {name} drew a crowd of {value}.",
           "How many people attended the {name}? | How big was the crowd at the {name}?"),
        _a("start", "Start time", clock,
           "The {name} started at {value}. | Doors for the {name} opened at {value}.",
           "What time did the {name} start? | When did the {name} begin?"),
    )),
    Kind("ship", "ship", lambda r: f"the {invented_word(r)}", (
        _a("captain", "Captain", person,
           "{name} is captained by {value}. | The captain of {name} is {value}.",
           "Who is the captain of {name}? | Who commands {name}?"),
        _a("launched", "Launched", year,
           "{name} was launched in {value}. | The shipyard launched {name} in {value}.",
           "When was {name} launched? | In what year was {name} launched?"),
        _a("crew", "Crew", lambda r: count(r, 3, 900),
           "{name} sails with a crew of {value}. | {value} sailors serve on {name}.",
           "How many crew does {name} have? | How large is the crew of {name}?"),
        _a("port", "Home port", place,
           "The home port of {name} is {value}. | {name} returns to {value} every winter.",
           "What is the home port of {name}? | Where is {name} based?"),
        _a("hull", "Hull", lambda r: r.choice(MATERIALS),
           "The hull of {name} is built of {value}. | {name} has a {value} hull.",
           "What is the hull of {name} made of? | What material is {name}'s hull?"),
    )),
    Kind("policy", "rule", lambda r: r.choice(["lunch breaks", "remote work", "expense claims", "holiday requests",
                                                "overtime", "visitor badges", "parking", "sick leave"]), (
        _a("limit", "Limit", lambda r: r.choice([duration(r), money(r), f"{r.randint(2, 30)} per month"]),
           "For {name}, the limit is {value}. | Staff may use up to {value} for {name}.",
           "What is the limit for {name}? | How much is allowed for {name}?"),
        _a("contact", "Contact", person,
           "Questions about {name} go to {value}. | {value} approves all {name}.",
           "Who approves {name}? | Who should I ask about {name}?"),
        _a("deadline", "Deadline", lambda r: f"{r.choice(WEEKDAYS)} at {clock(r)}",
           "Requests for {name} are due by {value}. | The deadline for {name} is {value}.",
           "When are requests for {name} due? | What is the deadline for {name}?"),
        _a("form", "Form", lambda r: f"form {invented_word(r, 1)[:2].upper()}-{r.randint(1, 99)}",
           "Use {value} for {name}. | All {name} are filed on {value}.",
           "Which form is used for {name}? | What form do I file for {name}?"),
    )),
    Kind("person", "person", person, (
        _a("job", "Occupation", lambda r: r.choice(["glassblower", "cartographer", "beekeeper", "luthier",
                                                     "archivist", "tram driver", "botanist", "locksmith"]),
           "{name} works as a {value}. | By trade, {name} is a {value}.",
           "What does {name} do for a living? | What is {name}'s job? | What is the occupation of {name}?"),
        _a("born", "Born", place,
           "{name} was born in {value}. | {name} grew up in {value}, where they were born.",
           "Where was {name} born? | What is {name}'s birthplace?"),
        _a("instrument", "Instrument", lambda r: r.choice(INSTRUMENTS),
           "{name} plays the {value}. | In the evenings {name} practises the {value}.",
           "What instrument does {name} play? | Which instrument does {name} practise?"),
        _a("pet", "Pet", lambda r: f"a {r.choice(ANIMALS)} called {invented_word(r, 2)}",
           "{name} keeps {value}. | {name} lives with {value}.",
           "What pet does {name} have? | What animal does {name} keep?"),
        _a("age", "Age", lambda r: str(r.randint(19, 91)),
           "{name} is {value} years old. | At {value}, {name} is the oldest member of the club.",
           "How old is {name}? | What is {name}'s age?"),
    )),
    Kind("household", "house", lambda r: r.choice([f"Flat {r.randint(1, 40)}", f"{invented_word(r)} Cottage"]), (
        _a("wifi", "Wifi password", lambda r: f"{invented_word(r, 2).lower()}{r.randint(10, 99)}",
           "The wifi password is {value}. | Wifi for {name}: the password is {value}. | "
           "To get online, use the password {value}.",
           "What is the wifi password? | What's the password for the wifi? | How do I get on the wifi here?"),
        _a("door", "Door code", lambda r: str(r.randint(1000, 9999)),
           "The code for the front door is {value}. | Door code: {value}. | "
           "To get into {name}, type {value} on the keypad.",
           "What is the door code? | What's the code to get in? | How do I open the front door?"),
        _a("bins", "Bin day", lambda r: r.choice(WEEKDAYS),
           "The bins go out on {value} night. | Bin day at {name} is {value}.",
           "When do the bins go out? | Which day is bin day?"),
        _a("key", "Spare key", lambda r: r.choice(KEY_PLACES),
           "The spare key is {value}. | If you get locked out, the spare key is {value}.",
           "Where is the spare key? | Where can I find a spare key if I'm locked out?"),
        _a("secret", "Secret word", lambda r: r.choice(SECRET_WORDS),
           "The secret word is {value}. | The secret word for the back gate is {value}.",
           "What is the secret word? | What's the secret word?"),
        _a("landlord", "Landlord", person,
           "The landlord of {name} is {value}. | For repairs, call the landlord, {value}.",
           "Who is the landlord? | Who do I call for repairs?"),
        _a("heating", "Heating on", clock,
           "The heating comes on at {value}. | The boiler timer starts the heating at {value}.",
           "When does the heating come on? | What time does the heating start?"),
    ), bare=True),
    Kind("building", "building", lambda r: f"{invented_word(r)} {r.choice(['Tower', 'House', 'Library', 'Hall'])}", (
        _a("architect", "Architect", person,
           "{name} was designed by {value}. | The architect of {name} was {value}.",
           "Who designed {name}? | Who was the architect of {name}?"),
        _a("floors", "Floors", lambda r: str(r.randint(2, 90)),
           "{name} has {value} floors. | The {value} floors of {name} house offices and a library.",
           "How many floors does {name} have? | How tall is {name} in floors?"),
        _a("opened", "Opened", date,
           "{name} opened on {value}. | The doors of {name} first opened on {value}.",
           "When did {name} open? | On what date did {name} open?"),
        _a("material", "Facade", lambda r: r.choice(MATERIALS),
           "The facade of {name} is {value}. | {name} is clad in {value}.",
           "What is the facade of {name} made of? | What material covers {name}?"),
        _a("hours", "Opening hours", lambda r: f"{clock(r)} to {clock(r)}",
           "{name} is open from {value}. | Visitors are welcome in {name} from {value}.",
           "What are the opening hours of {name}? | When is {name} open?"),
    )),
)
