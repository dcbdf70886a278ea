"""Write the held-out arithmetic word problems to `heldout.jsonl` beside this script.

Evaluation data only: nothing is trained or tuned on it. It shares no code, scenario or
wording with the training generator (`agent/tasks/word_problems`) on purpose, so a score
on it measures arithmetic on unseen stories, not recall of paraphrased training questions.
The small step writer below repeats what the training side does for the same reason.

    python evals/questions/make_heldout.py
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SEED = 20250615
COUNT = 300
EXTRA_FACT_RATE = 0.3  # share of problems with one fact that the answer does not need
MAX_TRIES = 200
OUT = Path(__file__).with_name("heldout.jsonl")

PEOPLE = ("Abel", "Bea", "Cyrus", "Dina", "Elio", "Fay", "Gus", "Hana", "Ivo", "Jun",
          "Kit", "Lior", "Mina", "Nils", "Orla", "Pia", "Rosa", "Sami", "Teo", "Una")
TOWNS = ("Harwick", "Fenmoor", "Loxby", "Dunmere", "Stallbridge", "Corwen", "Ashby Vale", "Trelling")


class NotWhole(Exception):
    """A computation left the whole numbers >= 0: the template draws new numbers."""


class Working:
    """The worked computations of one problem, in order; `#` in a note is the result."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.last = 0

    def __call__(self, a: int, op: str, b: int, note: str) -> int:
        if op == "÷":
            if b == 0 or a % b:
                raise NotWhole
            value = a // b
        else:
            value = {"+": a + b, "-": a - b, "×": a * b}[op]
        if value < 0:
            raise NotWhole
        self.lines.append(f"{a} {op} {b} = {value}, so {note.replace('#', str(value))}.")
        self.last = value
        return value


@dataclass(frozen=True)
class Draft:
    """Ways to tell one drawn problem, each (setting, question), and facts that the
    answer does not need."""

    tellings: tuple[tuple[str, str], ...]
    extras: tuple[str, ...]


Maker = Callable[[random.Random, Working], Draft]


def train_fares(r: random.Random, w: Working) -> Draft:
    adults, kids, adult, kid = r.randint(2, 4), r.randint(2, 5), r.randint(8, 30), r.randint(3, 12)
    line = r.choice(TOWNS)
    grown = w(adults, "×", adult, "adult singles come to £#")
    young = w(kids, "×", kid, "child singles come to £#")
    single = w(grown, "+", young, "one way costs £#")
    w(single, "×", 2, "the return tickets cost £#")
    return Draft(
        ((f"A family of {adults} adults and {kids} children takes the train to {line}. A single adult fare is "
          f"£{adult} and a single child fare is £{kid}; a return costs double a single.",
          "What does the family pay for return tickets, in pounds?"),
         (f"Single tickets to {line} are £{adult} for grown-ups and £{kid} for under-16s. {adults} grown-ups "
          f"and {kids} under-16s buy returns, which are priced at twice the single fare.",
          "How much do they spend on tickets altogether?")),
        (f"The train has {r.randint(4, 12)} carriages.", f"It departs from platform {r.randint(2, 9)}."))


def express_timetable(r: random.Random, w: Working) -> Draft:
    a, b = r.sample(TOWNS, 2)
    speed, extra = r.choice((60, 80, 90, 120)), r.randint(2, 4)
    km = speed * r.randint(2, 5)
    fast = w(km, "÷", speed, "the express needs # hours")
    slow = w(fast, "+", extra, "the stopping service needs # hours")
    w(slow, "×", 60, "it takes # minutes")
    return Draft(
        ((f"The express covers the {km} km from {a} to {b} at {speed} km per hour. The stopping service "
          f"takes {extra} hours longer.", "How many minutes does the stopping service take?"),
         (f"By rail it is {km} km from {a} to {b}. The fast train averages {speed} km an hour, and the local "
          f"train needs {extra} more hours than that for the same trip.",
          "What is the local train's journey time in minutes?")),
        (f"The timetable lists {r.randint(5, 14)} stations on the line.",
         f"A coffee on board is £{r.randint(2, 4)}."))


def garden_rows(r: random.Random, w: Working) -> Draft:
    who, (crop, other) = r.choice(PEOPLE), r.sample(("leeks", "cabbages", "bean plants", "onion sets"), 2)
    rows, per_row, rows2, per_row2 = r.randint(3, 12), r.randint(5, 20), r.randint(2, 6), r.randint(4, 12)
    lost = r.randint(2, 15)
    first = w(rows, "×", per_row, f"# {crop} were planted")
    second = w(rows2, "×", per_row2, f"# {other} were planted")
    planted = w(first, "+", second, "# plants went in")
    w(planted, "-", lost, "# plants survive")
    return Draft(
        ((f"On the allotment {who} plants {rows} rows with {per_row} {crop} in every row and {rows2} rows with "
          f"{per_row2} {other} in each. Slugs destroy {lost} of the plants.", "How many plants survive?"),
         (f"{who} sets out {crop} in {rows} straight rows, {per_row} to a row, and {other} in {rows2} rows of "
          f"{per_row2}, but a frost kills {lost} of them.", "How many plants are still growing?")),
        (f"The allotment rent is £{r.randint(20, 60)} a year.", f"{who} waters them every {r.randint(2, 4)} days."))


def library_fine(r: random.Random, w: Working) -> Draft:
    who, books, late, pence = r.choice(PEOPLE), r.randint(1, 4), r.randint(2, 20), r.choice((10, 20, 25, 50))
    book_days = w(books, "×", late, "there are # book-days of lateness")
    owed = w(book_days, "×", pence, "the fine is # pence")
    w(owed, "÷", 100, f"{who} owes £#")
    return Draft(
        ((f"{who} brings back {books} library books {late} days after they were due. The library charges "
          f"{pence}p per book for every day late.", f"How many pounds does {who} owe?"),
         (f"Overdue books cost {pence} pence per book per day. {who}'s {books} books are returned {late} days "
          "overdue.", "What is the fine in pounds?")),
        (f"The library holds {r.randint(3, 9)} thousand books.",
         f"{who} has been a member for {r.randint(2, 12)} years."))


def paint_tins(r: random.Random, w: Working) -> Draft:
    wide, high, coats, cover = r.randint(3, 10), r.randint(2, 4), r.randint(2, 3), r.choice((4, 5, 6, 8, 10))
    area = w(wide, "×", high, "the wall is # square metres")
    to_cover = w(area, "×", coats, "# square metres must be painted")
    w(to_cover, "÷", cover, "# tins are needed")
    return Draft(
        ((f"A wall is {wide} m wide and {high} m high and needs {coats} coats of paint. One tin covers "
          f"{cover} square metres.", "How many tins of paint are needed?"),
         (f"Each tin of emulsion does {cover} square metres. A decorator gives a {wide} m by {high} m wall "
          f"{coats} coats.", "How many tins does the job use?")),
        (f"The skirting board along it was painted last year for £{r.randint(20, 90)}.",
         f"The decorator starts at {r.randint(7, 10)} in the morning."))


def trip_coaches(r: random.Random, w: Working) -> Draft:
    seats, coaches, hire = r.choice((30, 40, 50, 52)), r.randint(2, 5), r.randrange(150, 501, 50)
    adults = r.randint(4, 12)
    pupils = seats * coaches - adults
    people = w(pupils, "+", adults, "# people travel")
    needed = w(people, "÷", seats, "# coaches are needed")
    w(needed, "×", hire, "the hire costs £#")
    return Draft(
        ((f"A school trip takes {pupils} pupils and {adults} adults. Each coach holds {seats} people and every "
          f"seat gets filled. Hiring one coach costs £{hire}.", "What is the total hire cost in pounds?"),
         (f"For the museum visit, {pupils} pupils travel with {adults} staff in coaches of {seats} seats, all "
          f"full. A coach is £{hire} to hire.", "How much does the school pay for the coaches?")),
        (f"The museum is {r.randint(20, 90)} miles away.", f"Lunch is at {r.randint(12, 13)} o'clock."))


def bakery_trays(r: random.Random, w: Working) -> Draft:
    trays, per_tray, bag, price = r.randint(2, 8), r.choice((12, 16, 18, 20, 24)), r.choice((4, 6, 8)), r.randint(2, 5)
    rolls = w(trays, "×", per_tray, "# rolls are baked")
    bags = w(rolls, "÷", bag, "# bags are filled")
    w(bags, "×", price, "the bags bring in £#")
    return Draft(
        ((f"A baker takes {trays} trays out of the oven with {per_tray} rolls on each tray. The rolls are "
          f"packed {bag} to a bag and every bag sells for £{price}.", "How much money do the bags bring in?"),
         (f"There are {per_tray} rolls on each of {trays} baking trays. They go into bags of {bag}, sold at "
          f"£{price} a bag.", "If every bag is sold, how many pounds are taken?")),
        (f"The oven runs at {r.choice((180, 200, 220))} degrees.", f"The bakery opens at {r.randint(6, 8)} a.m."))


def fuel_trip(r: random.Random, w: Working) -> Draft:
    who, per_100, hundreds, litre = r.choice(PEOPLE), r.randint(5, 9), r.randint(2, 8), r.randint(1, 2)
    km = hundreds * 100
    blocks = w(km, "÷", 100, "the trip is # lots of 100 km")
    litres = w(blocks, "×", per_100, "# litres of fuel are used")
    w(litres, "×", litre, "the fuel costs £#")
    return Draft(
        ((f"{who}'s van uses {per_100} litres of diesel per 100 km and diesel costs £{litre} a litre. "
          f"{who} drives {km} km.", "What does the diesel for the drive cost, in pounds?"),
         (f"A drive of {km} km is planned in a car that burns {per_100} litres every 100 km. Each litre is "
          f"£{litre}.", "How many pounds will the fuel cost?")),
        (f"The tank holds {r.randint(40, 70)} litres.", f"{who} stops {r.randint(2, 4)} times for a rest."))


def pocket_money(r: random.Random, w: Working) -> Draft:
    who, gets, spends, weeks = r.choice(PEOPLE), r.randint(5, 15), r.randint(1, 4), r.randint(3, 10)
    toy = r.randint(5, 40)
    kept = w(gets, "-", spends, f"{who} keeps £# a week")
    saved = w(kept, "×", weeks, f"{who} has £# after {weeks} weeks")
    w(saved, "-", toy, "£# remains")
    return Draft(
        ((f"{who} gets £{gets} pocket money a week and spends £{spends} of it on comics each week. After "
          f"{weeks} weeks {who} buys a kite for £{toy}.", "How many pounds does that leave?"),
         (f"Every week {who} is given £{gets} and uses £{spends} on comics, saving the rest. At the end of "
          f"{weeks} weeks a £{toy} kite is bought.", f"How much money has {who} got then, in pounds?")),
        (f"{who}'s sister gets £{r.randint(3, 9)} a week.", f"The comic shop is {r.randint(2, 8)} streets away."))


def league_points(r: random.Random, w: Working) -> Draft:
    team = r.choice(("Rovers", "United", "Athletic", "Wanderers", "Harriers"))
    wins, draws, losses = r.randint(2, 20), r.randint(1, 10), r.randint(1, 10)
    from_wins = w(wins, "×", 3, "wins give # points")
    from_draws = w(draws, "×", 1, "draws give # points")
    w(from_wins, "+", from_draws, f"the {team} have # points")
    return Draft(
        ((f"In the league a win earns 3 points, a draw earns 1 and a defeat earns nothing. The {team} have won "
          f"{wins}, drawn {draws} and lost {losses}.", f"How many points have the {team} got?"),
         (f"The {team} record reads: {wins} wins, {draws} draws, {losses} defeats. Three points come for a win "
          "and one for a draw.", "What is their points total?")),
        (f"Their ground holds {r.randint(2, 30)} thousand fans.", f"Their top scorer has {r.randint(5, 25)} goals."))


def tank_filling(r: random.Random, w: Working) -> Draft:
    tap, leak, minutes = r.randint(6, 20), r.randint(2, 5), r.randint(5, 30)
    tank = (tap - leak) * minutes
    net = w(tap, "-", leak, "the tank gains # litres a minute")
    w(tank, "÷", net, "it fills in # minutes")
    return Draft(
        ((f"An empty tank holds {tank} litres. A tap pours in {tap} litres a minute while a crack lets out "
          f"{leak} litres a minute.", "How many minutes until the tank is full?"),
         (f"Water flows into a {tank}-litre tank at {tap} litres per minute and drips out of a leak at {leak} "
          "litres per minute. It starts empty.", "After how many minutes is it full?")),
        (f"The tank is {r.randint(2, 5)} years old.", f"The hose is {r.randint(10, 30)} m long."))


def tank_draining(r: random.Random, w: Working) -> Draft:
    rate, hours, rain = r.randint(20, 90), r.randint(2, 8), r.randint(10, 200)
    full = rate * hours + r.randint(0, 500)
    pumped = w(rate, "×", hours, "# litres are pumped out")
    left = w(full, "-", pumped, "# litres stay in the tank")
    w(left, "+", rain, "the tank holds # litres")
    return Draft(
        ((f"A rainwater tank holds {full} litres. A pump empties {rate} litres an hour from it for {hours} "
          f"hours, then a storm adds {rain} litres.", "How many litres are in the tank now?"),
         (f"From a tank with {full} litres, {rate} litres per hour are pumped away over {hours} hours. Later "
          f"{rain} litres of rain run in.", "How much water does the tank contain in the end, in litres?")),
        (f"The pump is {r.randint(2, 12)} years old.", f"The storm lasted {r.randint(2, 6)} hours."))


def parcel_postage(r: random.Random, w: Working) -> Draft:
    who, base, per_kg = r.choice(PEOPLE), r.randint(2, 6), r.randint(1, 4)
    kg, parcels = r.randint(2, 9), r.randint(2, 6)
    by_weight = w(kg, "×", per_kg, "the weight charge is £#")
    one = w(by_weight, "+", base, "one parcel costs £#")
    w(one, "×", parcels, "posting them all costs £#")
    return Draft(
        ((f"Posting a parcel costs £{base} plus £{per_kg} for each kilogram. {who} posts {parcels} parcels "
          f"that weigh {kg} kg each.", "What is the postage in pounds?"),
         (f"The courier charges a £{base} fee and £{per_kg} per kg. {who} sends {parcels} boxes, every one "
          f"weighing {kg} kg.", f"How many pounds does {who} pay the courier?")),
        (f"The parcels go to {r.randint(2, 5)} different countries.",
         f"The post office closes at {r.randint(4, 6)} p.m."))


def pool_lengths(r: random.Random, w: Working) -> Draft:
    who, pool, lengths, sessions = r.choice(PEOPLE), r.choice((20, 25, 33, 50)), r.randint(10, 40), r.randint(2, 6)
    per_visit = w(pool, "×", lengths, f"{who} swims # m a visit")
    w(per_visit, "×", sessions, f"{who} swims # m in total")
    return Draft(
        ((f"{who} swims {lengths} lengths of a {pool} m pool at each visit and goes {sessions} times.",
          "How many metres does that come to?"),
         (f"At the leisure centre the pool is {pool} metres long. {who} does {lengths} lengths a visit on "
          f"{sessions} visits.", "What distance in metres is swum over all the visits?")),
        (f"Entry costs £{r.randint(3, 6)}.", f"The water is {r.randint(26, 30)} degrees."))


def phone_data(r: random.Random, w: Working) -> Draft:
    who, gigs, per_day = r.choice(PEOPLE), r.randint(2, 20), r.choice((100, 125, 200, 250, 500))
    mb = w(gigs, "×", 1000, "the plan gives # MB")
    w(mb, "÷", per_day, "it lasts # days")
    return Draft(
        ((f"{who}'s phone plan gives {gigs} GB of data, where 1 GB is 1000 MB. {who} uses {per_day} MB a day.",
          "For how many days does the data last?"),
         (f"A SIM card comes with {gigs} GB (1000 MB per GB) and {who} gets through {per_day} MB per day.",
          "How many days will it take to use it all?")),
        (f"The phone's screen is {r.randint(5, 7)} inches.",
         f"The plan also has {r.randint(100, 900)} minutes of calls."))


def laundry_hours(r: random.Random, w: Working) -> Draft:
    loads, wash, dry = r.randint(2, 6), r.choice((30, 40, 45, 50, 60)), r.choice((30, 40, 60, 75, 90))
    per_load = w(wash, "+", dry, "one load takes # minutes")
    minutes = w(per_load, "×", loads, "all loads take # minutes")
    w(minutes, "÷", 60, "that is # hours")
    return Draft(
        ((f"Each load of washing needs a {wash}-minute wash and then {dry} minutes in the dryer, one load at a "
          f"time. There are {loads} loads.", "How many hours does all the laundry take?"),
         (f"A launderette wash lasts {wash} minutes and drying lasts {dry} minutes. {loads} loads are done one "
          "after another, washing then drying.", "How long is that in hours?")),
        (f"A wash costs £{r.randint(3, 6)}.", f"There are {r.randint(4, 12)} machines in the launderette."))


def quiz_score(r: random.Random, w: Working) -> Draft:
    who, right, wrong = r.choice(PEOPLE), r.randint(5, 25), r.randint(1, 10)
    plus, minus = r.randint(2, 5), r.randint(1, 2)
    gained = w(right, "×", plus, "correct answers earn # points")
    lost = w(wrong, "×", minus, "wrong answers cost # points")
    w(gained, "-", lost, f"{who} scores #")
    return Draft(
        ((f"In a quiz each correct answer scores {plus} points and each wrong answer loses {minus}. {who} gets "
          f"{right} right and {wrong} wrong.", f"What is {who}'s final score?"),
         (f"{who} answers {right} quiz questions correctly and {wrong} incorrectly. Correct answers are worth "
          f"{plus} points; incorrect ones take away {minus}.", "How many points does that give?")),
        (f"The quiz had {r.randint(3, 6)} rounds.", f"{r.randint(8, 30)} teams took part."))


def relay_legs(r: random.Random, w: Working) -> Draft:
    km, runners = r.randint(2, 12), r.choice((2, 4, 5, 8, 10))
    metres = w(km, "×", 1000, "the course is # m")
    w(metres, "÷", runners, "each runner covers # m")
    return Draft(
        ((f"A relay course is {km} km long and {runners} runners split it into equal legs.",
          "How many metres does each runner cover?"),
         (f"{runners} team-mates share a {km} km relay equally.", "How long is each leg in metres?")),
        (f"The winning team took {r.randint(20, 90)} minutes.", f"{r.randint(6, 20)} teams entered."))


def stamp_album(r: random.Random, w: Working) -> Draft:
    who, pages, slots, packet = r.choice(PEOPLE), r.randint(8, 30), r.choice((6, 8, 9, 12)), r.randint(5, 20)
    filled = r.randint(10, pages * slots - packet)
    spaces = w(pages, "×", slots, "the album has # spaces")
    empty = w(spaces, "-", filled, "# spaces are empty")
    w(empty, "-", packet, "# spaces are still empty")
    return Draft(
        ((f"{who}'s stamp album has {pages} pages with room for {slots} stamps on each. {filled} stamps are "
          f"already in it, and {who} sticks in a new packet of {packet}.", "How many empty spaces are there now?"),
         (f"An album of {pages} pages holds {slots} stamps a page. It contains {filled} stamps before {who} adds "
          f"{packet} more.", "How many spaces remain free?")),
        (f"The oldest stamp is {r.randint(50, 150)} years old.", f"{who} swaps stamps with {r.randint(2, 6)} friends."))


def concert_seats(r: random.Random, w: Working) -> Draft:
    rows, chairs, reserved, ticket = r.randint(5, 20), r.randint(8, 25), r.randint(5, 30), r.randint(4, 15)
    seats = w(rows, "×", chairs, "the hall seats #")
    for_sale = w(seats, "-", reserved, "# seats are for sale")
    w(for_sale, "×", ticket, "the tickets raise £#")
    return Draft(
        ((f"A concert hall has {rows} rows of {chairs} chairs. {reserved} chairs are kept for the band's "
          f"guests and every other chair is sold at £{ticket}.", "How much do the ticket sales raise?"),
         (f"For a charity concert, {chairs} chairs are set out in each of {rows} rows. Apart from {reserved} "
          f"reserved seats, all are sold for £{ticket} each.", "How many pounds are raised from tickets?")),
        (f"The concert lasts {r.randint(2, 3)} hours.", f"The band has {r.randint(3, 7)} members."))


MAKERS: tuple[tuple[str, Maker], ...] = (
    ("h-train-fares", train_fares), ("h-express-timetable", express_timetable), ("h-garden-rows", garden_rows),
    ("h-library-fine", library_fine), ("h-paint-tins", paint_tins), ("h-trip-coaches", trip_coaches),
    ("h-bakery-trays", bakery_trays), ("h-fuel-trip", fuel_trip), ("h-pocket-money", pocket_money),
    ("h-league-points", league_points), ("h-tank-filling", tank_filling), ("h-tank-draining", tank_draining),
    ("h-parcel-postage", parcel_postage), ("h-pool-lengths", pool_lengths), ("h-phone-data", phone_data),
    ("h-laundry-hours", laundry_hours), ("h-quiz-score", quiz_score), ("h-relay-legs", relay_legs),
    ("h-stamp-album", stamp_album), ("h-concert-seats", concert_seats),
)


def one_problem(template: str, maker: Maker, r: random.Random) -> dict:
    """A record from one maker, drawing again until every value is a whole number >= 0."""
    for _ in range(MAX_TRIES):
        work = Working()
        try:
            draft = maker(r, work)
        except NotWhole:
            continue
        setting, ask = r.choice(draft.tellings)
        if r.random() < EXTRA_FACT_RATE:
            setting = f"{setting} {r.choice(draft.extras)}"
        return {"question": f"{setting} {ask}", "answer": work.last, "steps": work.lines, "template": template}
    raise RuntimeError(f"{template}: no whole-number problem in {MAX_TRIES} draws")


def make_problems(count: int = COUNT, seed: int = SEED) -> list[dict]:
    """`count` distinct records, the makers taken in turn; the same seed, the same records."""
    r = random.Random(seed)
    seen: set[str] = set()
    records = []
    for i in range(count):
        template, maker = MAKERS[i % len(MAKERS)]
        for _ in range(MAX_TRIES):
            record = one_problem(template, maker, r)
            if record["question"] not in seen:
                break
        else:
            raise RuntimeError(f"{template}: ran out of distinct questions")
        seen.add(record["question"])
        records.append(record)
    return records


def main() -> None:
    records = make_problems()
    OUT.write_text("".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records), encoding="utf-8")
    print(f"wrote {len(records)} problems from {len(MAKERS)} templates to {OUT}")


if __name__ == "__main__":
    main()
